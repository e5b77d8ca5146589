"""Fuzzing the feed's entry point: whatever arrives on the queue, intake
archives it and ends each message as filed or quarantined with a reason; nothing crashes, hangs
or escapes as another exception. The filer here reads (HL7 v2 / FHIR) without storing: storage
is exercised by the integration tests; this is about hostile input."""

from __future__ import annotations

import json
import random
from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.feeds import service
from chalicelib.feeds.domain import FeedStatus, IntakeResult
from chalicelib.filing import service as filing
from tests.conftest import SAMPLES_DIR
from tests.unit.fakes import FakeArchive, FakeFeedMessages

SAMPLES = [p.read_bytes() for p in sorted((SAMPLES_DIR / "hl7v2").iterdir()) + sorted((SAMPLES_DIR / "fhir").iterdir())]
HL7_PIECES = [
    "MSH|^~\\&|LAB|AMC|||20260101||ORU^R01|1|P|2.5",
    "PID|1||123^^^AMC^MR||Doe^Jane||19800101|F",
    "OBR|1||F1^LAB|GLU^Glucose^LN|||20260101||||||||||||||||CH|F",
    "OBX|1|NM|GLU^Glucose^LN||5.5|mmol/L|3-6|N",
    "OBX|2|ED|PDF||^application^pdf^Base64^JVBERi0=",
    "OBX|3|SN|X||>^10",
    "NTE|1||note",
    "MRG|1^^^AMC",
    "TXA|1|DS^Discharge",
    "BHS|^~\\&",
    "BTS|1",
    "ZZZ|\\X41\\|\\.br\\",
    "",
    "|||",
    "^~\\&",
    "\\",
    '""',
]


def read_only_filer(envelope, key):
    filing.read(envelope)  # Unreadable quarantines; anything else would be a crash


def take(raw: bytes) -> list[tuple[IntakeResult, str]]:
    messages = FakeFeedMessages()
    results = service.receive(
        raw,
        archive=FakeArchive(),
        messages=messages,
        sender_hint="fuzz",
        filer=read_only_filer,
        received_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )
    for result, key in results:
        record = messages.records[key]
        assert result in (IntakeResult.FILED, IntakeResult.QUARANTINED, IntakeResult.DUPLICATE)
        if record.status is FeedStatus.QUARANTINED:
            assert record.reason
    return results


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes(raw):
    take(raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(HL7_PIECES) | st.text(max_size=40), min_size=1, max_size=12),
    st.sampled_from(["\r", "\n", "\r\n", "|", ""]),
)
def test_hl7_shaped_text(pieces, separator):
    take(separator.join(pieces).encode("utf-8", errors="surrogatepass"))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.integers(min_value=0, max_value=len(SAMPLES) - 1),
    st.integers(min_value=0, max_value=2**32),
    st.integers(min_value=1, max_value=20),
)
def test_mutated_samples(index, seed, mutations):
    data = bytearray(SAMPLES[index])
    rng = random.Random(seed)
    for _ in range(mutations):
        position = rng.randrange(len(data) or 1)
        action = rng.randrange(3)
        if action == 0 and data:
            data[position % len(data)] = rng.choice(b'|^~\\&\r\n"{}[]:,0123456789aZ \x00\xff')
        elif action == 1:
            data[position:position] = bytes(rng.choice(b"|^~\\&\r\n{}") for _ in range(rng.randrange(1, 5)))
        elif data:
            del data[position : position + rng.randrange(1, 20)]
    take(bytes(data))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(
                st.sampled_from(
                    [
                        "resourceType",
                        "id",
                        "subject",
                        "identifier",
                        "entry",
                        "resource",
                        "code",
                        "valueQuantity",
                        "value",
                        "system",
                        "reference",
                        "status",
                        "type",
                        "result",
                        "fullUrl",
                        "name",
                        "birthDate",
                    ]
                ),
                children,
                max_size=5,
            )
        ),
        max_leaves=30,
    )
)
def test_json_shaped_documents(document):
    if isinstance(document, dict) and "resourceType" not in document:
        document["resourceType"] = random.choice(["Patient", "Bundle", "Observation", "DiagnosticReport"])
    take(json.dumps(document).encode())
