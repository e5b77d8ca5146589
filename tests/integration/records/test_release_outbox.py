"""Nothing lost between a release and its notice. Staff releasing a result early, and a delayed
result's release timer, each leave the patient's notice in an outbox written with the release:
if the notifications queue or Step Functions refuses it, the result is released or filed all the
same, and the drain (every five minutes, and after every feed batch) sends the notice once the
service is back. The patient is emailed exactly once."""

from __future__ import annotations

import json

from chalicelib import wiring
from chalicelib.errors import DependencyUnavailable
from chalicelib.records.domain import result_id
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import call, enrolled, seeded, sign_in, staff_token  # noqa: F401
from tests.integration.records.conftest import feed_records
from tests.integration.records.test_filing_faults import fail_once
from tests.integration.records.test_guarded_release import executions, finished
from tests.integration.records.test_staff_release_routes import upcoming
from tests.integration.test_patient_results import SENDER, ana, feed, oru  # noqa: F401  (fixtures)
from tests.integration.test_release_policy import set_policy

ORG = "albany-medical-center"
DELAY_SECONDS = 3600
PATHOLOGY = oru("c-1", "ORD-1", "benign", section="SP", test="22637-3^Pathology report^LN")
WAITING = "Something new is waiting in your patient portal"


def emails_to_ana(api) -> list:
    return [
        e
        for e in deliver_notifications(api)
        if e.destinations["ToAddresses"] == ["ana@example.org"] and e.subject == WAITING
    ]


def drain(api) -> dict:
    """The scheduled drain, through its real handler (EventBridge calls it every five minutes)."""
    event = api.events.generate_cw_event(source="aws.events", detail_type="Scheduled Event", detail={}, resources=[])
    return api.lambda_.invoke("drain_outbox", event).payload


def refuse_timers(monkeypatch) -> dict:
    """Step Functions refuses every StartExecution while ``down["now"]``."""
    timers = wiring.container().timers
    real = timers.start
    down = {"now": True, "refused": 0}

    def start(*args, **kwargs):
        if down["now"]:
            down["refused"] += 1
            raise DependencyUnavailable("The timer service is unavailable.")
        return real(*args, **kwargs)

    monkeypatch.setattr(timers, "start", start)
    return down


def test_a_release_whose_notice_fails_at_first_still_emails_the_patient_exactly_once(
    feed, ana, seeded, staff_token, monkeypatch
):
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    feed(PATHOLOGY)
    [waiting] = upcoming(seeded, patient_id, token)
    path = f"/v1/staff/results/{waiting['result_id']}/release"
    fail_once(monkeypatch, wiring.container().notifications_queue, "send")

    released = call(seeded, "POST", path, None, staff_token)

    assert released.status_code == 200, released.json_body  # released, though the queue refused the notice
    assert upcoming(seeded, patient_id, token) == []
    assert emails_to_ana(seeded) == []

    again = call(seeded, "POST", path, None, staff_token)  # staff retry: the same answer, nothing new

    assert again.status_code == 200, again.json_body
    assert again.json_body == released.json_body
    assert emails_to_ana(seeded) == []

    assert drain(seeded) == {"sent": 1, "left": 0}
    assert len(emails_to_ana(seeded)) == 1
    assert drain(seeded) == {"sent": 0, "left": 0}
    assert len(emails_to_ana(seeded)) == 1


def test_a_released_result_released_again_answers_the_same_and_emails_once(feed, ana, seeded, staff_token):
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    feed(PATHOLOGY)
    [waiting] = upcoming(seeded, patient_id, token)
    path = f"/v1/staff/results/{waiting['result_id']}/release"

    answers = [call(seeded, "POST", path, None, staff_token) for _ in range(2)]

    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json_body == answers[1].json_body
    assert answers[0].json_body["result_id"] == waiting["result_id"]
    assert len(emails_to_ana(seeded)) == 1


def test_with_step_functions_failing_the_result_is_filed_at_once_and_its_notice_goes_when_it_returns(
    timer_clock, feed, ana, seeded, aws, monkeypatch
):
    patient_id, token = ana
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    down = refuse_timers(monkeypatch)

    feed(PATHOLOGY)  # the feed fixture asserts no record of the batch failed

    assert feed_records()[f"{SENDER}|c-1"].status == "filed"
    records = wiring.container().records
    filed = records.current(patient_id, result_id(wiring.container().record_id_key, ORG, SENDER, "ORD-1^LAB"))
    assert filed is not None and filed.release_timer  # filed, and it names the timer still to start
    assert [w["result_id"] for w in upcoming(seeded, patient_id, token)] == [filed.result_id]
    assert executions(aws) == []
    assert drain(seeded) == {"sent": 0, "left": 1}  # still down: kept for the next drain
    assert emails_to_ana(seeded) == []

    # The service comes back after the result's moment has passed: the notice goes at once.
    down["now"] = False
    timer_clock.advance(seconds=DELAY_SECONDS)
    assert drain(seeded) == {"sent": 1, "left": 0}
    [execution] = finished(aws)

    assert execution["status"] == "SUCCEEDED"
    assert len(emails_to_ana(seeded)) == 1
    assert records.current(patient_id, filed.result_id).release_timer == ""  # announced
    assert drain(seeded) == {"sent": 0, "left": 0}
    assert len(emails_to_ana(seeded)) == 1


def test_a_timer_started_late_still_waits_for_the_results_moment(timer_clock, feed, ana, seeded, aws, monkeypatch):
    patient_id, _ = ana
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    down = refuse_timers(monkeypatch)
    feed(PATHOLOGY)
    down["now"] = False

    # The next feed message drains the outbox too.
    feed(oru("c-2", "ORD-2", "85"))

    assert [e["status"] for e in executions(aws)] == ["RUNNING"]
    assert drain(seeded) == {"sent": 0, "left": 0}
    timer_clock.wait_for_waiting(1)
    emails_before = len(emails_to_ana(seeded))  # (the glucose result was shown and told at once)
    timer_clock.advance(seconds=DELAY_SECONDS)
    [execution] = finished(aws)

    assert execution["status"] == "SUCCEEDED"
    assert len(emails_to_ana(seeded)) == emails_before + 1


def test_a_timer_that_could_not_start_is_counted_where_its_alarm_looks(seeded, enrolled, container, monkeypatch, capfd):
    """Deployed (stage prod): each release timer Step Functions refused is one ReleaseTimersNotStarted."""
    from chalice.test import Client

    import app as app_module
    from chalicelib.feeds.domain import FeedSource
    from tests.conftest import PROJECT_DIR
    from tests.integration.conftest import sqs_event
    from tests.integration.records.conftest import QUEUE

    container.records.add_feed_source(FeedSource(SENDER, ORG, "AMC-MRN"))
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    refuse_timers(monkeypatch)
    capfd.readouterr()

    with Client(app_module.app, stage_name="prod", project_dir=str(PROJECT_DIR)) as prod:
        event = sqs_event(prod, [PATHOLOGY], QUEUE, group_id="LAB")
        assert prod.lambda_.invoke("on_clinical_feed_message", event).payload == {"batchItemFailures": []}

    emitted = [json.loads(line) for line in capfd.readouterr().out.splitlines() if '"_aws"' in line]
    counted = {
        m["Name"]: doc[m["Name"]] for doc in emitted for d in doc["_aws"]["CloudWatchMetrics"] for m in d["Metrics"]
    }
    assert counted["ReleaseTimersNotStarted"] == [1.0]
    assert counted["FeedMessageFiled"] == [1.0]


def test_while_step_functions_is_down_a_drain_asks_it_once_and_keeps_every_timer(seeded, feed, ana, monkeypatch):
    set_policy(seeded, {"category:pathology": DELAY_SECONDS})
    down = refuse_timers(monkeypatch)
    feed(PATHOLOGY, oru("c-2", "ORD-2", "malignant", section="SP", test="22637-3^Pathology report^LN"))
    down["refused"] = 0

    assert drain(seeded) == {"sent": 0, "left": 2}
    assert down["refused"] == 1  # an outage costs one refused call per drain, not one per timer

    down["now"] = False
    assert drain(seeded) == {"sent": 2, "left": 0}
