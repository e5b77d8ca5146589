from bench import audit_reads, cold_start, feed_intake, results_reads, session_check, session_in_function

for module in (cold_start, feed_intake, audit_reads, session_check, results_reads, session_in_function):
    print(f"\n== {module.__name__}")
    module.main()
