"""Cold start: importing app.py in a fresh interpreter, against the floor of its dependencies
(chalice + boto3 + pynamodb + Powertools Logger/Metrics imported the same way)."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

from chalicelib.settings import RESOURCE_VARIABLES

PROJECT_DIR = Path(__file__).resolve().parents[1]
RUNS = 7

FLOOR = "import chalice, boto3, pynamodb.models; from aws_lambda_powertools import Logger, Metrics"
APP = "import app"
# What the first request pays on top: the first deep health check builds every client and model.
FIRST_CALL = "import app; from chalicelib import wiring; wiring.container().health_probes()"


def timed_import(statement: str) -> float:
    code = "import time; t = time.perf_counter(); " + statement + "; print((time.perf_counter() - t) * 1000)"
    env = {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_EC2_METADATA_DISABLED": "true",
        "PATH": "/usr/bin:/bin",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
    }
    # Names only (nothing is called): a container refuses to build without them.
    env.update({name: f"bench-{name.lower()}" for name in RESOURCE_VARIABLES.values()})
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    timed_import(APP)  # warm the .pyc files once
    for label, statement in (
        ("floor (chalice+boto3+pynamodb+powertools)", FLOOR),
        ("app.py", APP),
        ("app.py + first container build", FIRST_CALL),
    ):
        samples = [timed_import(statement) for _ in range(RUNS)]
        print(f"{label:<44} median {statistics.median(samples):7.1f} ms   min {min(samples):7.1f} ms")
    print("app.py imports neither boto3 nor pynamodb: clients and models are built on first use.")


if __name__ == "__main__":
    main()
