"""One open request to move a visit at a time, and none left open once the visit is cancelled:
a second request to move the same visit is refused naming the first; the patient's cancellation,
or the scheduling system's through the feed, withdraws the open ones (the patient no longer reads
"waiting for your care team", staff's queue moves them to done) and the clinic's systems hear the
proposal closed. moto, the real feed handler, the real API; time moves by the pinned clock only."""

from __future__ import annotations

from datetime import timedelta

from tests.integration.appointments.conftest import appointments_on_queue, audited, day, post, siu
from tests.integration.appointments.test_visits_and_cancellation import cancel, request_of, upcoming
from tests.integration.identity.conftest import call
from tests.integration.records.test_health_summary import amy, ehr, filed, sample  # noqa: F401  (fixtures)


def move(api, clock, patient_id: str, token: str, appointment_id: str, reason: str = "I am travelling"):
    body = {"reason": reason, "mode": "in_person", "preferred": [{"date": day(clock, 12), "time_of_day": "any"}]}
    return post(api, f"/v1/patients/{patient_id}/appointments/{appointment_id}/reschedule", body, token)


def queue(api, staff_token: str, name: str) -> list[str]:
    answer = call(api, "GET", f"/v1/staff/appointment-requests?queue={name}", token=staff_token)
    assert answer.status_code == 200, answer.json_body
    return [r["request_id"] for r in answer.json_body["appointment_requests"]]


class TestOneRequestToMoveAVisit:
    def test_a_second_request_to_move_the_same_visit_is_refused_naming_the_open_one(
        self, seeded, clock, feed, ana, staff_token
    ):
        patient_id, token = ana
        feed(siu("S12", "s-1", clock.now() + timedelta(days=5)))
        [visit] = upcoming(seeded, patient_id, token)
        first = move(seeded, clock, patient_id, token, visit["id"])
        assert first.status_code == 201, first.json_body

        second = move(seeded, clock, patient_id, token, visit["id"], reason="Another week is better")

        assert second.status_code == 409, second.json_body
        assert second.json_body["error"]["message"] == "You have already asked to move this visit."
        assert second.json_body["error"]["details"] == [
            {"field": "appointment", "issue": "reschedule_requested", "request_id": first.json_body["request_id"]}
        ]
        assert queue(seeded, staff_token, "to_do") == [first.json_body["request_id"]]

    def test_once_the_first_is_withdrawn_the_visit_may_be_asked_to_move_again(self, seeded, clock, feed, ana):
        patient_id, token = ana
        feed(siu("S12", "s-1", clock.now() + timedelta(days=5)))
        [visit] = upcoming(seeded, patient_id, token)
        first = move(seeded, clock, patient_id, token, visit["id"]).json_body
        withdrawn = post(
            seeded, f"/v1/patients/{patient_id}/appointment-requests/{first['request_id']}/withdraw", None, token
        )
        assert withdrawn.status_code == 200, withdrawn.json_body

        again = move(seeded, clock, patient_id, token, visit["id"])

        assert again.status_code == 201, again.json_body


class TestACancelledVisitWithdrawsItsRequestsToMoveIt:
    def test_the_patients_cancellation_withdraws_the_open_request_and_staff_see_it_done(
        self, seeded, clock, feed, ana, staff_token
    ):
        patient_id, token = ana
        feed(siu("S12", "s-1", clock.now() + timedelta(days=5)))
        [visit] = upcoming(seeded, patient_id, token)
        made = move(seeded, clock, patient_id, token, visit["id"]).json_body
        appointments_on_queue()  # (the proposal sent: what follows is the cancellation's)

        cancelled = cancel(seeded, patient_id, token, visit["id"])

        assert cancelled.status_code == 200, cancelled.json_body
        assert request_of(seeded, patient_id, token, made["request_id"])["status"] == "withdrawn"
        assert queue(seeded, staff_token, "to_do") == []
        assert made["request_id"] in queue(seeded, staff_token, "done")
        closed = [
            a
            for a in appointments_on_queue()
            if a["identifier"][0]["value"] == made["request_id"] and a["status"] == "cancelled"
        ]
        assert len(closed) == 1
        assert "appointment_request.withdrawn" in audited(patient_id)

    def test_the_feeds_cancellation_withdraws_it_too_and_a_redelivery_changes_nothing(
        self, seeded, clock, feed, ana, staff_token
    ):
        patient_id, token = ana
        start = clock.now() + timedelta(days=5)
        feed(siu("S12", "s-1", start))
        [visit] = upcoming(seeded, patient_id, token)
        made = move(seeded, clock, patient_id, token, visit["id"]).json_body
        cancelling = siu("S15", "s-2", start).replace("|Booked", "|Cancelled")

        feed(cancelling)
        feed(cancelling)

        withdrawn = request_of(seeded, patient_id, token, made["request_id"])
        assert withdrawn["status"] == "withdrawn"
        assert queue(seeded, staff_token, "to_do") == []
        assert queue(seeded, staff_token, "done") == [made["request_id"]]
