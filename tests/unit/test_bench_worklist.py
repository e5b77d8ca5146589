"""bench/worklist_calls.py at tiny sizes, in a process of its own (it runs moto itself): its rows
say the worklist's read makes the same calls whatever the number of open and closed items."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import PROJECT_DIR

SMOKE = """
import json
from bench import worklist_calls
rows = worklist_calls.rows((1, 3), closed=5, repeats=1)
print(json.dumps([[r.measure, r.value, r.floor, r.unit] for r in rows]))
"""


def test_the_worklist_benchmark_counts_the_same_calls_for_every_size():
    done = subprocess.run(
        [sys.executable, "-c", SMOKE], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=120, check=True
    )
    rows = json.loads(done.stdout.splitlines()[-1])

    calls = [(measure, value, floor) for measure, value, floor, unit in rows if unit == "calls"]
    assert [measure.split(": ")[0] for measure, _, _ in calls] == [
        "worklist read, 1 open items",
        "worklist read, 3 open items",
        "worklist read, 1 open items and 5 closed",
    ]
    assert all(value == floor for _, value, floor in calls)
    assert all(value > 0 for _, value, _ in calls)
    assert len([row for row in rows if row[3] == "ms CPU"]) == 3
