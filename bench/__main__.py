from bench import cold_start, feed_intake, audit_reads

for module in (cold_start, feed_intake, audit_reads):
    print(f"\n== {module.__name__}")
    module.main()
