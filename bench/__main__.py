from bench import audit_reads, cold_start, feed_intake, results_reads, route_costs, session_check

for module in (cold_start, feed_intake, audit_reads, session_check, results_reads, route_costs):
    print(f"\n== {module.__name__}")
    module.main()
