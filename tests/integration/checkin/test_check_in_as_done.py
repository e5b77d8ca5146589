"""What a patient did at check-in stays as they did it, and only they can do it: a typed name
other than the patient's own signs nothing; "Something changed" with nothing filled in is not
taken for a confirmation; and a check-in finished before an admin changed the visit type keeps
the questionnaire answered and the forms signed."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.checkin.test_check_in import GOOD_ANSWERS, local_day, path, sign_all, staff_day, visit_in
from tests.integration.checkin_forms.conftest import admin, new_form, put_visit_type  # noqa: F401  (fixtures)
from tests.integration.identity.conftest import call, enrolled, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.outbound.test_outbound_producer import on_queue
from tests.integration.records.test_health_summary import amy, ehr, siu  # noqa: F401  (fixtures)
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

NOT_THE_NAME = "Type your full name as your clinic has it on record."


def signed_form_events(container) -> list[dict]:
    return [m for m in on_queue(container) if m["MessageAttributes"]["kind"]["StringValue"] == "signed-form"]


class TestTheTypedName:
    def test_another_persons_name_signs_nothing_and_the_error_names_typed_name(
        self, clock, feed, ana, seeded, container
    ):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        form = call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body["forms"][0]
        body = {"version": form["version"], "sha256": form["sha256"], "typed_name": "Someone Else", "agree": True}

        answer = call(seeded, "POST", path(patient_id, appointment_id, f"forms/{form['form_id']}/sign"), body, token)

        assert answer.status_code == 400, answer.json_body
        assert answer.json_body["error"]["details"] == [{"field": "typed_name", "issue": NOT_THE_NAME}]
        assert "Núñez" not in str(answer.json_body)  # the record's name is never told
        check_in = call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body
        assert check_in["forms"][0]["signed"] is None
        documents = call(seeded, "GET", f"/v1/patients/{patient_id}/documents", token=token).json_body
        assert "Signed form" not in str(documents)
        assert signed_form_events(container) == []

    def test_her_own_name_without_accents_or_in_capitals_signs(self, clock, feed, ana, seeded):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        form = call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body["forms"][0]
        body = {"version": form["version"], "sha256": form["sha256"], "typed_name": "ANA NUNEZ", "agree": True}

        answer = call(seeded, "POST", path(patient_id, appointment_id, f"forms/{form['form_id']}/sign"), body, token)

        assert answer.status_code == 201, answer.json_body
        assert answer.json_body["signed_name"] == "ANA NUNEZ"


class TestSomethingChangedWithNothingFilledIn:
    def test_is_refused_naming_changes_and_confirms_nothing(self, clock, feed, ana, seeded, staff_token):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        empty = {"address": "", "phone": None, "email": "  ", "insurance": None, "note": ""}

        answer = call(
            seeded, "POST", path(patient_id, appointment_id, "details"), {"confirmed": True, "changes": empty}, token
        )

        assert answer.status_code == 400, answer.json_body
        assert answer.json_body["error"]["details"] == [
            {"field": "changes", "issue": "Fill in at least one change, or confirm your details."}
        ]
        details = call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body["details"]
        assert details["confirmed_at"] is None and details["change_requested"] is False
        worklist = call(seeded, "GET", "/v1/staff/worklist", token=staff_token).json_body["items"]
        assert [i for i in worklist if i["task"] == "review_details_change"] == []
