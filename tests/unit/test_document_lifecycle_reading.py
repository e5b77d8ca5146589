"""What a document message says about the document's life, as read (filing acts on it): MDM
trigger events, TXA-13 (parent), TXA-17 (completion), TXA-19 (availability); FHIR
DocumentReference status, docStatus and relatesTo."""

from __future__ import annotations

import base64
from datetime import datetime, timezone
from typing import Any

import pytest

from chalicelib.feeds.envelope import read_messages
from chalicelib.filing.documents import _order, _stale
from chalicelib.interop.fhir import read_fhir
from chalicelib.interop.hl7v2 import read_hl7
from chalicelib.records.domain import WITHDRAWN, Category, Coding, ResultReport, ResultStatus, StoredResult
from tests.conftest import SAMPLES_DIR


def mdm(event: str, *, parent: str = "", completion: str = "AU", availability: str = "", content: bool = True):
    body = "\r".join(
        [
            f"MSH|^~\\&|EHR|AMC|PORTAL|AMC|20261125090000||MDM^{event}^MDM_T02|C-1|P|2.5.1",
            "PID|1||MRN-1^^^AMC^MR||Doe^Jane",
            f"TXA|1|PN^Progress note|TX|20261125080000|||20261125085000|||||DOC-2^EHR|{parent}||||{completion}||{availability}",
            *(["OBX|1|TX|PN^Progress note||Text.||||||F"] if content else []),
        ]
    )
    [envelope] = read_messages(body.encode())
    [report] = read_hl7(envelope.text).results
    return report


@pytest.mark.parametrize(
    ("event", "relation"),
    [("T02", ""), ("T04", ""), ("T06", "appends"), ("T08", "replaces"), ("T10", "replaces")],
)
def test_the_trigger_and_the_parent_say_whether_it_is_an_addendum_or_a_new_version(event, relation):
    report = mdm(event, parent="DOC-1^EHR")
    assert (report.source_id, report.relation, report.parent_id) == (
        "DOC-2^EHR",
        relation,
        "DOC-1^EHR" if relation else "",
    )
    assert report.as_of == "2026-11-25T09:00:00" and report.hidden == ""


def test_an_edit_under_its_own_number_is_simply_its_next_version():
    report = mdm("T08", parent="DOC-2^EHR")
    assert (report.relation, report.parent_id) == ("", "")


@pytest.mark.parametrize(
    ("event", "completion", "availability", "hidden", "status"),
    [
        ("T11", "AU", "", "cancelled", ResultStatus.CANCELLED),
        ("T08", "AU", "CA", "cancelled", ResultStatus.CANCELLED),
        ("T02", "CA", "", "cancelled", ResultStatus.CANCELLED),
        ("T02", "AU", "UN", "unavailable", ResultStatus.FINAL),
        ("T02", "AU", "OB", "obsolete", ResultStatus.FINAL),
        ("T02", "IP", "AV", "draft", ResultStatus.PENDING),
        ("T02", "DI", "", "draft", ResultStatus.PENDING),
        ("T02", "IN", "", "draft", ResultStatus.PENDING),
        ("T02", "PA", "AV", "", ResultStatus.PRELIMINARY),
        ("T02", "LA", "AV", "", ResultStatus.FINAL),
    ],
)
def test_completion_and_availability_decide_what_the_patient_may_see(event, completion, availability, hidden, status):
    report = mdm(event, completion=completion, availability=availability)
    assert (report.hidden, report.status) == (hidden, status)


def test_a_notification_without_content_is_read_as_one():
    assert mdm("T03", content=False).has_content is False
    assert mdm("T04").has_content is True


def test_a_sample_whose_evn_disagrees_with_msh_9_is_read_by_msh_9():
    # MSH-9 says T02, EVN-1 T10, TXA-13 a parent: an original, as MSH-9 says
    [envelope] = read_messages((SAMPLES_DIR / "hl7v2" / "ms_MDM_T02_ED-pdf-empty_v2.8.hl7").read_bytes())
    [report] = read_hl7(envelope.text).results
    assert (report.relation, report.parent_id, report.hidden) == ("", "", "")


def reference(number: str, **extra) -> dict:
    return {
        "resourceType": "DocumentReference",
        "id": number.lower(),
        "identifier": [{"system": "urn:oid:1.2.3", "value": number}],
        "status": "current",
        "subject": {"reference": "Patient/p1"},
        "content": [{"attachment": {"contentType": "text/plain", "data": base64.b64encode(b"Text.").decode()}}],
        **extra,
    }


def read_reference(resource: dict, *others: dict) -> ResultReport:
    patient = {"resourceType": "Patient", "id": "p1", "identifier": [{"system": "urn:mrn", "value": "1"}]}
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": "2026-11-25T09:00:00Z",
        "entry": [{"fullUrl": f"urn:uuid:{n}", "resource": r} for n, r in enumerate([patient, resource, *others])],
    }
    [message] = read_fhir(bundle)
    return next(r for r in message.results if r.source_id == resource["identifier"][0]["value"])


@pytest.mark.parametrize(
    ("code", "relation"), [("replaces", "replaces"), ("transforms", "replaces"), ("appends", "appends"), ("signs", "")]
)
def test_relates_to_names_the_document_by_its_identifier(code, relation):
    report = read_reference(
        reference(
            "N-2", relatesTo=[{"code": code, "target": {"identifier": {"system": "urn:oid:1.2.3", "value": "N-1"}}}]
        )
    )
    assert (report.relation, report.parent_id) == (relation, "N-1" if relation else "")
    assert report.as_of == "2026-11-25T09:00:00Z"  # the Bundle's timestamp, without meta.lastUpdated


def test_relates_to_a_document_in_the_same_bundle_uses_that_documents_own_id():
    original = reference("N-1")
    report = read_reference(
        reference("N-2", relatesTo=[{"code": "replaces", "target": {"reference": "DocumentReference/n-1"}}]), original
    )
    assert (report.relation, report.parent_id) == ("replaces", "N-1")


@pytest.mark.parametrize(
    ("status", "doc_status", "hidden", "shown_as"),
    [
        ("entered-in-error", "final", "cancelled", ResultStatus.CANCELLED),
        ("current", "entered-in-error", "cancelled", ResultStatus.CANCELLED),
        ("superseded", "final", "obsolete", ResultStatus.FINAL),
        ("current", "amended", "", ResultStatus.CORRECTED),
        ("current", "preliminary", "", ResultStatus.PRELIMINARY),
    ],
)
def test_fhir_status_and_doc_status(status, doc_status, hidden, shown_as):
    report = read_reference(reference("N-1", status=status, docStatus=doc_status))
    assert (report.hidden, report.status) == (hidden, shown_as)


# -- filing's order of versions ---------------------------------------------------------------------

FILED = datetime(2026, 11, 25, 10, tzinfo=timezone.utc)


def stored_result(status: str = "final", content: dict[str, Any] | None = None) -> StoredResult:
    return StoredResult(
        "p", "d", 1, "document:note", status, "", content or {}, "org", "m", FILED, FILED, kind="document"
    )


def incoming(reported_at: str = "", as_of: str = "", hidden: str = "") -> ResultReport:
    return ResultReport(
        source_id="D",
        code=Coding(),
        category=Category.OTHER,
        status=ResultStatus.FINAL,
        reported_at=reported_at,
        as_of=as_of,
        hidden=hidden,
    )


def test_versions_are_ordered_by_the_documents_time_then_by_when_the_message_was_sent():
    stored = {"reported_at": "2026-11-25T09:00:00", "as_of": "2026-11-25T09:30:00"}
    assert _order(incoming("2026-11-25T10:00:00", "2026-11-25T08:00:00"), stored) == 1
    assert _order(incoming("2026-11-25T09:00:00", "2026-11-25T08:00:00"), stored) == -1
    assert _order(incoming("2026-11-25T09:00:00", "2026-11-25T09:30:00"), stored) == 0
    assert _order(incoming("", ""), stored) == 0


def test_a_cancelled_document_only_comes_back_with_a_message_dated_after_the_cancel():
    cancelled = stored_result(
        status=WITHDRAWN, content={"hidden": "cancelled", "reported_at": None, "as_of": "2026-11-25T09:30:00"}
    )
    assert _stale(incoming(as_of="2026-11-25T09:30:00"), "", cancelled)  # a replay at the same time
    assert _stale(incoming(), "", cancelled)  # no time to tell: stays cancelled
    assert not _stale(incoming(as_of="2026-11-25T10:00:00"), "", cancelled)
    draft = stored_result(status=WITHDRAWN, content={"hidden": "draft", "as_of": "2026-11-25T09:30:00"})
    assert not _stale(incoming(as_of="2026-11-25T09:30:00"), "", draft)  # a draft is no cancel


def test_obsolete_after_a_replacement_changes_nothing():
    # (an edit after the replacement makes the current version "updated": still replaced)
    replaced = stored_result(content={"revision": "updated", "replaced": True})
    assert _stale(incoming(), "obsolete", replaced)
    assert not _stale(incoming(), "obsolete", stored_result(content={"revision": None, "replaced": False}))
