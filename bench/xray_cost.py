"""X-Ray's cost on the first request after a cold start: the prod stage traces every invocation with
Powertools' Tracer (the X-Ray SDK, botocore patched so each AWS call is a subsegment). Each sample
is a fresh process (bench/first_request_child.py: import app.py, then GET /v1/health/deep, which
calls every AWS service the portal uses, answered without network), traced or not, the two sides
taking turns; CPU time (time.process_time in the child) beside wall time, medians.

The traced side runs as Lambda runs it: a function name, a task root and a sampled trace header in
the environment, and the X-Ray daemon's address on loopback, where nothing listens (the SDK sends
its segments over UDP and never waits for an answer, so a missing daemon blocks nothing).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.table import Row

PROJECT_DIR = Path(__file__).resolve().parents[1]
# BENCH_QUICK=1 (the harness's smoke test): one turn, the figures then mean nothing.
TURNS = 1 if os.environ.get("BENCH_QUICK") == "1" else 7

TRACED = {
    "AWS_LAMBDA_FUNCTION_NAME": "patient-portal-prod",
    "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
}
UNTRACED = {"POWERTOOLS_TRACE_DISABLED": "true"}
# Two first requests: one calling every AWS service the portal uses, one calling none (where the
# SDK's own import is the largest share of the request).
DEEP, LIVENESS = "/v1/health/deep", "/v1/health"


def child_environment(project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """What a function's process has: a region, credentials, the prod stage and its resource names."""
    from chalicelib.settings import RESOURCE_VARIABLES

    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "PORTAL_STAGE": "prod",
        "LAMBDA_TASK_ROOT": str(project_dir),
        "TZ": "UTC",
    }
    # Names only (every call is answered in the child): a container refuses to build without them.
    env.update({name: f"bench-{name.lower()}" for name in RESOURCE_VARIABLES.values()})
    return env


def first_request(python: str, extra: dict[str, str], project_dir: Path = PROJECT_DIR) -> dict[str, float]:
    """One cold process's figures (import, first request), from the child's last line."""
    done = subprocess.run(
        [python, "-m", "bench.first_request_child"],
        cwd=project_dir,
        env={**child_environment(project_dir), **extra},
        capture_output=True,
        text=True,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the first-request child failed: {done.stderr[-2000:]}")
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    if figures["status"] != 200:
        raise RuntimeError(f"the first request answered {figures['status']}, not 200")
    return figures


def measure(turns: int = TURNS, path: str = DEEP, python: str = sys.executable) -> dict[str, dict[str, float]]:
    """Medians per side of ``turns`` fresh processes each, the sides taking turns (A B A B)."""
    asked = {"BENCH_FIRST_REQUEST_PATH": path}
    first_request(python, UNTRACED | asked)  # the project's bytecode written once, outside the samples
    samples: dict[str, list[dict[str, float]]] = {"traced": [], "untraced": []}
    for _ in range(turns):
        samples["untraced"].append(first_request(python, UNTRACED | asked))
        samples["traced"].append(first_request(python, TRACED | asked))
    return {
        side: {key: statistics.median(run[key] for run in runs) for key in runs[0]} for side, runs in samples.items()
    }


def rows(turns: int = TURNS) -> list[Row]:
    out = []
    for path, what in ((DEEP, "a client for every service, one call per resource"), (LIVENESS, "no AWS call")):
        medians = measure(turns, path)
        traced, untraced = medians["traced"], medians["untraced"]
        note = (
            f"import app.py + GET {path} ({what}) in a fresh process, traced as the prod stage is vs "
            f"POWERTOOLS_TRACE_DISABLED; medians of {turns} turns each; AWS answered in-process (no moto); "
            f"wall {traced['first_wall_ms']:.0f} vs {untraced['first_wall_ms']:.0f} ms"
        )
        out.append(
            Row(
                f"first request (GET {path}), X-Ray on (floor: off)",
                traced["first_cpu_ms"],
                "ms CPU",
                "<= 1.10x floor",
                floor=untraced["first_cpu_ms"],
                note=note,
            )
        )
    return out


def main() -> None:
    for row in rows():
        print(row)


if __name__ == "__main__":
    os.chdir(PROJECT_DIR)
    main()
