from bench import argon2_cost, audit_reads, cold_start, feed_intake, results_reads, session_check

for module in (cold_start, feed_intake, audit_reads, session_check, results_reads, argon2_cost):
    print(f"\n== {module.__name__}")
    module.main()
