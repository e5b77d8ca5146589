"""A delayed result's notice, queued by its Step Functions timer (not by the portal), has a
delivery record too: staff see it waiting to be sent once the timer put it on the queue, so a
timer's notice that dead-letters is visible like any other email. The timer fires when the test
moves the clock to its moment (the ``timer_clock`` fixture)."""

from __future__ import annotations

from chalicelib import wiring
from chalicelib.kernel.clock import iso
from chalicelib.records.domain import result_id
from tests.integration.identity.conftest import STAFF_PASSWORD, STAFF_USER, call, enrolled, seeded, sign_in, staff_token  # noqa: F401
from tests.integration.records.test_guarded_release import DELAY_SECONDS, ORG, finished
from tests.integration.test_patient_results import SENDER, ana, feed, oru  # noqa: F401  (fixtures)
from tests.integration.test_release_policy import notifications, set_policy


def kinds_and_states(api, token: str, patient_id: str) -> list[tuple[str, str]]:
    answer = call(api, "GET", f"/v1/staff/patients/{patient_id}/emails", token=token)
    assert answer.status_code == 200, answer.json_body
    return [(e["kind"], e["state"]) for e in answer.json_body["emails"]]


def test_a_timers_notice_shows_to_staff_as_waiting_once_the_timer_queued_it(
    timer_clock, feed, ana, seeded, staff_token, aws
):
    # GIVEN a result whose release waits an hour
    patient_id, _ = ana
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    feed(oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN"))
    waiting = wiring.container().records.current(
        patient_id, result_id(wiring.container().record_id_key, ORG, SENDER, "ORD-1^LAB")
    )
    timer_clock.wait_for_waiting(1)
    before = kinds_and_states(seeded, staff_token, patient_id)
    assert ("something_waiting", "queued") not in before  # nothing is on its way yet

    # WHEN its moment comes and the timer puts the notice on the queue
    timer_clock.advance(seconds=DELAY_SECONDS)
    [execution] = finished(aws)
    assert execution["status"] == "SUCCEEDED"
    assert [n["template"] for n in notifications(aws)] == ["something_waiting"]

    # THEN staff (signed in again: an hour passed) see it, waiting to be sent, asked for at the
    # release moment
    token = sign_in(seeded, STAFF_USER, STAFF_PASSWORD)
    answer = call(seeded, "GET", f"/v1/staff/patients/{patient_id}/emails", token=token).json_body
    [notice] = [e for e in answer["emails"] if e["kind"] == "something_waiting"]
    assert notice["state"] == "queued"
    assert notice["asked_at"] == iso(waiting.release_at)
