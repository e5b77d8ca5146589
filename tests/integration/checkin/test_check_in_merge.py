"""After an A40 merges the record a patient checked in on into another, the survivor's check-in is
the one she made: her answers, her signed forms (each still one of her documents and downloadable),
the visit on staff's day list under the survivor, and the visit's reminders set for the survivor."""

from __future__ import annotations

from datetime import timedelta

from chalicelib import wiring
from chalicelib.patients.domain import Identifier
from tests.integration.checkin.test_check_in import GOOD_ANSWERS, local_day, path, sign_all, staff_day, visit_in
from tests.integration.identity.conftest import call, enrolled, seeded, sign_in, staff_token  # noqa: F401
from tests.integration.records.test_health_summary import amy, ehr, siu  # noqa: F401  (fixtures)
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

ORGANIZATION = "albany-medical-center"


def merge_into_mrn_2002(control: str) -> tuple[str, str]:
    return (
        "\r".join(
            [
                f"MSH|^~\\&|LAB|AMC|||20261125090000||ADT^A04|{control}-a|P|2.5.1",
                "PID|1||MRN-2002^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
            ]
        ),
        "\r".join(
            [
                f"MSH|^~\\&|LAB|AMC|||20261125091000||ADT^A40^ADT_A39|{control}-b|P|2.5.1",
                "EVN|A40|20261125091000",
                "PID|1||MRN-2002^^^AMC-MRN^MR||Núñez^Ana||19840309|F",
                "MRG|MRN-1001^^^AMC-MRN",
            ]
        ),
    )


def test_the_survivors_check_in_shows_the_answers_and_signed_forms_and_staff_see_the_survivor(
    clock, feed, ana, seeded, staff_token
):
    # GIVEN Ana, on MRN-1001, checked in for a visit two days ahead: answered and signed both forms
    patient_id, token = ana
    appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
    assert call(seeded, "POST", path(patient_id, appointment_id, "answers"), {"answers": GOOD_ANSWERS}, token)
    sign_all(seeded, patient_id, appointment_id, token)
    signed = call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body
    documents = [f["signed"]["document_id"] for f in signed["forms"] if f.get("signed")]
    assert len(documents) == 2, signed["forms"]
    container = wiring.container()
    assert container.appointment_reminders.get(patient_id, appointment_id).timers

    # WHEN the EHR merges MRN-1001 into MRN-2002 (delivered twice), and staff move her account
    feed(*merge_into_mrn_2002("m-1"))
    feed(*merge_into_mrn_2002("m-2"))
    survivor = container.patients.by_identifier(ORGANIZATION, Identifier("AMC-MRN", "MRN-2002")).patient_id
    moved = call(
        seeded, "POST", f"/v1/staff/patients/{patient_id}/portal-access", {"action": "follow_merge"}, staff_token
    )
    assert moved.status_code == 200, moved.json_body
    token = sign_in(seeded, "ana.nunez", "correct horse battery")

    # THEN her check-in under the survivor is the one she made
    check_in = call(seeded, "GET", path(survivor, appointment_id), token=token)
    assert check_in.status_code == 200, check_in.json_body
    assert check_in.json_body["answers"] == GOOD_ANSWERS
    assert check_in.json_body["steps"]["questionnaire"] is True and check_in.json_body["steps"]["forms"] is True
    assert sorted(f["signed"]["document_id"] for f in check_in.json_body["forms"]) == sorted(documents)
    # AND each signed form opens, and is among her documents
    for document_id in documents:
        form = call(seeded, "GET", f"/v1/patients/{survivor}/signed-forms/{document_id}", token=token)
        assert form.status_code == 200, form.json_body
        assert form.json_body["download_url"]
    listed = call(seeded, "GET", f"/v1/patients/{survivor}/documents?type=signed-form", token=token).json_body
    assert sorted(d["document_id"] for d in listed["documents"]) == sorted(documents)
    # AND staff's day list names the survivor, with the check-in's progress
    [row] = staff_day(seeded, staff_token, local_day(clock.now() + timedelta(days=2)))
    assert row["patient"]["patient_id"] == survivor, row
    assert (row["check_in"]["forms_signed"], row["check_in"]["answered"]) == (2, True)
    # AND the visit's reminders are the survivor's: the merged record's timers are no longer named
    reminders = container.appointment_reminders.get(survivor, appointment_id)
    assert reminders is not None and reminders.timers and reminders.starts_at is not None
    assert container.appointment_reminders.get(patient_id, appointment_id).timers == ()
