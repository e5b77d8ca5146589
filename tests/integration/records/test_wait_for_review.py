"""A patient may choose to see results of some categories only after a clinician has reviewed
them (staff release them), or after a week at most."""

from __future__ import annotations

import time
from datetime import timedelta

from chalicelib import wiring
from chalicelib.records.domain import result_id
from chalicelib.release.policy import DAYS_WAIT, REVIEW_WAIT, REVIEW_WAIT_LIMIT
from tests.integration.identity.conftest import call, enrolled, seeded, sign_in, staff_token  # noqa: F401
from tests.integration.test_patient_results import SENDER, ana, feed, oru  # noqa: F401  (fixtures)

ORG = "albany-medical-center"


def names(api, patient_id: str, token: str) -> list[str]:
    return [r["name"] for r in call(api, "GET", f"/v1/patients/{patient_id}/results", token=token).json_body["results"]]


def test_a_patient_who_chose_to_wait_sees_a_pathology_result_only_after_review_or_a_week(feed, ana, seeded):
    patient_id, token = ana
    path = f"/v1/patients/{patient_id}/release-preferences"
    assert call(seeded, "GET", path, token=token).json_body == {
        "wait_for_review": [],
        "choices": [
            {"category": c, "release": "at_once", "days": None} for c in ("lab", "pathology", "imaging", "other")
        ],
        "longest_wait_days": 7,
        "most_days": 30,
    }

    chosen = call(seeded, "PUT", path, {"wait_for_review": ["pathology"]}, token)

    assert chosen.status_code == 200, chosen.json_body
    assert call(seeded, "GET", path, token=token).json_body["wait_for_review"] == ["pathology"]
    feed(oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN"), oru("c-2", "ORD-2", "85"))
    # the lab result she did not choose to wait for is there at once; the pathology one waits
    assert names(seeded, patient_id, token) == ["Glucose"]
    stored = wiring.container().records.current(
        patient_id, result_id(wiring.container().record_id_key, ORG, SENDER, "ORD-1^LAB")
    )
    assert stored.held_reason == REVIEW_WAIT
    assert stored.release_at - stored.filed_at == REVIEW_WAIT_LIMIT
    [upcoming] = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]
    assert upcoming["category"] == "pathology" and upcoming["release_at"] is not None

    # a week later it is shown whether or not anyone reviewed it
    later = stored.release_at + timedelta(seconds=1)
    shown, _ = wiring.container().records.page(patient_id, "", later, 20)
    assert {r.category for r in shown} == {"pathology", "lab"}


def test_the_choice_is_checked_and_only_for_the_callers_own_record(ana, seeded):
    patient_id, token = ana
    path = f"/v1/patients/{patient_id}/release-preferences"
    for body in ({"wait_for_review": ["genetics"]}, {"wait_for_review": "pathology"}, {}, {"other": []}):
        answer = call(seeded, "PUT", path, body, token)
        assert answer.status_code == 400, body
    other = call(seeded, "PUT", f"/v1/patients/{'0' * 32}/release-preferences", {"wait_for_review": []}, token)
    assert other.status_code == 404
    events, _ = wiring.container().audit_log.for_patient(patient_id, 50)
    assert "release_preferences.changed" not in {e.event_type for e in events}  # nothing was changed


def test_after_three_days_a_lab_result_is_shown_and_announced_at_its_moment(timer_clock, feed, ana, seeded, aws):
    from tests.integration.test_release_policy import notifications

    patient_id, token = ana
    path = f"/v1/patients/{patient_id}/release-preferences"
    chosen = call(seeded, "PUT", path, {"choices": [{"category": "lab", "release": "after_days", "days": 3}]}, token)
    assert chosen.status_code == 200, chosen.json_body
    assert chosen.json_body["wait_for_review"] == []

    feed(oru("c-1", "ORD-1", "85"))

    records = wiring.container().records
    assert records.page(patient_id, "", timer_clock.now(), 20)[0] == []
    [upcoming] = call(seeded, "GET", f"/v1/patients/{patient_id}/upcoming-releases", token=token).json_body["upcoming"]
    assert upcoming["waiting_for_review"] is False
    timer_clock.wait_for_waiting(1)  # the announcement's timer waits for the clock
    timer_clock.advance(days=3, seconds=-1)
    assert records.page(patient_id, "", timer_clock.now(), 20)[0] == []  # a second early
    assert notifications(aws) == []

    timer_clock.advance(seconds=1)

    [shown] = records.page(patient_id, "", timer_clock.now(), 20)[0]
    assert shown.held_reason == DAYS_WAIT
    deadline = time.monotonic() + 10
    announced = notifications(aws)
    while not announced and time.monotonic() < deadline:  # the execution runs on its own thread
        time.sleep(0.02)
        announced = notifications(aws)
    assert [n["template"] for n in announced] == ["something_waiting"]


def test_choices_are_checked_field_by_field_and_an_older_client_keeps_the_days(ana, seeded):
    patient_id, token = ana
    path = f"/v1/patients/{patient_id}/release-preferences"
    for body, field in (
        ({"choices": [{"category": "lab", "release": "after_days"}]}, "choices.0.days"),
        ({"choices": [{"category": "lab", "release": "after_days", "days": 31}]}, "choices.0.days"),
        ({"choices": [{"category": "lab", "release": "at_once", "days": 3}]}, "choices.0.days"),
        ({"choices": [{"category": "lab", "release": "later"}]}, "choices.0.release"),
        ({"choices": [{"category": "lab", "release": "at_once"}] * 2}, "choices.1.category"),
        ({"wait_for_review": ["lab"], "choices": []}, "wait_for_review"),
    ):
        answer = call(seeded, "PUT", path, body, token)
        assert answer.status_code == 400, body
        assert field in {d.get("field") for d in answer.json_body["error"]["details"]}, answer.json_body

    choices = [
        {"category": "lab", "release": "after_days", "days": 3},
        {"category": "pathology", "release": "after_review"},
    ]
    saved = call(seeded, "PUT", path, {"choices": choices}, token).json_body
    assert saved["wait_for_review"] == ["pathology"] and saved["most_days"] == 30
    assert call(seeded, "PUT", path, saved, token).status_code == 200  # a GET answer sent back as it is

    # a client that knows only wait_for_review changes the review categories; lab keeps its days
    older = call(seeded, "PUT", path, {"wait_for_review": ["imaging"]}, token).json_body
    assert [(c["category"], c["release"], c["days"]) for c in older["choices"]] == [
        ("lab", "after_days", 3),
        ("pathology", "at_once", None),
        ("imaging", "after_review", None),
        ("other", "at_once", None),
    ]
