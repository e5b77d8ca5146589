"""Test-wide environment, set before anything imports boto3 (GUIDE 4: import moto first, never
point decorator-mode tests at an endpoint, fake credentials so nothing looks for real AWS)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
SAMPLES_DIR = PROJECT_DIR / "tests" / "samples"
EVENTS_DIR = PROJECT_DIR / "tests" / "events"

os.environ.update({
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
    "AWS_EC2_METADATA_DISABLED": "true",
    "POWERTOOLS_TRACE_DISABLED": "true",
    "POWERTOOLS_METRICS_NAMESPACE": "PatientPortal",
    "TZ": "UTC",
})
for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")]:
    del os.environ[name]
time.tzset()

if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))


import pytest  # noqa: E402  (after the environment above is set)


@pytest.fixture(autouse=True)
def _system_clock_after_each_test():
    """A test that pins the clock (chalicelib.wiring.pin_clock) never leaks it into the next."""
    yield
    from chalicelib import wiring

    wiring.pin_clock(None)
