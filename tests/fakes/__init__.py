"""In-memory twins of the DynamoDB repositories (chalicelib.data), for service tests that need no
moto. Each twin keeps plain dicts, is deterministic, and passes the same contract test as the
repository it stands for (tests/integration/test_*_contract.py): same methods, same signatures,
same answers, including the refusals (Conflict on a version clash, ValidationFailed for a cursor
that is not one). They keep what they were given, so tests assert on state, not on calls.
"""

from tests.fakes.directory import FakeDirectory
from tests.fakes.feed_messages import FakeFeedMessages
from tests.fakes.identity_store import FakeIdentityStore
from tests.fakes.inbox import FakeInbox
from tests.fakes.patients import FakePatients
from tests.fakes.proxy_grants import FakeProxyGrants
from tests.fakes.records import FakeRecords
from tests.fakes.worklist import FakeWorklist

__all__ = [
    "FakeDirectory",
    "FakeFeedMessages",
    "FakeIdentityStore",
    "FakeInbox",
    "FakePatients",
    "FakeProxyGrants",
    "FakeRecords",
    "FakeWorklist",
]
