"""What keeps a record on the right chart and a held result held, whatever the feeds send: a FHIR
Patient id reused for another person, an A40 merge of an enrolled patient, a critical result the
lab withdraws, a file the sender labels as a web page."""

from __future__ import annotations

import base64
import urllib.parse
from datetime import datetime, timezone

from chalicelib import wiring
from chalicelib.release.policy import HELD_UNTIL
from tests.integration.identity.conftest import call, enrolled, seeded, sign_in, staff_token  # noqa: F401
from tests.integration.records.conftest import ORG, feed_records, find, rid
from tests.integration.records.test_health_summary import SYSTEM, amy, ehr, patient_resource, send  # noqa: F401
from tests.integration.test_patient_results import SENDER, ana, feed, oru  # noqa: F401  (fixtures)
from tests.integration.test_release_policy import set_policy


def test_a_fhir_patient_id_reused_for_another_person_is_quarantined_not_merged(ehr):
    first = patient_resource()
    first["id"] = "1"
    assert send(ehr, first).status == "filed"
    amy_before = find(ORG, SYSTEM, "1032702")

    # the sender reuses Patient/1 for somebody else, with another record number
    other = patient_resource()
    other.update(
        id="1", identifier=[{"system": SYSTEM, "value": "999999"}], name=[{"family": "Other", "given": ["Bob"]}]
    )
    record = send(ehr, other)

    assert record.status == "quarantined" and "Patient id" in record.reason and "999999" not in record.reason
    amy_after = find(ORG, SYSTEM, "1032702")
    assert (amy_after.family_name, amy_after.identifiers) == (amy_before.family_name, amy_before.identifiers)
    assert find(ORG, SYSTEM, "999999") is None


def test_after_an_a40_a_staff_hold_also_holds_the_merged_records_copy(feed, ana, seeded, staff_token):
    # GIVEN Ana (enrolled on MRN-1001) has a pathology result waiting an hour
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": 3600})
    feed(oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN"))
    # ... WHEN her record is merged into another one (MRN-2002), and staff hold the result
    feed(
        "\r".join(
            [
                "MSH|^~\\&|LAB|AMC|||20261125090000||ADT^A04|a-1|P|2.5.1",
                "PID|1||MRN-2002^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
            ]
        ),
        "\r".join(
            [
                "MSH|^~\\&|LAB|AMC|||20261125091000||ADT^A40^ADT_A39|a-2|P|2.5.1",
                "EVN|A40|20261125091000",
                "PID|1||MRN-2002^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
                "MRG|MRN-1001^^^AMC-MRN",
            ]
        ),
    )
    survivor = find("albany-medical-center", "AMC-MRN", "MRN-2002")
    assert survivor.patient_id != patient_id
    held = call(
        seeded,
        "POST",
        f"/v1/staff/results/{rid(SENDER, 'ORD-1^LAB', 'albany-medical-center')}/hold",
        {"reason": "harm_exception"},
        staff_token,
    )

    # THEN both copies are held: her own account does not see it when the hour is over
    assert held.status_code == 200, held.json_body
    records = wiring.container().records
    result_id = rid(SENDER, "ORD-1^LAB", "albany-medical-center")
    assert records.current(patient_id, result_id).release_at == HELD_UNTIL
    assert records.current(survivor.patient_id, result_id).release_at == HELD_UNTIL
    later = datetime(2030, 1, 1, tzinfo=timezone.utc)
    assert records.page(patient_id, "", later, 20)[0] == []


def test_a_withdrawn_critical_result_takes_its_call_off_the_worklist(feed, ana, seeded, staff_token):
    feed(oru("c-1", "ORD-1", "600", flags="HH"))
    [item] = call(seeded, "GET", "/v1/staff/worklist", token=staff_token).json_body["items"]
    assert item["task"] == "call_patient"

    feed(oru("c-2", "ORD-1", "600", status="X", flags="HH"))  # the lab cancels the result

    assert call(seeded, "GET", "/v1/staff/worklist", token=staff_token).json_body["items"] == []
    assert {r.status for r in feed_records().values()} == {"filed"}


def test_a_file_labelled_as_a_web_page_is_downloaded_never_shown(feed, ana, seeded):
    patient_id, token = ana
    page = b"<html><script>alert(1)</script></html>"
    feed(
        "\r".join(
            [
                "MSH|^~\\&|LAB|AMC|||20261125090000||MDM^T02|d-1|P|2.5.1",
                "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
                "TXA|1|PN^Progress note|TX|20261125080000|||||^Okoro^Grace|||DOC-1^EHR|||||AU",
                "OBX|1|ED|PN^Progress note||^text^html^Base64^" + base64.b64encode(page).decode() + "||||||F",
            ]
        )
    )
    [document] = call(seeded, "GET", f"/v1/patients/{patient_id}/documents", token=token).json_body["documents"]
    link = call(seeded, "GET", f"/v1/patients/{patient_id}/documents/{document['document_id']}/content", token=token)

    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.headers["Location"]).query)
    assert query["response-content-disposition"] == ["attachment"]
    assert query["response-content-type"] == ["application/octet-stream"]
    assert query["response-cache-control"] == ["no-store"]  # a patient file stays out of every cache


def test_after_an_a40_staff_move_the_portal_account_to_the_surviving_record(feed, ana, seeded, staff_token):
    # GIVEN Ana is enrolled on MRN-1001 and has a result there
    patient_id, token = ana
    feed(oru("c-1", "ORD-1", "85"))
    # WHEN the EHR merges MRN-1001 into a record under MRN-2002
    feed(
        "\r".join(
            [
                "MSH|^~\\&|LAB|AMC|||20261125090000||ADT^A04|a-1|P|2.5.1",
                "PID|1||MRN-2002^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
            ]
        ),
        "\r".join(
            [
                "MSH|^~\\&|LAB|AMC|||20261125091000||ADT^A40^ADT_A39|a-2|P|2.5.1",
                "EVN|A40|20261125091000",
                "PID|1||MRN-2002^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
                "MRG|MRN-1001^^^AMC-MRN",
            ]
        ),
    )
    survivor = find("albany-medical-center", "AMC-MRN", "MRN-2002")

    # THEN staff see that her record was merged, with her account still on it
    status = call(seeded, "GET", f"/v1/staff/patients/{patient_id}", token=staff_token).json_body
    assert (status["merged_into"], status["account"]["username"]) == (survivor.patient_id, "ana.nunez")
    # AND are asked to move her account, and do
    [item] = call(seeded, "GET", "/v1/staff/worklist", token=staff_token).json_body["items"]
    assert (item["task"], item["patient"]["patient_id"]) == ("move_portal_account", patient_id)
    moved = call(
        seeded, "POST", f"/v1/staff/patients/{patient_id}/portal-access", {"action": "follow_merge"}, staff_token
    )
    assert moved.status_code == 200, moved.json_body
    assert (moved.json_body["patient_id"], moved.json_body["sessions_ended"]) == (survivor.patient_id, 1)
    again = call(
        seeded, "POST", f"/v1/staff/patients/{patient_id}/portal-access", {"action": "follow_merge"}, staff_token
    )
    assert again.status_code == 409  # moved already: nobody's sessions end twice
    assert call(seeded, "GET", "/v1/staff/worklist", token=staff_token).json_body["items"] == []  # done
    assert call(seeded, "GET", "/v1/me", token=token).status_code == 401  # her old session ended
    # AND signed in again she reads the surviving record: what was merged and what comes next
    token = sign_in(seeded, "ana.nunez", "correct horse battery")
    feed(oru("c-2", "ORD-2", "7.1", mrn="MRN-2002", section="HM", test="718-7^Hemoglobin^LN"))
    shown = call(seeded, "GET", f"/v1/patients/{survivor.patient_id}/results", token=token).json_body["results"]
    assert sorted(r["name"] for r in shown) == ["Glucose", "Hemoglobin"]
    me = call(seeded, "GET", "/v1/me", token=token).json_body
    assert me["patient"]["patient_id"] == survivor.patient_id
    assert call(seeded, "GET", f"/v1/patients/{patient_id}/results", token=token).status_code == 404
    assert wiring.container().patients.get(survivor.patient_id).account_id
    assert not wiring.container().patients.get(patient_id).account_id


def test_follow_merge_is_refused_for_a_record_that_was_not_merged(ana, seeded, staff_token):
    patient_id, _ = ana
    status = call(seeded, "GET", f"/v1/staff/patients/{patient_id}", token=staff_token).json_body
    assert status["merged_into"] is None  # so staff are not offered the move
    answer = call(
        seeded, "POST", f"/v1/staff/patients/{patient_id}/portal-access", {"action": "follow_merge"}, staff_token
    )
    assert answer.status_code == 409 and "not merged" in answer.json_body["error"]["message"]


def test_staff_name_a_patient_by_id_or_by_record_number_not_both(ana, seeded, staff_token):
    patient_id, _ = ana
    both = call(
        seeded,
        "POST",
        "/v1/staff/invitations",
        {"patient_id": patient_id, "mrn": "MRN-1001", "email": "ana@example.org"},
        staff_token,
    )
    not_text = call(seeded, "POST", "/v1/staff/patients/search", {"mrn": 5}, staff_token)

    assert both.status_code == 400 and "not both" in both.json_body["error"]["message"]
    assert not_text.status_code == 400
