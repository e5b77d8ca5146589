from bench import audit_reads, cold_start, feed_intake, list_reads, results_reads, session_check, worklist_calls

for module in (
    cold_start,
    feed_intake,
    audit_reads,
    session_check,
    results_reads,
    worklist_calls,
    list_reads,
):
    print(f"\n== {module.__name__}")
    module.main()
