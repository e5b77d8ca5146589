"""Test-wide environment, set before anything imports boto3 (import moto first, never
point decorator-mode tests at an endpoint, fake credentials so nothing looks for real AWS)."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
SAMPLES_DIR = PROJECT_DIR / "tests" / "samples"
EVENTS_DIR = PROJECT_DIR / "tests" / "events"

os.environ.update(
    {
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
    }
)
for name in [n for n in os.environ if n.startswith("AWS_ENDPOINT_URL")]:
    del os.environ[name]
time.tzset()

if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))


# -- one botocore data loader per test process ---------------------------------------------------
# Every botocore session (each boto3 Session, each client of a fresh wiring container, PynamoDB's
# connection, and moto's reset of boto3's default session) makes its own Loader and parses the same
# JSON again: endpoints.json alone costs ~0.25 s a session, several times in every integration test.
# A Lambda container or the local stack makes its sessions once, so only the tests pay this. The
# loader's data is read-only to botocore; sharing it changes nothing but the time taken.

import botocore.loaders  # noqa: E402
import botocore.session  # noqa: E402


class _PathsOnce(list):
    """Search paths to which boto3 appends its own directory once per Session: keep it once."""

    def append(self, path) -> None:
        if path not in self:
            super().append(path)


_LOADERS: dict = {}


def _shared_loader(search_path_string=None):
    if search_path_string not in _LOADERS:
        loader = botocore.loaders.create_loader(search_path_string)
        loader._search_paths = _PathsOnce(loader.search_paths)
        _LOADERS[search_path_string] = loader
    return _LOADERS[search_path_string]


botocore.session.create_loader = _shared_loader


import pytest  # noqa: E402  (after the environment above is set)


def pinned_start():
    """Where a pinned test clock starts: a day ahead, one second into a fresh five-minute window,
    so throttling counts made before the test do not count."""
    from datetime import datetime, timedelta, timezone

    real = datetime.now(timezone.utc) + timedelta(days=1)
    return real.replace(minute=real.minute - real.minute % 5, second=1, microsecond=0)


@pytest.fixture
def clock():
    """The one clock of the whole call chain (routes, the authorizer, services, the audit trail),
    pinned for this test: it moves only when told (``clock.advance(minutes=5)``). It starts a day
    ahead on a fresh five-minute window, so throttling counts made before the test do not count.
    Every test that needs to control time takes this fixture; nothing patches a module's clock."""
    from chalicelib import wiring
    from chalicelib.kernel.clock import PinnedClock

    pinned = PinnedClock(pinned_start())
    wiring.pin_clock(pinned)
    yield pinned
    wiring.pin_clock(None)


@pytest.fixture(autouse=True)
def _system_clock_after_each_test():
    """A test that pins the clock (chalicelib.wiring.pin_clock) never leaks it into the next."""
    yield
    from chalicelib import wiring

    wiring.pin_clock(None)
