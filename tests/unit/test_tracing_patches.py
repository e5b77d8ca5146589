"""The prod stage's tracing: one X-Ray subsegment per AWS call (botocore patched, boto3 and PynamoDB
both call through it) and no other library imported or patched for it on the first request."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import PROJECT_DIR

TRACED_PROCESS = """
import json, sys
from chalicelib.observability import tracer
from aws_xray_sdk.core import patcher
tracer()
print(json.dumps({"patched": sorted(patcher._PATCHED_MODULES), "sqlite3": "sqlite3" in sys.modules}))
"""


def test_tracing_patches_botocore_alone():
    # GIVEN a process that looks like a traced Lambda function (as the prod stage runs)
    env = {
        "PATH": "/usr/bin:/bin",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_LAMBDA_FUNCTION_NAME": "patient-portal-prod",
        "LAMBDA_TASK_ROOT": str(PROJECT_DIR),
        "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    }
    # WHEN its tracer is built
    done = subprocess.run(
        [sys.executable, "-c", TRACED_PROCESS], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=True
    )
    # THEN only botocore is patched, and nothing else was imported to be patched
    assert json.loads(done.stdout.strip().splitlines()[-1]) == {"patched": ["botocore"], "sqlite3": False}
