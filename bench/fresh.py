"""A fresh interpreter per sample: what a Lambda cold start pays is measured in a process that has
imported nothing yet, with or without compiled bytecode to hand.

Each snippet times itself (CPU by ``time.process_time``, wall by ``time.perf_counter``) from its
first line, after the interpreter has started (the same for every side), and prints its figures
as JSON on its last line. Sides are run in turns (A B A B ...), so a machine busy for a moment
slows both alike, and their medians are compared.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from chalicelib.settings import RESOURCE_VARIABLES

PROJECT_DIR = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("BENCH_QUICK") == "1"

# Opening and closing lines of every snippet: the clocks start, then stop and report.
START = "import time as _t; _c0 = _t.process_time(); _w0 = _t.perf_counter()\n"
STOP = (
    "\nimport json as _j; print(_j.dumps({'cpu': (_t.process_time() - _c0) * 1000, "
    "'wall': (_t.perf_counter() - _w0) * 1000, **globals().get('_extra', {})}))\n"
)


def environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """What a deployed function's process has: a region, credentials in the environment, the
    resource names (values only: nothing is called unless a snippet points AWS_ENDPOINT_URL at a
    replay server), no instance metadata lookups."""
    env = {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "PATH": "/usr/bin:/bin",
        "TZ": "UTC",
    }
    env.update({name: f"bench-{name.lower()}" for name in RESOURCE_VARIABLES.values()})
    env.update(extra or {})
    return env


def run(code: str, env: Mapping[str, str], bytecode: bool = True, argv: list[str] | None = None) -> dict[str, float]:
    """``code`` (between START and STOP) in a fresh interpreter. Without ``bytecode`` every module
    is compiled from source, as a package shipped without .pyc files is on Lambda (which cannot
    write them): the cache is looked for in an empty directory, and nothing is written. ``argv``
    reaches the snippet as sys.argv[1:] (files it loads before restarting the clocks)."""
    env = dict(env)
    with tempfile.TemporaryDirectory(prefix="bench-nopyc-") as empty:
        if not bytecode:
            env.update(PYTHONPYCACHEPREFIX=empty, PYTHONDONTWRITEBYTECODE="1")
        done = subprocess.run(
            [sys.executable, "-c", START + code + STOP, *(argv or [])],
            cwd=PROJECT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    if done.returncode != 0:
        raise RuntimeError(f"benchmark process failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def turns(sides: Mapping[str, Callable[[], dict[str, float]]], rounds: int) -> dict[str, dict[str, float]]:
    """Each side once per round, in turns; the median of each figure per side."""
    samples: dict[str, list[dict[str, float]]] = {name: [] for name in sides}
    for _ in range(rounds):
        for name, side in sides.items():
            samples[name].append(side())
    return {
        name: {figure: statistics.median(s[figure] for s in taken) for figure in taken[0]}
        for name, taken in samples.items()
    }
