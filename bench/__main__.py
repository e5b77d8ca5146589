from bench import audit_reads, cold_start, feed_intake, session_check

for module in (cold_start, feed_intake, audit_reads, session_check):
    print(f"\n== {module.__name__}")
    module.main()
