"""Importing app.py is the Lambda cold start: the contract models must not build their validators
then (pydantic's defer_build), only when a request first uses them; and the libraries only one
route needs are imported by that route when it runs."""

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


HEAVY_PROBE = """
import sys
import app

heavy = ("fpdf", "PIL", "fontTools")
print(",".join(sorted(name for name in sys.modules if name.split(".")[0] in heavy)))
"""


def test_the_signed_pdfs_libraries_are_not_imported_with_app():
    # fpdf2, Pillow and fontTools nearly double the modules a cold start loads; only a signing
    # needs them, so it imports them when it runs.
    environment = {**os.environ, "AWS_DEFAULT_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true"}
    done = subprocess.run(
        [sys.executable, "-c", HEAVY_PROBE],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "", f"imported with app: {done.stdout.strip()[:300]}"
