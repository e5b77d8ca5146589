"""`make bench` gathers one table from the modules it lists: each must give rows, and running one
at its smallest sizes must still print the table (so the harness cannot rot unnoticed)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys

from bench.__main__ import MODULES
from tests.conftest import PROJECT_DIR


def test_every_listed_benchmark_gives_rows():
    for name in MODULES:
        tree = ast.parse((PROJECT_DIR / "bench" / f"{name}.py").read_text())

        assert "rows" in {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}, name


def _bench(*names: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "BENCH_QUICK": "1", "AWS_DEFAULT_REGION": "us-east-1"}
    return subprocess.run(
        [sys.executable, "-m", "bench", *names],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_one_named_benchmark_at_its_smallest_prints_the_table_with_its_rows_beside_their_floors():
    done = _bench("cold_start")

    assert done.returncode == 0, done.stderr[-2000:]
    table = done.stdout[done.stdout.index("measure ") :].splitlines()
    [import_row] = [line for line in table if line.startswith("import app.py, bytecode present, CPU")]
    portal, floor, ratio = import_row.split("[1]")[1].split()[:3]  # a floor measured in the same run
    figures = float(portal.replace(",", "")) / float(floor.replace(",", ""))
    assert ratio.endswith("x") and abs(float(ratio[:-1]) - figures) < 0.05
    assert "first request" not in done.stdout  # only the module named ran


def test_an_unknown_benchmark_is_refused_with_the_names_it_knows():
    done = _bench("no_such_bench")

    assert done.returncode == 2
    assert "no_such_bench" in done.stderr and "cold_start" in done.stderr
