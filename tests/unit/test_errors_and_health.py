"""Domain errors -> HTTP, and the deep health check over dependency probes and its cache."""

from __future__ import annotations

import threading
import time

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib import errors
from chalicelib.health.service import CachedDeepCheck, ServiceHealth, check
from chalicelib.kernel.clock import PinnedClock
from tests.conftest import pinned_start

# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "error_class, status, code",
    [
        (errors.ValidationFailed, 400, "validation_failed"),
        (errors.NotAuthenticated, 401, "not_authenticated"),
        (errors.Forbidden, 403, "forbidden"),
        (errors.NotFound, 404, "not_found"),
        (errors.Conflict, 409, "conflict"),
        (errors.DependencyUnavailable, 503, "service_unavailable"),
    ],
)
def test_each_error_maps_to_its_status_and_body(error_class, status, code):
    # GIVEN a domain error with details / WHEN mapped to HTTP
    details = [{"field": "email", "issue": "not an email address"}]
    answer = errors.to_http(error_class("Something is wrong.", details))
    # THEN status and body are the documented ones
    assert answer == (status, {"error": {"code": code, "message": "Something is wrong.", "details": details}})


def test_too_many_requests_says_when_to_retry():
    error = errors.TooManyRequests("Too many attempts.", retry_after_seconds=42)
    assert errors.to_http(error) == (
        429,
        {
            "error": {
                "code": "too_many_requests",
                "message": "Too many attempts.",
                "details": [{"retry_after_seconds": 42}],
            }
        },
    )
    assert error.headers == {"Retry-After": "42"}


def test_an_error_may_carry_a_more_precise_code():
    status, body = errors.to_http(errors.Forbidden("Accept the terms first.", code="terms_acceptance_required"))
    assert (status, body["error"]["code"]) == (403, "terms_acceptance_required")


def test_subclass_of_a_mapped_error_keeps_its_parent_status():
    class UsernameTaken(errors.Conflict):
        pass

    status, body = errors.to_http(UsernameTaken("The user name is taken."))
    assert status == 409 and body["error"]["code"] == "conflict"


def test_error_class_without_a_status_answers_as_the_servers_fault():
    # GIVEN a PortalError subclass nobody gave a status (a programming mistake)
    class Unmapped(errors.PortalError):
        code = "unmapped"

    # WHEN mapped to HTTP
    status, body = errors.to_http(Unmapped("Something is wrong."))
    # THEN it is a 500, not blamed on the caller as a 400, and, being a 5xx, it reveals nothing of it
    assert status == 500
    assert body == {"error": {"code": "internal_error", "message": "Something went wrong on our side.", "details": []}}
    assert errors.to_http(errors.PortalError("Bare."))[0] == 500


def test_details_default_to_an_empty_list():
    _, body = errors.to_http(errors.NotFound("No such record."))
    assert body == {"error": {"code": "not_found", "message": "No such record.", "details": []}}


# --- health ----------------------------------------------------------------------------------


def ok() -> None:
    return None


def client_error() -> None:
    raise ClientError({"Error": {"Code": "ResourceNotFoundException", "Message": "no table"}}, "DescribeTable")


def no_endpoint() -> None:
    raise EndpointConnectionError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")


def unavailable() -> None:
    raise errors.DependencyUnavailable("The audit trail is unavailable.")


@pytest.fixture
def hanging_probe():
    """A probe that blocks until the test ends (released so no thread outlives the test): a check
    that waited for it would not return before then, and would find it answering."""
    release = threading.Event()
    yield lambda: release.wait(60)
    release.set()


def test_all_probes_ok():
    results = check({"dynamodb": ok, "s3": ok}, timeout=0.2)
    assert [(r.name, r.ok) for r in results] == [("dynamodb", True), ("s3", True)]
    assert all(r.latency_ms >= 0 for r in results)


@pytest.mark.parametrize(
    "probe", [client_error, no_endpoint, unavailable], ids=["client-error", "no-endpoint", "dependency-unavailable"]
)
def test_failing_probe_is_not_ok_and_others_still_report(probe):
    results = check({"s3": ok, "dynamodb": probe, "ses": ok}, timeout=0.2)
    assert [(r.name, r.ok) for r in results] == [("s3", True), ("dynamodb", False), ("ses", True)]


def test_probe_that_does_not_answer_in_time_is_not_ok_and_check_returns_promptly(hanging_probe):
    # GIVEN one probe that hangs
    # WHEN checked with a 0.2 s timeout
    results = check({"sqs": ok, "stepfunctions": hanging_probe, "kms": ok}, timeout=0.2)
    # THEN it is reported down at the timeout, the rest up (check did not wait for it: the probe
    # is still blocked, and would have answered had check waited)
    assert results[1] == ServiceHealth("stepfunctions", False, 200.0)
    assert [(r.name, r.ok) for r in results] == [("sqs", True), ("stepfunctions", False), ("kms", True)]


def test_a_service_is_down_when_any_of_its_resources_is_and_is_named_once(hanging_probe):
    # GIVEN two buckets, one gone, and two queues, one that does not answer in time
    probes = {
        "s3.documents": ok,
        "sqs.notifications": ok,
        "s3.feed_archive": client_error,
        "sqs.acks": hanging_probe,
        "kms.data_key": ok,
    }

    results = check(probes, timeout=0.2)

    # THEN the answer is one line per service, in the probes' order, each down if any part is
    assert [(r.name, r.ok) for r in results] == [("s3", False), ("sqs", False), ("kms", True)]
    assert results[1].latency_ms == 200.0  # the slowest part: the one that never answered


def test_probes_run_at_the_same_time():
    # GIVEN three probes that can only answer together: each waits for the other two
    meeting = threading.Barrier(3, timeout=10)

    def together() -> None:
        meeting.wait()

    # WHEN checked
    results = check({"a": together, "b": together, "c": together}, timeout=5)
    # THEN all answer: they ran at the same time (one after another, the first would wait for
    # the others until the check's timeout, and be reported down)
    assert [r.ok for r in results] == [True, True, True]


def test_results_keep_the_probes_order_whatever_finishes_first():
    def later() -> None:
        time.sleep(0.05)

    names = ["kms", "dynamodb", "s3", "ses", "sqs", "stepfunctions"]
    probes = {name: (later if i % 2 == 0 else ok) for i, name in enumerate(names)}
    assert [r.name for r in check(probes, timeout=0.5)] == names


def test_no_probes_is_an_empty_report():
    assert check({}, timeout=0.2) == []


# --- the deep check's cache --------------------------------------------------------------------


class CountingRounds:
    """Stands in for ``check``: counts probe rounds and answers what ``down`` names."""

    def __init__(self):
        self.rounds = 0
        self.down: set[str] = set()

    def __call__(self, probes):
        self.rounds += 1
        return [ServiceHealth(name, name not in self.down, 1.0) for name in probes]


PROBES = {"dynamodb": ok, "sqs": ok}


def test_a_burst_of_deep_checks_costs_one_probe_round():
    clock, rounds = PinnedClock(pinned_start()), CountingRounds()
    deep = CachedDeepCheck(ttl_seconds=10, run=rounds)

    answers = []
    for _ in range(50):
        answers.append(deep.result(clock.now(), lambda: PROBES))
        clock.advance(seconds=0.1)

    assert rounds.rounds == 1
    assert {a.checked_at for a in answers} == {answers[0].checked_at}


def test_the_deep_check_probes_again_once_its_answer_is_older_than_the_cache_time():
    clock, rounds = PinnedClock(pinned_start()), CountingRounds()
    deep = CachedDeepCheck(ttl_seconds=10, run=rounds)
    # GIVEN SQS down at the first round
    rounds.down = {"sqs"}
    first = deep.result(clock.now(), lambda: PROBES)
    assert (first.healthy, first.unavailable) == (False, ["sqs"])

    # WHEN it recovers: the failure is still the answer until the cache time has passed
    rounds.down = set()
    clock.advance(seconds=9.9)
    assert deep.result(clock.now(), lambda: PROBES).unavailable == ["sqs"] and rounds.rounds == 1
    clock.advance(seconds=0.1)
    again = deep.result(clock.now(), lambda: PROBES)

    # THEN a new round sees it
    assert rounds.rounds == 2 and again.healthy and again.checked_at == clock.now()


def test_a_cached_deep_check_builds_no_probe():
    clock, built = PinnedClock(pinned_start()), []

    def probes():
        built.append(1)  # (the container builds AWS clients here)
        return PROBES

    deep = CachedDeepCheck(ttl_seconds=10, run=CountingRounds())
    deep.result(clock.now(), probes)
    deep.result(clock.now(), probes)

    assert built == [1]


def test_a_clock_set_back_does_not_keep_an_answer_from_the_future():
    clock, rounds = PinnedClock(pinned_start()), CountingRounds()
    deep = CachedDeepCheck(ttl_seconds=10, run=rounds)
    deep.result(clock.now(), lambda: PROBES)

    clock.advance(seconds=-1)
    deep.result(clock.now(), lambda: PROBES)

    assert rounds.rounds == 2


def test_callers_during_a_round_wait_for_it_and_share_its_answer():
    clock, rounds = PinnedClock(pinned_start()), CountingRounds()
    entered, release = threading.Event(), threading.Event()

    def slow_round(probes):
        entered.set()
        release.wait(10)
        return rounds(probes)

    deep = CachedDeepCheck(ttl_seconds=10, run=slow_round)
    answers = []
    callers = [threading.Thread(target=lambda: answers.append(deep.result(clock.now(), lambda: PROBES)))]
    callers[0].start()
    entered.wait(10)
    callers += [
        threading.Thread(target=lambda: answers.append(deep.result(clock.now(), lambda: PROBES))) for _ in range(5)
    ]
    for caller in callers[1:]:
        caller.start()
    release.set()
    for caller in callers:
        caller.join(10)

    assert rounds.rounds == 1 and len(answers) == 6
