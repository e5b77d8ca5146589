"""Appointment requests through the API: a patient asks a care team for a visit (kept with its FHIR
Appointment "proposed" on the outbound queue); staff propose a time, book it or decline it (the
patient is emailed that there is an update, never what); the patient answers a proposal or
withdraws; the refusals hold (a closed request, a time past, another patient's or organization's
request, a resend with the same Idempotency-Key). moto in decorator mode, the real API."""

from __future__ import annotations

import re

from chalicelib.outbound import fhir
from tests.integration.appointments.conftest import (
    NEW_YORK,
    appointments_on_queue,
    ask,
    asked,
    audited,
    day,
    post,
    slot,
)
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import STAFF_PASSWORD, STAFF_USER, call, sign_in
from tests.integration.records.test_health_summary import amy, ehr  # noqa: F401  (fixtures)
from tests.integration.test_feed_sources_admin import other_organization_admin

UPDATE_SUBJECT = "There is an update to your request"
NO_RECORD_NUMBER = (
    "This patient has no record number the scheduling system knows: book the visit there, "
    "then decline or close this request."
)


def staff_post(api, token: str, request_id: str, step: str, body, key: str = ""):
    return post(api, f"/v1/staff/appointment-requests/{request_id}/{step}", body, token, key)


def patient_post(api, patient_id: str, token: str, request_id: str, step: str, body=None, key: str = ""):
    return post(api, f"/v1/patients/{patient_id}/appointment-requests/{request_id}/{step}", body or {}, token, key)


def queue(api, token: str, name: str = "to_do") -> list[dict]:
    answer = call(api, "GET", f"/v1/staff/appointment-requests?queue={name}", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["appointment_requests"]


class TestThePatientsRequest:
    def test_a_request_is_kept_listed_and_leaves_as_a_valid_proposed_appointment(self, seeded, clock, ana, team_id):
        patient_id, token = ana
        preferred = [
            {"date": day(clock, 7), "time_of_day": "morning"},
            {"date": day(clock, 8), "time_of_day": "afternoon"},
        ]
        made = asked(seeded, clock, patient_id, token, team_id, mode="video", preferred=preferred)

        assert made["status"] == "requested" and made["kind"] == "new"
        assert made["care_team"] == {"care_team_id": team_id, "name": "Primary Care"}
        assert (made["mode"], made["preferred"], made["proposal"], made["booking"]) == ("video", preferred, None, None)
        listed = call(seeded, "GET", f"/v1/patients/{patient_id}/appointment-requests", token=token).json_body
        assert [r["request_id"] for r in listed["appointment_requests"]] == [made["request_id"]]
        one = call(seeded, "GET", f"/v1/patients/{patient_id}/appointment-requests/{made['request_id']}", token=token)
        assert one.json_body == made
        [sent] = appointments_on_queue()
        assert fhir.validated(sent) == sent
        assert sent["status"] == "proposed"
        assert sent["identifier"] == [{"system": fhir.APPOINTMENT_REQUEST_SYSTEM, "value": made["request_id"]}]
        assert sent["serviceType"][0]["coding"][0]["code"] == "video"
        # the morning and the afternoon of the organization's clock, as moments
        morning = sent["requestedPeriod"][0]
        local_start = clock.now().fromisoformat(morning["start"].replace("Z", "+00:00")).astimezone(NEW_YORK)
        assert (local_start.hour, local_start.date().isoformat()) == (8, day(clock, 7))
        afternoon_end = clock.now().fromisoformat(sent["requestedPeriod"][1]["end"].replace("Z", "+00:00"))
        assert afternoon_end.astimezone(NEW_YORK).hour == 17
        assert {"appointment_request.requested", "appointment_requests.list", "appointment_request.read"} <= set(
            audited(patient_id)
        )

    def test_a_resend_with_the_same_key_answers_the_first_and_keeps_one(self, seeded, clock, ana, team_id):
        patient_id, token = ana
        first = ask(seeded, clock, patient_id, token, team_id, key="ask-once")
        again = ask(seeded, clock, patient_id, token, team_id, key="ask-once")

        assert (first.status_code, again.status_code) == (201, 201)
        assert again.json_body == first.json_body
        listed = call(seeded, "GET", f"/v1/patients/{patient_id}/appointment-requests", token=token).json_body
        assert len(listed["appointment_requests"]) == 1
        assert len(appointments_on_queue()) == 1

    def test_a_care_team_of_another_organization_or_none_is_not_found(self, seeded, clock, ana):
        patient_id, token = ana
        answer = ask(seeded, clock, patient_id, token, "0" * 32)
        assert answer.status_code == 404
        assert answer.json_body["error"]["message"] == "No such care team."

    def test_preferred_days_past_or_too_far_ahead_are_refused_by_name(self, seeded, clock, ana, team_id):
        patient_id, token = ana
        preferred = [
            {"date": day(clock, -1), "time_of_day": "any"},
            {"date": day(clock, 3), "time_of_day": "any"},
            {"date": day(clock, 91), "time_of_day": "any"},
        ]
        answer = ask(seeded, clock, patient_id, token, team_id, preferred=preferred)

        assert answer.status_code == 400
        fields = [d["field"] for d in answer.json_body["error"]["details"]]
        assert fields == ["preferred.0.date", "preferred.2.date"]

    def test_bad_bodies_are_refused_naming_the_field(self, seeded, clock, ana, team_id):
        patient_id, token = ana
        for change, field in (
            ({"reason": " "}, "reason"),
            ({"reason": "x" * 501}, "reason"),
            ({"mode": "phone"}, "mode"),
            ({"preferred": []}, "preferred"),
            ({"surprise": 1}, "surprise"),
        ):
            answer = ask(seeded, clock, patient_id, token, team_id, **change)
            assert answer.status_code == 400, change
            assert field in [d["field"] for d in answer.json_body["error"]["details"]], answer.json_body

    def test_another_patients_request_is_not_found(self, seeded, clock, ana, team_id, staff_token):
        from tests.integration.identity.conftest import register_and_invite
        from tests.integration.test_patient_scope import SOMEONE_ELSE

        patient_id, token = ana
        made = asked(seeded, clock, patient_id, token, team_id)
        other = register_and_invite(seeded, staff_token, SOMEONE_ELSE, email="chidi@example.org").patient_id
        path = f"/v1/patients/{other}/appointment-requests/{made['request_id']}"
        assert call(seeded, "GET", path, token=token).status_code == 404
        assert post(seeded, path + "/withdraw", {}, token).status_code == 404


class TestStaffDecisions:
    def test_staff_see_it_to_do_and_book_it_the_patient_is_told_without_what_and_a_booked_appointment_leaves(
        self, seeded, clock, ana, team_id, staff_token
    ):
        patient_id, token = ana
        made = asked(seeded, clock, patient_id, token, team_id)
        [waiting] = queue(seeded, staff_token)
        assert waiting["patient"] == {"patient_id": patient_id, "name": "Ana Núñez", "birth_date": "1984-03-09"}
        before = len(deliver_notifications(seeded))

        chosen = slot(clock)
        booked = staff_post(seeded, staff_token, made["request_id"], "book", chosen)

        assert booked.status_code == 200, booked.json_body
        assert booked.json_body["status"] == "booked" and booked.json_body["decided_by"]
        assert booked.json_body["booking"]["starts_at"].startswith(chosen["starts_at"])
        assert re.search(r"[+-]0[45]:00$", booked.json_body["booking"]["starts_at"])  # New York's offset
        assert queue(seeded, staff_token) == []
        assert [r["request_id"] for r in queue(seeded, staff_token, "waiting")] == [made["request_id"]]
        seen = call(seeded, "GET", f"/v1/patients/{patient_id}/appointment-requests/{made['request_id']}", token=token)
        assert seen.json_body["status"] == "booked" and seen.json_body["staff_note"] == chosen["note"]
        [email] = [
            e for e in deliver_notifications(seeded)[before:] if e.destinations["ToAddresses"] == ["ana@example.org"]
        ]
        assert email.subject == UPDATE_SUBJECT
        for secret in ("Dr Rivera", "room 4", "Knee", "knee brace", chosen["starts_at"][11:16]):
            assert secret not in email.body
        assert "/appointments" in email.body
        proposed, sent = appointments_on_queue()
        assert fhir.validated(sent) == sent
        assert (proposed["status"], sent["status"]) == ("proposed", "booked")
        assert sent["identifier"] == proposed["identifier"]
        assert sent["minutesDuration"] == 30 and sent["start"].endswith("Z")
        assert "appointment_request.booked" in audited(patient_id)

    def test_a_decided_request_is_refused_409_and_a_time_past_400_naming_starts_at(
        self, seeded, clock, ana, team_id, staff_token
    ):
        patient_id, token = ana
        made = asked(seeded, clock, patient_id, token, team_id)
        past = staff_post(seeded, staff_token, made["request_id"], "book", slot(clock, days=-1))
        assert past.status_code == 400
        assert [d["field"] for d in past.json_body["error"]["details"]] == ["starts_at"]

        assert staff_post(seeded, staff_token, made["request_id"], "book", slot(clock)).status_code == 200
        again = staff_post(seeded, staff_token, made["request_id"], "propose", slot(clock))
        assert again.status_code == 409
        declined = staff_post(seeded, staff_token, made["request_id"], "decline", {"reason": "No room"})
        assert declined.status_code == 200
        for step, body in (("book", slot(clock)), ("decline", {"reason": "Again"})):
            answer = staff_post(seeded, staff_token, made["request_id"], step, body)
            assert answer.status_code == 409
            assert answer.json_body["error"]["details"] == [{"field": "request", "issue": "closed"}]

    def test_a_patient_without_a_record_number_is_not_booked_and_the_request_stays_to_do(
        self, ehr, clock, amy, staff_token
    ):
        # GIVEN Amy, whom the EHR knows by its own identifier only (no MRN of the organization's),
        # asks for a visit: kept, nothing sent that could not name her
        patient_id, token = amy
        teams = call(ehr, "GET", f"/v1/patients/{patient_id}/care-teams", token=token).json_body["care_teams"]
        made = asked(ehr, clock, patient_id, token, next(t["team_id"] for t in teams if t["name"] == "Primary Care"))
        assert appointments_on_queue() == []

        # WHEN staff book it THEN they are told to book it in the scheduling system instead ...
        booked = staff_post(ehr, staff_token, made["request_id"], "book", slot(clock))
        assert booked.status_code == 409
        assert booked.json_body["error"]["message"] == NO_RECORD_NUMBER
        assert booked.json_body["error"]["details"] == [{"field": "request", "issue": "no_record_number"}]

        # ... and the request is not stranded as booked: it is still to do, and may be declined
        assert [r["request_id"] for r in queue(ehr, staff_token)] == [made["request_id"]]
        assert (
            call(
                ehr, "GET", f"/v1/patients/{patient_id}/appointment-requests/{made['request_id']}", token=token
            ).json_body["status"]
            == "requested"
        )
        declined = staff_post(ehr, staff_token, made["request_id"], "decline", {"reason": "Booked by phone"})
        assert declined.status_code == 200 and declined.json_body["status"] == "declined"

    def test_a_resent_booking_with_the_same_key_answers_the_first(self, seeded, clock, ana, team_id, staff_token):
        patient_id, token = ana
        made = asked(seeded, clock, patient_id, token, team_id)
        first = staff_post(seeded, staff_token, made["request_id"], "book", slot(clock), key="book-once")
        again = staff_post(seeded, staff_token, made["request_id"], "book", slot(clock), key="book-once")
        assert (first.status_code, again.status_code) == (200, 200)
        assert again.json_body == first.json_body
        assert [a["status"] for a in appointments_on_queue()] == ["proposed", "booked"]

    def test_a_proposal_the_patient_takes_waits_for_staff_to_book_and_one_turned_down_goes_back(
        self, seeded, clock, ana, team_id, staff_token
    ):
        patient_id, token = ana
        made = asked(seeded, clock, patient_id, token, team_id)
        request_id = made["request_id"]
        not_yet = patient_post(seeded, patient_id, token, request_id, "answer", {"accept": True})
        assert not_yet.status_code == 409

        proposed = staff_post(seeded, staff_token, request_id, "propose", slot(clock, days=5))
        assert proposed.json_body["status"] == "proposed" and proposed.json_body["proposal"]["clinician"] == "Dr Rivera"
        assert [r["request_id"] for r in queue(seeded, staff_token, "waiting")] == [request_id]
        turned_down = patient_post(seeded, patient_id, token, request_id, "answer", {"accept": False})
        assert turned_down.json_body["status"] == "requested" and turned_down.json_body["proposal"] is None

        staff_post(seeded, staff_token, request_id, "propose", slot(clock, days=6))
        taken = patient_post(seeded, patient_id, token, request_id, "answer", {"accept": True})
        assert taken.json_body["status"] == "accepted" and taken.json_body["proposal"] is not None
        [accepted] = queue(seeded, staff_token)
        assert accepted["request_id"] == request_id
        # (the patient's change keeps what staff see beside the request)
        assert accepted["patient"]["name"] == "Ana Núñez"
        booked = staff_post(seeded, staff_token, request_id, "book", slot(clock, days=6))
        assert booked.json_body["status"] == "booked"
        # a proposal is not a booking: only the request and the booking left
        assert [a["status"] for a in appointments_on_queue()] == ["proposed", "booked"]

    def test_a_proposal_whose_time_has_passed_cannot_be_taken_and_goes_back_to_staff(
        self, seeded, clock, ana, team_id, staff_token
    ):
        # GIVEN staff proposed a time two days ahead, and the patient did not answer before it came
        patient_id, token = ana
        request_id = asked(seeded, clock, patient_id, token, team_id)["request_id"]
        staff_post(seeded, staff_token, request_id, "propose", slot(clock, days=2))
        clock.advance(days=3)
        token = sign_in(seeded, "ana.nunez", "correct horse battery")
        staff = sign_in(seeded, STAFF_USER, STAFF_PASSWORD)

        # WHEN she takes it THEN she is told the time has passed ...
        taken = patient_post(seeded, patient_id, token, request_id, "answer", {"accept": True})
        assert taken.status_code == 409
        assert taken.json_body["error"]["message"].startswith("This time has passed.")
        assert taken.json_body["error"]["details"] == [{"field": "request", "issue": "time_passed"}]

        # ... and the request waits for staff again, without the proposal, for them to offer another
        seen = call(seeded, "GET", f"/v1/patients/{patient_id}/appointment-requests/{request_id}", token=token)
        assert (seen.json_body["status"], seen.json_body["proposal"]) == ("requested", None)
        assert [r["request_id"] for r in queue(seeded, staff)] == [request_id]
        assert staff_post(seeded, staff, request_id, "book", slot(clock, days=4)).status_code == 200

    def test_a_decline_carries_its_reason_to_the_patient_and_closes_the_proposed_appointment(
        self, seeded, clock, ana, team_id, staff_token
    ):
        patient_id, token = ana
        made = asked(seeded, clock, patient_id, token, team_id)
        reason = "Dr Rivera is not taking new patients; please ask Family Medicine."
        declined = staff_post(seeded, staff_token, made["request_id"], "decline", {"reason": reason})

        assert declined.status_code == 200
        seen = call(seeded, "GET", f"/v1/patients/{patient_id}/appointment-requests/{made['request_id']}", token=token)
        assert (seen.json_body["status"], seen.json_body["decline_reason"]) == ("declined", reason)
        assert [r["request_id"] for r in queue(seeded, staff_token, "done")] == [made["request_id"]]
        closed = appointments_on_queue()[-1]
        assert fhir.validated(closed) == closed
        assert closed["status"] == "cancelled" and closed["cancelationReason"]["coding"][0]["code"] == "prov"
        withdraw = patient_post(seeded, patient_id, token, made["request_id"], "withdraw")
        assert withdraw.status_code == 409

    def test_the_patient_withdraws_an_open_request_and_the_engine_is_told(
        self, seeded, clock, ana, team_id, staff_token
    ):
        patient_id, token = ana
        made = asked(seeded, clock, patient_id, token, team_id)
        withdrawn = patient_post(seeded, patient_id, token, made["request_id"], "withdraw")

        assert withdrawn.status_code == 200 and withdrawn.json_body["status"] == "withdrawn"
        closed = appointments_on_queue()[-1]
        assert closed["cancelationReason"]["coding"][0]["code"] == "pat" and fhir.validated(closed) == closed
        assert staff_post(seeded, staff_token, made["request_id"], "book", slot(clock)).status_code == 409

    def test_another_organizations_staff_neither_see_nor_decide_it(self, seeded, clock, ana, team_id, monkeypatch):
        patient_id, token = ana
        made = asked(seeded, clock, patient_id, token, team_id)
        other = other_organization_admin(seeded, monkeypatch)

        assert queue(seeded, other) == []
        assert (
            call(seeded, "GET", f"/v1/staff/appointment-requests/{made['request_id']}", token=other).status_code == 404
        )
        assert staff_post(seeded, other, made["request_id"], "book", slot(clock)).status_code == 404

    def test_patients_cannot_read_the_queue(self, seeded, ana):
        _, token = ana
        assert call(seeded, "GET", "/v1/staff/appointment-requests", token=token).status_code in (403, 404)

    def test_reading_the_queue_shows_on_each_listed_patients_access_log(self, seeded, clock, ana, team_id, staff_token):
        # GIVEN Ana's two requests waiting for staff
        patient_id, token = ana
        asked(seeded, clock, patient_id, token, team_id)
        asked(seeded, clock, patient_id, token, team_id, reason="A second thing")

        # WHEN staff read the queue, which shows her name, birth date and reasons
        assert len(queue(seeded, staff_token)) == 2

        # THEN her access log shows that staff read her requests (once for the page)
        log = call(seeded, "GET", f"/v1/patients/{patient_id}/access-log", token=token).json_body["events"]
        assert [e["what"] for e in log].count("appointment_request_queue.read") == 1

    def test_the_to_do_queue_is_oldest_first_and_pages(self, seeded, clock, ana, team_id, staff_token):
        patient_id, token = ana
        first = asked(seeded, clock, patient_id, token, team_id)
        clock.advance(minutes=1)
        second = asked(seeded, clock, patient_id, token, team_id)
        page = call(seeded, "GET", "/v1/staff/appointment-requests?limit=1", token=staff_token).json_body
        rest = call(
            seeded, "GET", f"/v1/staff/appointment-requests?limit=1&cursor={page['next_cursor']}", token=staff_token
        ).json_body
        assert [r["request_id"] for r in page["appointment_requests"] + rest["appointment_requests"]] == [
            first["request_id"],
            second["request_id"],
        ]


class TestNothingHalfDone:
    def test_with_both_queues_down_a_booking_is_kept_and_its_email_and_appointment_go_out_once_later(
        self, seeded, clock, ana, team_id, staff_token
    ):
        import pytest

        from chalicelib import wiring
        from chalicelib.errors import DependencyUnavailable
        from chalicelib.outbound import producer
        from chalicelib.release import outbox

        patient_id, token = ana
        container = wiring.container()
        made = asked(seeded, clock, patient_id, token, team_id)
        before = len(deliver_notifications(seeded))

        def down(*args, **kwargs):
            raise DependencyUnavailable("A queue is unavailable.")

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(container.clinical_outbound_queue, "send_raw", down)
            patch.setattr(container.notifications_queue, "send", down)
            assert staff_post(seeded, staff_token, made["request_id"], "book", slot(clock)).status_code == 200
        assert deliver_notifications(seeded)[before:] == []
        assert [a["status"] for a in appointments_on_queue()] == ["proposed"]

        assert outbox.drain(container, container.clock.now()).sent == 1
        assert producer.drain(container).sent == 1
        assert producer.drain(container).sent == 0
        emails = deliver_notifications(seeded)[before:]
        assert [e.subject for e in emails] == [UPDATE_SUBJECT]
        assert [a["status"] for a in appointments_on_queue()] == ["booked"]  # (the proposed one was read above)

    def test_when_the_store_fails_nothing_is_kept_and_nothing_is_sent(self, seeded, clock, ana, team_id, monkeypatch):
        from pynamodb.connection.base import Connection
        from pynamodb.exceptions import TransactWriteError

        patient_id, token = ana

        def refuse(*args, **kwargs):
            raise TransactWriteError("The store is unavailable.")

        monkeypatch.setattr(Connection, "transact_write_items", refuse)
        failed = ask(seeded, clock, patient_id, token, team_id)
        monkeypatch.undo()

        assert failed.status_code == 503
        assert appointments_on_queue() == []
        mine = call(seeded, "GET", f"/v1/patients/{patient_id}/appointment-requests", token=token).json_body
        assert mine["appointment_requests"] == []
