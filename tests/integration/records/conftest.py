"""Fixtures for the records tests: the identity fixtures (a seeded organization, its staff, an
enrolled patient), and helpers that build small HL7 v2 messages and send bodies through the real
clinical feed handler."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime

import pytest

from chalicelib import wiring
from chalicelib.data.models import FeedMessageModel, PatientModel, RecordModel
from chalicelib.feeds.domain import FeedSource
from chalicelib.patients.domain import Identifier
from chalicelib.records.domain import result_id
from tests.integration.conftest import sqs_event
from tests.integration.identity.conftest import enrolled, seeded, staff_token  # noqa: F401  (fixtures)

QUEUE = "patient-portal-clinical-inbound.fifo"
ORG = "albany-medical-center"


# -- HL7 v2 messages, built field by field -----------------------------------------------------


def segment(name: str, fields: dict[int, str]) -> str:
    """A segment with the given fields (1-based, as the standard numbers them)."""
    last = max(fields) if fields else 0
    return "|".join([name] + [fields.get(number, "") for number in range(1, last + 1)])


def msh(control: str, message_type: str, app: str = "LAB", facility: str = "AMC") -> str:
    # MSH-1 is the field separator itself, so MSH-2 comes right after the segment name.
    return f"MSH|^~\\&|{app}|{facility}|PORTAL|AMC|20240301120000||{message_type}|{control}|P|2.5.1"


def pid(identifiers: str, family: str = "Doe", given: str = "Jane", birth: str = "19800102", sex: str = "F") -> str:
    return segment("PID", {1: "1", 3: identifiers, 5: f"{family}^{given}", 7: birth, 8: sex})


def obr(filler: str = "F-100^LAB", status: str = "F", code: str = "2093-3^Cholesterol^LN") -> str:
    return segment(
        "OBR",
        {
            1: "1",
            2: "PL-1^EHR",
            3: filler,
            4: code,
            7: "20240301080000",
            16: "1234^Welby^Marcus^^^^MD",
            22: "20240301110000",
            24: "CH",
            25: status,
        },
    )


def obx(
    value: str = "241",
    value_type: str = "NM",
    status: str = "F",
    code: str = "2093-3^Cholesterol^LN",
    units: str = "mg/dL^mg/dL^UCUM",
    reference_range: str = "<200",
    flags: str = "H",
) -> str:
    return segment(
        "OBX",
        {
            1: "1",
            2: value_type,
            3: code,
            5: value,
            6: units,
            7: reference_range,
            8: flags,
            11: status,
            14: "20240301090000",
            15: "AMCLAB^Albany Medical Center Laboratory",
        },
    )


def oru(
    control: str = "CTRL-1",
    identifiers: str = "P-100^^^AMC-MRN",
    *,
    filler: str = "F-100^LAB",
    status: str = "F",
    value: str = "241",
    app: str = "LAB",
    facility: str = "AMC",
    family: str = "Doe",
    birth: str = "19800102",
    observations: list[str] | None = None,
) -> str:
    return "\r".join(
        [
            msh(control, "ORU^R01^ORU_R01", app, facility),
            pid(identifiers, family, birth=birth),
            obr(filler, status),
            *(observations or [obx(value, status=status)]),
        ]
    )


def adt(
    event: str,
    control: str,
    identifiers: str,
    *,
    family: str = "Doe",
    given: str = "Jane",
    merged: str = "",
    app: str = "ADT",
    facility: str = "AMC",
) -> str:
    segments = [
        msh(control, f"ADT^{event}^ADT_{'A39' if event == 'A40' else 'A01'}", app, facility),
        segment("EVN", {1: event, 2: "20240301120000"}),
        pid(identifiers, family, given),
    ]
    if merged:
        segments.append(segment("MRG", {1: merged}))
    else:
        segments.append(segment("PV1", {1: "1", 2: "O"}))
    return "\r".join(segments)


# -- the feed ----------------------------------------------------------------------------------


def deliver(api, body: str, group_id: str = "LAB", attributes: dict | None = None, at: datetime | None = None) -> dict:
    """One body through the real handler; ``at`` is the filing clock (the handler's ``now``)."""
    event = sqs_event(api, [body], QUEUE, group_id=group_id, attributes=attributes)
    with _clock(at):
        return api.lambda_.invoke("on_clinical_feed_message", event).payload


@contextmanager
def _clock(at: datetime | None):
    if at is None:
        yield
        return
    from chalicelib.kernel.clock import PinnedClock

    before = wiring.pinned_clock()  # a test's own pinned clock comes back afterwards
    wiring.pin_clock(PinnedClock(at))
    try:
        yield
    finally:
        wiring.pin_clock(before)


def feed_records() -> dict[str, FeedMessageModel]:
    return {item.message_key: item for item in FeedMessageModel.scan()}


def patient_items() -> list[PatientModel]:
    """The patient records of the patients table (not the identifier claims that share it)."""
    return [item for item in PatientModel.scan() if not item.patient_id.startswith("identifier#")]


def all_records() -> list[RecordModel]:
    """What the feed filed: every item of the records table but the organization's check-in forms
    and visit types, which seeding the demo organization writes there and no message touches, and
    the results' list summaries, which only repeat a result."""
    return [r for r in RecordModel.scan() if not r.patient_id.startswith(("checkin-forms#", "summaries#"))]


def find(org: str, authority: str, value: str):
    return wiring.container().patients.by_identifier(org, Identifier(authority, value))


def rid(sender: str, source_id: str, org: str = ORG) -> str:
    return result_id(wiring.container().record_id_key, org, sender, source_id)


@pytest.fixture
def lab_source(container) -> FeedSource:
    """The lab files for the demo organization; its bare identifiers are AMC medical record numbers."""
    source = FeedSource("LAB|AMC", ORG, "AMC-MRN")
    container.records.add_feed_source(source)
    container.records.add_feed_source(FeedSource("ADT|AMC", ORG, "AMC-MRN"))
    return source


def ana_oru(control: str = "CTRL-1", identifiers: str = "MRN-1001^^^AMC-MRN", **fields) -> str:
    """A result for the enrolled patient Ana Núñez (identity conftest's PATIENT), with her own name
    and birth date: a message that contradicts them is held as a possible mismatch."""
    return oru(control, identifiers, family="Núñez", birth="19840309", **fields)
