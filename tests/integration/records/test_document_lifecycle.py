"""A document's life as senders tell it (MDM T01-T11, TXA-17 and TXA-19; FHIR DocumentReference
status, docStatus and relatesTo): an original, an addendum beside it, an edit or a replacement as
its next version (the earlier ones still there), and a cancel that takes it off the patient's
list and every link to it, whatever order the messages come in. In the styles of three vendors'
HL7 feeds (an Epic-style EHR, a Cerner-style EHR, a transcription system) and FHIR."""

from __future__ import annotations

import base64
import json
import urllib.parse

import boto3
import pytest

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from chalicelib.records.domain import WITHDRAWN
from tests.integration.conftest import sqs_event
from tests.integration.identity.conftest import call, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.conftest import ORG, QUEUE, feed_records, rid

ANA = "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F"


BUCKET: list[str] = []  # the documents bucket of the test's stack


@pytest.fixture
def ana(enrolled, seeded, container, aws):
    BUCKET[:] = [aws.physical["DocumentsBucket"]]
    for sender in ("EPIC|AMC", "CERNER|AMC", "DICTATE|AMC"):
        container.records.add_feed_source(FeedSource(sender, ORG, "AMC-MRN"))
    # (its system "AMC-MRN" is a local name: declared as the organization's record numbers)
    container.records.add_feed_source(FeedSource("ehr-fhir", ORG, authorities=(("AMC-MRN", "AMC-MRN"),)))
    return enrolled.patient_id, sign_in(seeded, "ana.nunez", "correct horse battery")


def send(api, *bodies: str, sender: str = "") -> None:
    """Each body through the real feed handler, one delivery each (in the order given)."""
    for body in bodies:
        event = sqs_event(api, [body], QUEUE, group_id="G", attributes={"sender": sender} if sender else None)
        assert api.lambda_.invoke("on_clinical_feed_message", event).payload == {"batchItemFailures": []}


# -- three vendors' ways of writing an MDM -----------------------------------------------------------


def epic(
    event: str,
    control: str,
    number: str,
    text: str,
    *,
    parent: str = "",
    when: str = "20261125090000",
    availability: str = "AV",
) -> str:
    """MSH-9 with its structure, EVN, PV1; TXA-12/13 with the system's namespace, TXA-22 signed
    with the time in its 15th component; the note as TX lines."""
    signed = f"1234^Okoro^Grace^^^^^^^^^^^^{when}"
    return "\r".join(
        [
            f"MSH|^~\\&|EPIC|AMC|PORTAL|AMC|{when}||MDM^{event}^MDM_T02|{control}|P|2.5.1",
            f"EVN|{event}|{when}",
            ANA,
            "PV1|1|O|||||||||||||||||V-100",
            f"TXA|1|PN^Progress note|TX|20261125080000|1234^Okoro^Grace||{when}|||||{number}^EPIC|"
            f"{parent + '^EPIC' if parent else ''}||||AU||{availability}|||{signed}",
            *(f"OBX|{n}|TX|PN^Progress note||{line}||||||F" for n, line in enumerate(text.split("~"), 1) if text),
        ]
    )


def cerner(
    event: str, control: str, number: str, text: str, *, completion: str = "AU", sent: str = "20261125090000"
) -> str:
    """MSH-9 without a structure, no PV1; TXA-12 a bare event id, TXA-17 and TXA-19 both set,
    no time in TXA-22 (versions are told apart by MSH-7); the note as FT with line breaks."""
    return "\r".join(
        [
            f"MSH|^~\\&|CERNER|AMC|PORTAL|AMC|{sent}||MDM^{event}|{control}|P|2.3",
            ANA,
            f"TXA|1|DS^Discharge Summary|FT|20261124170000||||||||{number}|||||{completion}||AV",
            *([f"OBX|1|FT|DS^Discharge Summary||{text}||||||F"] if text else []),
        ]
    )


PDF_1 = b"%PDF-1.4 operative report, first dictation"
PDF_2 = b"%PDF-1.4 operative report, corrected laterality"


def dictation(
    trigger: str, control: str, number: str, pdf: bytes | None, *, parent: str = "", when: str = "20261125100000"
) -> str:
    """A transcription system: HL7 2.4, MSH-9 without a structure, EVN-1 repeating the trigger;
    TXA-12 and TXA-13 bare numbers; the report an embedded PDF, legally authenticated."""
    return "\r".join(
        [
            f"MSH|^~\\&|DICTATE|AMC|PORTAL|AMC|{when}||MDM^{trigger}|{control}|P|2.4",
            f"EVN|{trigger}|{when}",
            ANA,
            f"TXA|1|OP^Operative report|AP|20261125070000|||{when}|||||{number}|{parent}||||LA||AV",
            *(
                [f"OBX|1|ED|OP^Operative report||^application^pdf^Base64^{base64.b64encode(pdf).decode()}||||||F"]
                if pdf is not None
                else []
            ),
        ]
    )


# -- what the patient sees ---------------------------------------------------------------------------


def listed(api, patient_id: str, token: str) -> list[dict]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/documents", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["documents"]


def opened(api, path: str, token: str) -> bytes:
    """The bytes a content link hands out (fetched from storage as a browser would)."""
    answer = call(api, "GET", path, token=token)
    assert answer.status_code == 200, answer.json_body
    key = urllib.parse.unquote(urllib.parse.urlsplit(answer.json_body["url"]).path).lstrip("/")
    return boto3.client("s3").get_object(Bucket=BUCKET[0], Key=key.removeprefix(f"{BUCKET[0]}/"))["Body"].read()


def gone(api, patient_id: str, token: str, document_id: str) -> None:
    """Nothing of the document answers: not its detail, its file, its link nor an earlier version's."""
    base = f"/v1/patients/{patient_id}/documents/{document_id}"
    for path in (base, f"{base}/content", f"{base}/content-link", f"{base}/versions/1/content-link"):
        assert call(api, "GET", path, token=token).status_code == 404, path


def filed_events(patient_id: str) -> list[str]:
    events, _ = wiring.container().audit_log.for_patient(patient_id, 50)
    return [e.reason for e in events if e.event_type == "records.filed"]


# -- an addendum -----------------------------------------------------------------------------------


def test_an_addendum_is_shown_beside_its_document_and_labelled_as_one(ana, seeded):
    patient_id, token = ana
    send(seeded, epic("T02", "e-1", "DOC-1", "Knee pain improving.~Continue physiotherapy."))
    send(
        seeded,
        epic("T06", "e-2", "DOC-1A", "Addendum: X-ray reviewed, no fracture.", parent="DOC-1", when="20261125110000"),
    )

    addendum, original = listed(seeded, patient_id, token)  # newest first

    assert (original["version"], original["addendum_to"], original["revision"]) == (1, None, None)
    assert addendum["addendum_to"] == original["document_id"]
    assert addendum["addendum_to_title"] == "Progress note"
    assert opened(seeded, f"/v1/patients/{patient_id}/documents/{addendum['document_id']}/content-link", token) == (
        b"Addendum: X-ray reviewed, no fracture."
    )
    # the original is unchanged, and its page names its addendum
    assert opened(seeded, f"/v1/patients/{patient_id}/documents/{original['document_id']}/content-link", token) == (
        b"Knee pain improving.\n\nContinue physiotherapy."
    )
    detail = call(seeded, "GET", f"/v1/patients/{patient_id}/documents/{original['document_id']}", token=token)
    assert detail.status_code == 200, detail.json_body
    assert [a["document_id"] for a in detail.json_body["addenda"]] == [addendum["document_id"]]
    assert detail.json_body["earlier_versions"] == []

    # the document cancelled (entered in error), its addendum goes with it
    send(seeded, epic("T11", "e-3", "DOC-1", "", when="20261125120000", availability="CA"))
    assert listed(seeded, patient_id, token) == []
    gone(seeded, patient_id, token, original["document_id"])
    gone(seeded, patient_id, token, addendum["document_id"])


# -- an edit and a replacement -----------------------------------------------------------------------


def test_a_replacement_is_the_next_version_and_the_earlier_one_stays_readable(ana, seeded):
    patient_id, token = ana
    send(seeded, dictation("T02", "t-1", "OP-77", PDF_1))
    send(seeded, dictation("T10", "t-2", "OP-78", PDF_2, parent="OP-77", when="20261125120000"))

    [document] = listed(seeded, patient_id, token)

    assert (document["version"], document["revision"], document["title"]) == (2, "replacement", "Operative report")
    base = f"/v1/patients/{patient_id}/documents/{document['document_id']}"
    assert opened(seeded, f"{base}/content-link", token) == PDF_2
    detail = call(seeded, "GET", base, token=token).json_body
    [earlier] = detail["earlier_versions"]
    assert (earlier["version"], earlier["content_type"], earlier["size"]) == (1, "application/pdf", len(PDF_1))
    assert opened(seeded, f"{base}/versions/1/content-link", token) == PDF_1
    assert (
        call(seeded, "GET", f"{base}/versions/2/content-link", token=token).status_code == 404
    )  # current, not earlier
    events, _ = wiring.container().audit_log.for_patient(patient_id, 5)
    assert (events[0].event_type, events[0].reason) == ("document.read", "version:1")

    # the replacement's own number now names the same document: its cancel withdraws it
    send(seeded, dictation("T11", "t-3", "OP-78", None, when="20261125130000"))
    assert listed(seeded, patient_id, token) == []
    gone(seeded, patient_id, token, document["document_id"])


def test_an_edit_under_the_same_number_is_a_new_version_labelled_updated(ana, seeded):
    patient_id, token = ana
    send(seeded, epic("T02", "e-1", "DOC-2", "Blood pressure 150/95."))
    send(seeded, epic("T08", "e-2", "DOC-2", "Blood pressure 135/85 on repeat.", when="20261125100000"))

    [document] = listed(seeded, patient_id, token)

    assert (document["version"], document["revision"]) == (2, "updated")
    base = f"/v1/patients/{patient_id}/documents/{document['document_id']}"
    assert opened(seeded, f"{base}/content-link", token) == b"Blood pressure 135/85 on repeat."
    assert opened(seeded, f"{base}/versions/1/content-link", token) == b"Blood pressure 150/95."


# -- a cancel ------------------------------------------------------------------------------------


def test_a_cancel_takes_the_document_off_the_list_and_every_link(ana, seeded, staff_token):
    patient_id, token = ana
    send(seeded, cerner("T02", "c-1", "99120034", "Discharged home.\\.br\\Follow up in a week."))
    [document] = listed(seeded, patient_id, token)
    assert opened(seeded, f"/v1/patients/{patient_id}/documents/{document['document_id']}/content-link", token) == (
        b"Discharged home.\nFollow up in a week."
    )

    send(seeded, cerner("T11", "c-2", "99120034", "", sent="20261125093000"))

    assert listed(seeded, patient_id, token) == []
    gone(seeded, patient_id, token, document["document_id"])
    stored = wiring.container().records.current(patient_id, document["document_id"], kind="document")
    assert (stored.status, stored.content["hidden"], stored.object_key) == (WITHDRAWN, "cancelled", "")
    # staff no longer see it to hold or release; the patient's access log shows one filing, not two
    staff_view = call(seeded, "GET", f"/v1/staff/patients/{patient_id}/results", token=staff_token).json_body
    assert staff_view["documents"] == []
    assert filed_events(patient_id) == ["count:1"]
    assert feed_records()["CERNER|AMC|c-2"].status == "filed"


def test_availability_deleted_on_an_edit_cancels_and_unavailable_hides_until_available(ana, seeded):
    patient_id, token = ana
    send(seeded, epic("T02", "e-1", "DOC-3", "Rash on the left arm."))
    send(seeded, epic("T08", "e-2", "DOC-3", "Rash on the left arm.", when="20261125100000", availability="UN"))
    assert listed(seeded, patient_id, token) == []  # unavailable for patient care: not shown

    send(seeded, epic("T04", "e-3", "DOC-3", "Rash on the left arm, resolving.", when="20261125110000"))
    [document] = listed(seeded, patient_id, token)
    assert document["version"] == 3

    send(
        seeded,
        epic("T08", "e-4", "DOC-3", "Rash on the left arm, resolving.", when="20261125120000", availability="CA"),
    )
    assert listed(seeded, patient_id, token) == []
    gone(seeded, patient_id, token, document["document_id"])


def test_a_draft_is_never_shown_and_its_signed_version_is(ana, seeded):
    patient_id, token = ana
    send(seeded, cerner("T02", "c-1", "99120040", "Draft discharge summary.", completion="IP"))
    assert listed(seeded, patient_id, token) == []
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"] == []

    # a status change without the document: authenticated, the filed text is shown
    send(seeded, cerner("T03", "c-2", "99120040", "", completion="AU", sent="20261125100000"))

    [document] = listed(seeded, patient_id, token)
    assert (document["status"], document["revision"]) == ("final", None)  # the patient never saw the draft
    assert opened(seeded, f"/v1/patients/{patient_id}/documents/{document['document_id']}/content-link", token) == (
        b"Draft discharge summary."
    )
    detail = call(seeded, "GET", f"/v1/patients/{patient_id}/documents/{document['document_id']}", token=token)
    assert detail.json_body["earlier_versions"] == []  # the draft is not an earlier version to read


def test_a_notification_without_the_document_shows_nothing(ana, seeded):
    patient_id, token = ana
    send(seeded, dictation("T01", "t-1", "OP-90", None))
    assert listed(seeded, patient_id, token) == []
    assert filed_events(patient_id) == []
    send(seeded, dictation("T04", "t-2", "OP-90", PDF_1, when="20261125110000"))
    [document] = listed(seeded, patient_id, token)
    assert (document["version"], document["size"]) == (2, len(PDF_1))


# -- out of order ----------------------------------------------------------------------------------


def test_a_cancel_before_its_original_keeps_it_away_and_a_replay_does_not_bring_it_back(ana, seeded):
    patient_id, token = ana
    # the cancel overtook the original (both say the same document time; MSH-7 orders them)
    send(seeded, cerner("T11", "c-2", "99120050", "", sent="20261125093000"))
    send(seeded, cerner("T02", "c-1", "99120050", "Wrong patient's summary."))

    assert listed(seeded, patient_id, token) == []
    document_id = rid("CERNER|AMC", "99120050")
    gone(seeded, patient_id, token, document_id)
    assert [v.status for v in wiring.container().records.versions(patient_id, document_id, kind="document")] == [
        WITHDRAWN
    ]
    assert feed_records()["CERNER|AMC|c-1"].status == "filed"  # filed: older than what the portal holds
    # nobody was told something new is waiting
    assert call(seeded, "GET", "/v1/me/notifications", token=token).json_body["notifications"] == []

    # an original replayed after its cancel, at the same times: still cancelled
    send(seeded, epic("T02", "e-1", "DOC-4", "Old note."), epic("T11", "e-2", "DOC-4", "", when="20261125100000"))
    send(seeded, epic("T02", "e-3", "DOC-4", "Old note."))
    assert listed(seeded, patient_id, token) == []

    # the sender issues it again, dated after the cancel: it is the document again
    send(seeded, epic("T02", "e-4", "DOC-4", "Reissued note.", when="20261125120000"))
    [document] = listed(seeded, patient_id, token)
    assert document["version"] == 3


def test_a_replacement_before_its_original_wins_over_the_late_original(ana, seeded):
    patient_id, token = ana
    send(seeded, dictation("T10", "t-2", "OP-81", PDF_2, parent="OP-80", when="20261125120000"))
    send(seeded, dictation("T02", "t-1", "OP-80", PDF_1))

    [document] = listed(seeded, patient_id, token)
    assert (document["version"], document["revision"]) == (1, "replacement")
    assert opened(seeded, f"/v1/patients/{patient_id}/documents/{document['document_id']}/content-link", token) == PDF_2


# -- FHIR ------------------------------------------------------------------------------------------


def reference(
    number: str,
    text: str,
    *,
    updated: str,
    status: str = "current",
    doc_status: str = "final",
    relates: dict | None = None,
) -> str:
    resource = {
        "resourceType": "DocumentReference",
        "id": number.lower(),
        "meta": {"lastUpdated": updated},
        "identifier": [{"system": "urn:oid:1.2.3.4", "value": number}],
        "status": status,
        "docStatus": doc_status,
        "type": {"coding": [{"system": "http://loinc.org", "code": "11506-3", "display": "Progress note"}]},
        "subject": {"identifier": {"system": "AMC-MRN", "value": "MRN-1001"}},
        "date": updated,
        "content": [{"attachment": {"contentType": "text/plain", "data": base64.b64encode(text.encode()).decode()}}],
    }
    if relates:
        resource["relatesTo"] = [relates]
    patient = {
        "resourceType": "Patient",
        "id": "ana",
        "identifier": [{"system": "AMC-MRN", "value": "MRN-1001"}],
        "name": [{"family": "Núñez", "given": ["Ana"]}],
    }
    return json.dumps(
        {
            "resourceType": "Bundle",
            "type": "collection",
            "entry": [
                {"fullUrl": "urn:uuid:6f7e1c6a-0000-4000-8000-000000000001", "resource": patient},
                {"fullUrl": f"urn:uuid:6f7e1c6a-0000-4000-8000-00000000{len(number):04d}", "resource": resource},
            ],
        }
    )


def test_a_fhir_replacement_is_a_new_version_and_entered_in_error_withdraws(ana, seeded):
    patient_id, token = ana
    send(seeded, reference("NOTE-1", "First text.", updated="2026-11-25T09:00:00Z"), sender="ehr-fhir")
    replaces = {"code": "replaces", "target": {"identifier": {"system": "urn:oid:1.2.3.4", "value": "NOTE-1"}}}
    send(
        seeded,
        reference("NOTE-2", "Replaced text.", updated="2026-11-25T10:00:00Z", relates=replaces),
        sender="ehr-fhir",
    )
    # the sender then marks the original superseded: the replacement stays the document
    send(
        seeded,
        reference("NOTE-1", "First text.", updated="2026-11-25T10:05:00Z", status="superseded"),
        sender="ehr-fhir",
    )

    [document] = listed(seeded, patient_id, token)
    assert (document["version"], document["revision"]) == (2, "replacement")
    assert opened(seeded, f"/v1/patients/{patient_id}/documents/{document['document_id']}/content-link", token) == (
        b"Replaced text."
    )

    # entered in error, named by the replacement's own identifier
    send(
        seeded,
        reference("NOTE-2", "Replaced text.", updated="2026-11-25T11:00:00Z", status="entered-in-error"),
        sender="ehr-fhir",
    )
    assert listed(seeded, patient_id, token) == []
    gone(seeded, patient_id, token, document["document_id"])


def test_a_fhir_addendum_appends_and_a_doc_status_entered_in_error_withdraws(ana, seeded):
    patient_id, token = ana
    send(seeded, reference("NOTE-5", "Visit note.", updated="2026-11-25T09:00:00Z"), sender="ehr-fhir")
    appends = {"code": "appends", "target": {"identifier": {"system": "urn:oid:1.2.3.4", "value": "NOTE-5"}}}
    send(seeded, reference("NOTE-6", "Late entry.", updated="2026-11-25T10:00:00Z", relates=appends), sender="ehr-fhir")

    addendum, original = listed(seeded, patient_id, token)
    assert (addendum["addendum_to"], addendum["addendum_to_title"]) == (original["document_id"], "Progress note")

    send(
        seeded,
        reference("NOTE-6", "Late entry.", updated="2026-11-25T11:00:00Z", doc_status="entered-in-error"),
        sender="ehr-fhir",
    )
    assert [d["document_id"] for d in listed(seeded, patient_id, token)] == [original["document_id"]]


# -- a release on its way --------------------------------------------------------------------------


def test_a_document_cancelled_while_it_waits_for_release_is_never_announced(timer_clock, ana, seeded, aws):
    from tests.integration.records.test_guarded_release import finished
    from tests.integration.test_release_policy import notifications, set_policy

    # GIVEN a discharge summary waiting an hour for its release, its timer running
    patient_id, token = ana
    set_policy(seeded, {"document:discharge-summary": 3600})
    send(seeded, cerner("T02", "c-1", "99120060", "Home today."))
    [waiting] = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]
    assert waiting["type"] == "discharge-summary"
    timer_clock.wait_for_waiting(1)

    # WHEN the sender cancels it, THEN it is no longer on its way, and its moment tells nobody
    send(seeded, cerner("T11", "c-2", "99120060", "", sent="20261125093000"))
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"] == []
    timer_clock.advance(seconds=3600)
    finished(aws)
    assert notifications(aws) == []
    token = sign_in(seeded, "ana.nunez", "correct horse battery")  # (an hour idle ended her session)
    assert listed(seeded, patient_id, token) == []
