from bench import audit_reads, cold_start, feed_intake, hot_keys, results_reads, session_check

for module in (
    cold_start,
    feed_intake,
    audit_reads,
    session_check,
    results_reads,
    hot_keys,
):
    print(f"\n== {module.__name__}")
    module.main()
