"""A patient checks in for a visit the scheduling feed sent: confirms details (a change goes to
staff's worklist, never into the chart), answers the visit type's questionnaire (kept and sent as
a FHIR QuestionnaireResponse), signs the forms and finishes; staff see each visit of a day with
its check-in. The refusals hold: before the window opens, after the start, a cancelled visit,
another patient's visit."""

from __future__ import annotations

import json
from datetime import timedelta

from chalicelib.outbound import producer
from tests.integration.checkin_forms.conftest import admin, keyed  # noqa: F401  (fixtures)
from tests.integration.identity.conftest import call, enrolled, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.outbound.test_outbound_producer import on_queue, refuse_sends
from tests.integration.records.test_health_summary import amy, ehr, siu  # noqa: F401  (fixtures)
from tests.integration.test_appointments import NEW_YORK, hl7_time
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

GOOD_ANSWERS = [
    {"link_id": "reason", "value": "Knee pain when climbing stairs"},
    {"link_id": "allergies-changed", "value": False},
    {"link_id": "pain", "value": "4"},
]


def visit_in(api, feed, clock, patient_id: str, token: str, days: float, event: str = "S12") -> str:
    """An SIU booking ``days`` from now, filed through the real feed; its appointment id."""
    feed(siu(event, f"s-{event}-{days}", start=hl7_time(clock.now() + timedelta(days=days))))
    listed = call(api, "GET", f"/v1/patients/{patient_id}/appointments", token=token).json_body["appointments"]
    return listed[0]["id"]


def path(patient_id: str, appointment_id: str, step: str = "") -> str:
    return f"/v1/patients/{patient_id}/appointments/{appointment_id}/check-in" + (f"/{step}" if step else "")


def sign_all(api, patient_id: str, appointment_id: str, token: str) -> None:
    check_in = call(api, "GET", path(patient_id, appointment_id), token=token).json_body
    for form in check_in["forms"]:
        body = {"version": form["version"], "sha256": form["sha256"], "typed_name": "Ana Núñez", "agree": True}
        answer = call(api, "POST", path(patient_id, appointment_id, f"forms/{form['form_id']}/sign"), body, token)
        assert answer.status_code == 201, answer.json_body


def questionnaire_responses(container) -> list[dict]:
    return [
        json.loads(m["Body"])
        for m in on_queue(container)
        if m["MessageAttributes"]["kind"]["StringValue"] == "questionnaire-response"
    ]


def staff_day(api, token: str, day: str) -> list[dict]:
    answer = call(api, "GET", f"/v1/staff/check-ins?date={day}", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["visits"]


def local_day(moment) -> str:
    return f"{moment.astimezone(NEW_YORK):%Y-%m-%d}"


class TestThePatientsCheckIn:
    def test_two_days_ahead_the_check_in_is_open_with_the_details_questions_and_forms_to_do(
        self, clock, feed, ana, seeded
    ):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)

        answer = call(seeded, "GET", path(patient_id, appointment_id), token=token)

        assert answer.status_code == 200, answer.json_body
        check_in = answer.json_body
        assert check_in["state"] == "open"
        assert check_in["details"]["name"] == "Ana Núñez" and check_in["details"]["birth_date"] == "1984-03-09"
        assert check_in["details"]["insurance"] is None and check_in["details"]["change_requested"] is False
        assert [i["link_id"] for i in check_in["questionnaire"]["items"]] == ["reason", "allergies-changed", "pain"]
        assert [f["title"] for f in check_in["forms"]] == ["Consent to treat", "Notice of privacy practices"]
        assert check_in["steps"] == {"details": False, "questionnaire": False, "forms": False}
        [listed] = call(seeded, "GET", f"/v1/patients/{patient_id}/appointments", token=token).json_body["appointments"]
        assert listed["check_in"]["state"] == "open" and listed["check_in"]["closes_at"] == listed["starts_at"]
        events = call(seeded, "GET", f"/v1/patients/{patient_id}/access-log", token=token).json_body["events"]
        assert any(e["what"] == "checkin.read" for e in events)

    def test_confirming_details_with_a_change_puts_it_on_staffs_worklist_and_leaves_the_chart_alone(
        self, clock, feed, ana, seeded, staff_token
    ):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        changes = {
            "address": "12 Elm St, Albany NY 12208",
            "insurance": {"payer": "Acme Health", "member_id": "XJ-4471"},
            "note": "Moved last month",
        }

        answer = call(
            seeded, "POST", path(patient_id, appointment_id, "details"), {"confirmed": True, "changes": changes}, token
        )

        assert answer.status_code == 200, answer.json_body
        details = answer.json_body["details"]
        assert details["change_requested"] is True and details["confirmed_at"]
        assert details["address"] == "" and details["insurance"] is None  # the chart is unchanged
        assert answer.json_body["steps"]["details"] is True
        worklist = call(seeded, "GET", "/v1/staff/worklist", token=staff_token).json_body["items"]
        [item] = [i for i in worklist if i["task"] == "review_details_change"]
        assert item["patient"]["patient_id"] == patient_id and item["result_id"] == appointment_id
        seen = call(
            seeded, "GET", f"/v1/staff/patients/{patient_id}/appointments/{appointment_id}/check-in", token=staff_token
        )
        assert seen.status_code == 200, seen.json_body
        requested = seen.json_body["details"]["requested_change"]
        assert requested["address"] == "12 Elm St, Albany NY 12208"
        assert requested["insurance"] == {"payer": "Acme Health", "member_id": "XJ-4471", "group_number": ""}

    def test_a_resent_change_with_the_same_idempotency_key_reaches_staff_once(
        self, clock, feed, ana, seeded, staff_token
    ):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        body = {"confirmed": True, "changes": {"phone": "(518) 555-0199"}}

        first = keyed(seeded, "POST", path(patient_id, appointment_id, "details"), body, token, "details-1")
        again = keyed(seeded, "POST", path(patient_id, appointment_id, "details"), body, token, "details-1")

        assert first.status_code == again.status_code == 200
        worklist = call(seeded, "GET", "/v1/staff/worklist", token=staff_token).json_body["items"]
        assert len([i for i in worklist if i["task"] == "review_details_change"]) == 1

    def test_wrong_answers_are_each_named_and_nothing_is_kept(self, clock, feed, ana, seeded, container):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        wrong = [
            {"link_id": "allergies-changed", "value": "no"},
            {"link_id": "pain", "value": "11"},
            {"link_id": "shoe-size", "value": 9},
        ]

        answer = call(seeded, "POST", path(patient_id, appointment_id, "answers"), {"answers": wrong}, token)

        assert answer.status_code == 400, answer.json_body
        fields = {d["field"] for d in answer.json_body["error"]["details"]}
        assert fields == {"answers.reason", "answers.allergies-changed", "answers.pain", "answers.shoe-size"}
        assert call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body["answers"] is None
        assert questionnaire_responses(container) == []

    def test_answers_are_kept_and_leave_as_a_valid_questionnaire_response(self, clock, feed, ana, seeded, container):
        from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)

        answer = call(seeded, "POST", path(patient_id, appointment_id, "answers"), {"answers": GOOD_ANSWERS}, token)

        assert answer.status_code == 200, answer.json_body
        assert answer.json_body["answers"] == GOOD_ANSWERS
        assert answer.json_body["steps"]["questionnaire"] is True
        [sent] = questionnaire_responses(container)
        QuestionnaireResponse.model_validate(sent)
        assert sent["status"] == "completed"
        assert sent["subject"]["identifier"] == {"system": "AMC-MRN", "value": "MRN-1001"}
        assert {i["linkId"]: i["answer"][0] for i in sent["item"]} == {
            "reason": {"valueString": "Knee pain when climbing stairs"},
            "allergies-changed": {"valueBoolean": False},
            "pain": {"valueString": "4"},
        }
        assert container.outbound.pending(10) == []

    def test_finishing_names_the_steps_left_then_completes_once_all_are_done(
        self, clock, feed, ana, seeded, staff_token
    ):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        call(seeded, "POST", path(patient_id, appointment_id, "details"), {"confirmed": True}, token)

        early = call(seeded, "POST", path(patient_id, appointment_id, "complete"), token=token)

        assert early.status_code == 409, early.json_body
        assert [d["field"] for d in early.json_body["error"]["details"]] == ["questionnaire", "forms"]

        call(seeded, "POST", path(patient_id, appointment_id, "answers"), {"answers": GOOD_ANSWERS}, token)
        sign_all(seeded, patient_id, appointment_id, token)
        done = call(seeded, "POST", path(patient_id, appointment_id, "complete"), token=token)

        assert done.status_code == 200, done.json_body
        assert done.json_body["state"] == "completed" and done.json_body["completed_at"]
        assert done.json_body["steps"] == {"details": True, "questionnaire": True, "forms": True}
        later = call(seeded, "POST", path(patient_id, appointment_id, "answers"), {"answers": GOOD_ANSWERS}, token)
        assert later.status_code == 409 and later.json_body["error"]["details"][0]["issue"] == "completed"
        [visit] = staff_day(seeded, staff_token, local_day(clock.now() + timedelta(days=2)))
        assert visit["check_in"] == {
            "state": "completed",
            "completed_at": done.json_body["completed_at"],
            "forms_signed": 2,
            "forms_required": 2,
            "answered": True,
            "change_requested": False,
        }


class TestTheRefusals:
    def test_five_days_ahead_check_in_is_not_open_yet_and_says_when_it_opens(self, clock, feed, ana, seeded):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=5)

        answer = call(seeded, "POST", path(patient_id, appointment_id, "details"), {"confirmed": True}, token)

        assert answer.status_code == 409, answer.json_body
        assert answer.json_body["error"]["details"] == [{"field": "appointment", "issue": "not_open_yet"}]
        assert answer.json_body["error"]["message"].startswith("Check-in opens on ")
        assert call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body["state"] == "not_open"

    def test_once_the_visit_starts_check_in_is_closed(self, clock, feed, ana, seeded):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=10 / (24 * 60))

        clock.advance(minutes=11)

        answer = call(seeded, "POST", path(patient_id, appointment_id, "details"), {"confirmed": True}, token)
        assert answer.status_code == 409
        assert answer.json_body["error"]["details"] == [{"field": "appointment", "issue": "closed"}]
        assert call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body["state"] == "closed"

    def test_a_cancelled_visit_cannot_be_checked_in_and_shows_no_check_in(self, clock, feed, ana, seeded):
        patient_id, token = ana
        start = hl7_time(clock.now() + timedelta(days=2))
        feed(siu("S12", "s-1", start=start))
        feed(siu("S15", "s-2", start=start))
        [visit] = call(seeded, "GET", f"/v1/patients/{patient_id}/appointments", token=token).json_body["appointments"]

        answer = call(seeded, "POST", path(patient_id, visit["id"], "details"), {"confirmed": True}, token)

        assert answer.status_code == 409
        assert answer.json_body["error"]["details"] == [{"field": "appointment", "issue": "cancelled"}]
        assert visit["check_in"] is None

    def test_a_visit_the_patient_cancelled_in_the_portal_can_no_longer_be_checked_in_or_signed(
        self, clock, feed, ana, seeded
    ):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        form = call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body["forms"][0]
        call(seeded, "POST", path(patient_id, appointment_id, "details"), {"confirmed": True}, token)

        cancelled = call(
            seeded,
            "POST",
            f"/v1/patients/{patient_id}/appointments/{appointment_id}/cancel",
            {"reason": "Better"},
            token,
        )
        assert cancelled.status_code == 200, cancelled.json_body

        # the feed has not filed the cancellation: the entry still says booked
        assert call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body["state"] == "closed"
        signed = {"version": form["version"], "sha256": form["sha256"], "typed_name": "Ana Núñez", "agree": True}
        for step, body in (
            ("details", {"confirmed": True}),
            ("answers", {"answers": GOOD_ANSWERS}),
            ("complete", None),
            (f"forms/{form['form_id']}/sign", signed),
        ):
            answer = call(seeded, "POST", path(patient_id, appointment_id, step), body, token)
            assert answer.status_code == 409, (step, answer.json_body)
            assert answer.json_body["error"]["details"] == [{"field": "appointment", "issue": "cancelled"}], step
        assert (
            call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body["forms"][0]["signed"] is None
        )

    def test_another_patients_visit_is_not_found_and_bad_bodies_are_400(self, clock, feed, ana, amy, seeded):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        amy_id, amy_token = amy

        for who, whose in ((amy_token, patient_id), (amy_token, amy_id)):
            assert call(seeded, "GET", path(whose, appointment_id), token=who).status_code == 404
            assert (
                call(seeded, "POST", path(whose, appointment_id, "details"), {"confirmed": True}, who).status_code
                == 404
            )
        assert call(seeded, "GET", path(patient_id, "0" * 32), token=token).status_code == 404
        for bad in (
            {"confirmed": False},
            {"confirmed": True, "changes": {"email": "not-an-address"}},
            {"confirmed": True, "extra": 1},
        ):
            assert call(seeded, "POST", path(patient_id, appointment_id, "details"), bad, token).status_code == 400


class TestStaffDayList:
    def test_a_visit_moved_to_another_day_leaves_its_old_day_and_a_cancelled_one_stays_listed(
        self, clock, feed, ana, seeded, staff_token
    ):
        patient_id, _ = ana
        first, moved = clock.now() + timedelta(days=2), clock.now() + timedelta(days=6)
        feed(siu("S12", "s-1", start=hl7_time(first)))
        [listed] = staff_day(seeded, staff_token, local_day(first))
        assert listed["patient"] == {"patient_id": patient_id, "name": "Ana Núñez", "birth_date": "1984-03-09"}
        assert (listed["status"], listed["check_in"]["state"]) == ("booked", "open")
        assert listed["check_in"]["forms_required"] == 2

        feed(siu("S13", "s-2", start=hl7_time(moved)))

        assert staff_day(seeded, staff_token, local_day(first)) == []
        [there] = staff_day(seeded, staff_token, local_day(moved))
        assert there["appointment_id"] == listed["appointment_id"] and there["check_in"]["state"] == "not_open"

        feed(siu("S15", "s-3", start=hl7_time(moved)))

        [cancelled] = staff_day(seeded, staff_token, local_day(moved))
        assert (cancelled["status"], cancelled["check_in"]["state"]) == ("cancelled", "closed")

    def test_the_day_is_by_start_time_and_patients_are_refused(self, clock, feed, ana, seeded, staff_token):
        patient_id, token = ana
        day = clock.now().astimezone(NEW_YORK).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
        for number, hours in enumerate((3, 0, 1)):
            body = siu("S12", f"s-{number}", start=hl7_time(day + timedelta(hours=hours))).replace(
                "APT-1", f"APT-{number}"
            )
            feed(body)

        visits = staff_day(seeded, staff_token, f"{day:%Y-%m-%d}")

        assert [v["starts_at"][11:16] for v in visits] == ["09:00", "10:00", "12:00"]
        assert call(seeded, "GET", f"/v1/staff/check-ins?date={day:%Y-%m-%d}", token=token).status_code == 403
        assert call(seeded, "GET", "/v1/staff/check-ins?date=tomorrow", token=staff_token).status_code == 400

    def test_forms_signed_are_counted_at_their_current_version_in_one_batch_read_for_the_day(
        self, clock, feed, ana, seeded, staff_token, admin, monkeypatch
    ):
        from chalicelib.data.models import SignedFormModel

        patient_id, token = ana
        day = clock.now().astimezone(NEW_YORK).replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=1)
        for number in range(3):
            feed(
                siu("S12", f"s-{number}", start=hl7_time(day + timedelta(hours=number))).replace(
                    "APT-1", f"APT-{number}"
                )
            )
        first = staff_day(seeded, staff_token, f"{day:%Y-%m-%d}")[0]["appointment_id"]
        forms = call(seeded, "GET", path(patient_id, first), token=token).json_body["forms"]
        sign_all(seeded, patient_id, first, token)
        queries = []
        original = SignedFormModel.query.__func__
        monkeypatch.setattr(
            SignedFormModel, "query", classmethod(lambda cls, *a, **k: queries.append(a) or original(cls, *a, **k))
        )

        visits = staff_day(seeded, staff_token, f"{day:%Y-%m-%d}")

        assert [v["check_in"]["forms_signed"] for v in visits] == [2, 0, 0]
        assert queries == []  # the signatures were read by their keys, not a Query per visit
        # a new version of one form: the patient's signature of the old one no longer counts
        changed = {"title": forms[0]["title"], "body": forms[0]["body"] + "\n\nUpdated."}
        answer = call(seeded, "POST", f"/v1/admin/forms/{forms[0]['form_id']}/versions", changed, admin)
        assert answer.status_code == 201, answer.json_body
        assert [v["check_in"]["forms_signed"] for v in staff_day(seeded, staff_token, f"{day:%Y-%m-%d}")] == [1, 0, 0]


class TestNothingHalfDone:
    def test_with_the_outbound_queue_down_the_answers_are_kept_and_their_response_sent_once_later(
        self, clock, feed, ana, seeded, container, monkeypatch
    ):
        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)
        refuse_sends(monkeypatch, container)

        answer = call(seeded, "POST", path(patient_id, appointment_id, "answers"), {"answers": GOOD_ANSWERS}, token)

        assert answer.status_code == 200, answer.json_body
        assert answer.json_body["answers"] == GOOD_ANSWERS
        assert len(container.outbound.pending(10)) == 1
        monkeypatch.undo()
        assert producer.drain(container).sent == 1
        assert producer.drain(container).sent == 0
        [sent] = questionnaire_responses(container)
        assert sent["identifier"]["value"] == f"{appointment_id}-1"

    def test_a_store_that_refuses_the_write_keeps_neither_the_answers_nor_their_response(
        self, clock, feed, ana, seeded, container, monkeypatch
    ):
        from chalicelib.errors import DependencyUnavailable

        patient_id, token = ana
        appointment_id = visit_in(seeded, feed, clock, patient_id, token, days=2)

        def unavailable(*args, **kwargs):
            raise DependencyUnavailable("The health records store is unavailable.")

        monkeypatch.setattr(type(container.checkins), "save", unavailable)
        answer = call(seeded, "POST", path(patient_id, appointment_id, "answers"), {"answers": GOOD_ANSWERS}, token)
        monkeypatch.undo()

        assert answer.status_code == 503
        assert call(seeded, "GET", path(patient_id, appointment_id), token=token).json_body["answers"] is None
        assert container.outbound.pending(10) == [] and questionnaire_responses(container) == []
