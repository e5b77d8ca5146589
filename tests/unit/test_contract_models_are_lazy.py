"""Importing app.py is the Lambda cold start: the contract models must not build their validators
then (pydantic's defer_build), only when a request first uses them."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import PROJECT_DIR

PROBE = """
import app
from pydantic import BaseModel

def subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from subclasses(sub)

built = sorted({m.__qualname__ for m in subclasses(BaseModel)
                if m.__module__.startswith("chalicelib") and m.__pydantic_complete__})
print(",".join(built))
"""


def test_no_contract_model_is_built_when_app_is_imported():
    environment = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=PROJECT_DIR, env=environment, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", f"built at import: {done.stdout.strip()}"
