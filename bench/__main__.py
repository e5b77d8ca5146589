"""`python -m bench [module ...]`: run the benchmark modules (all of MODULES, or those named) and
print one table of their rows. Each module may print its own detail lines first; the table is
the result. BENCH_QUICK=1 runs every module at its smallest sizes (the harness's smoke test: the
figures then mean nothing).

A module is one name per line in MODULES, so adding one is a one-line change.
"""

from __future__ import annotations

import importlib
import sys
import time

from bench.table import Row, render

MODULES = (
    "cold_start",
    "first_request",
    "results_reads",
    "session_check",
    "audit_reads",
    "feed_intake",
    "session_in_function",
    "route_costs",
    "argon2_cost",
    "hot_keys",
    "worklist_calls",
    "list_reads",
    "ingest_rate",
    "package_size",
    "xray_cost",
    "runtimes",
)


def main(argv: list[str]) -> int:
    names = argv or list(MODULES)
    unknown = [name for name in names if name not in MODULES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(MODULES)}", file=sys.stderr)
        return 2
    rows: list[Row] = []
    for name in names:
        print(f"\n== {name}", flush=True)
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        rows += module.rows()
        print(f"({name}: {time.perf_counter() - started:.1f} s)", flush=True)
    print("\n" + render(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
