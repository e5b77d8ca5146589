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


SHOE_SIZE = {
    "resourceType": "Questionnaire",
    "status": "active",
    "item": [{"linkId": "shoe-size", "text": "Your shoe size", "type": "integer", "required": True}],
}


def sign_unsigned(api, patient_id: str, appointment_id: str, token: str) -> None:
    check_in = call(api, "GET", path(patient_id, appointment_id), token=token).json_body
    for form in check_in["forms"]:
        if form["signed"] is None:
            body = {"version": form["version"], "sha256": form["sha256"], "typed_name": "Ana Núñez", "agree": True}
            answer = call(api, "POST", path(patient_id, appointment_id, f"forms/{form['form_id']}/sign"), body, token)
            assert answer.status_code == 201, answer.json_body


def change_the_visit_type(api, admin_token: str) -> dict:
    """An admin changes what the visit's type asks (these visits have no type of their own: the
    organization's "*" applies) to one other form and another question."""
    photo = new_form(api, admin_token, "Consent to photography")
    answer = put_visit_type(api, admin_token, "any-visit", "*", [photo["form_id"]], SHOE_SIZE)
    assert answer.status_code == 200, answer.json_body
    return photo


class TestACheckInKeepsWhatItWasDoneAgainst:
    def test_a_completed_check_in_still_shows_the_questions_answered_and_the_forms_signed_after_the_visit_type_changes(
        self, clock, feed, ana, seeded, staff_token, admin
    ):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        call(seeded, "POST", path(patient_id, appointment_id, "details"), {"confirmed": True}, token)
        call(seeded, "POST", path(patient_id, appointment_id, "answers"), {"answers": GOOD_ANSWERS}, token)
        sign_all(seeded, patient_id, appointment_id, token)
        done = call(seeded, "POST", path(patient_id, appointment_id, "complete"), token=token)
        assert done.status_code == 200, done.json_body

        change_the_visit_type(seeded, admin)

        staff_path = f"/v1/staff/patients/{patient_id}/appointments/{appointment_id}/check-in"
        for check_in in (
            call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body,
            call(seeded, "GET", staff_path, token=staff_token).json_body,
        ):
            assert check_in["state"] == "completed"
            assert [i["link_id"] for i in check_in["questionnaire"]["items"]] == ["reason", "allergies-changed", "pain"]
            assert check_in["answers"] == GOOD_ANSWERS
            assert [f["title"] for f in check_in["forms"]] == ["Consent to treat", "Notice of privacy practices"]
            assert all(f["signed"] and f["signed"]["signed_name"] == "Ana Núñez" for f in check_in["forms"])
            assert check_in["forms"] == done.json_body["forms"]
            assert check_in["steps"] == {"details": True, "questionnaire": True, "forms": True}
        [visit] = staff_day(seeded, staff_token, local_day(clock.now() + timedelta(days=2)))
        assert (visit["check_in"]["forms_signed"], visit["check_in"]["forms_required"]) == (2, 2)

    def test_a_check_in_under_way_keeps_its_answers_and_signed_forms_and_asks_only_the_new_form(
        self, clock, feed, ana, seeded, admin
    ):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        call(seeded, "POST", path(patient_id, appointment_id, "details"), {"confirmed": True}, token)
        call(seeded, "POST", path(patient_id, appointment_id, "answers"), {"answers": GOOD_ANSWERS}, token)
        sign_all(seeded, patient_id, appointment_id, token)

        photo = change_the_visit_type(seeded, admin)

        check_in = call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body
        assert [i["link_id"] for i in check_in["questionnaire"]["items"]] == ["reason", "allergies-changed", "pain"]
        assert [(f["title"], f["signed"] is not None) for f in check_in["forms"]] == [
            ("Consent to photography", False),
            ("Consent to treat", True),
            ("Notice of privacy practices", True),
        ]
        assert check_in["steps"] == {"details": True, "questionnaire": True, "forms": False}
        # answering again is checked against the questions answered, not the new ones
        again = call(seeded, "POST", path(patient_id, appointment_id, "answers"), {"answers": GOOD_ANSWERS}, token)
        assert again.status_code == 200, again.json_body

        sign_unsigned(seeded, patient_id, appointment_id, token)  # (the photography consent)
        done = call(seeded, "POST", path(patient_id, appointment_id, "complete"), token=token)

        assert done.status_code == 200, done.json_body
        assert [f["form_id"] for f in done.json_body["forms"]][0] == photo["form_id"]
        assert all(f["signed"] for f in done.json_body["forms"]) and len(done.json_body["forms"]) == 3
