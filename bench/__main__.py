from bench import audit_reads, cold_start, feed_intake, ingest_rate, results_reads, session_check

for module in (cold_start, feed_intake, audit_reads, session_check, results_reads, ingest_rate):
    print(f"\n== {module.__name__}")
    module.main()
