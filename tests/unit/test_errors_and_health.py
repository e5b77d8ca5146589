"""Domain errors -> HTTP, and the health check over dependency probes."""

from __future__ import annotations

import threading
import time

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib import errors
from chalicelib.health.service import ServiceHealth, check

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
