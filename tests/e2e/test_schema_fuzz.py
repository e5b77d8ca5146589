"""Schema fuzzing: schemathesis generates requests from /v1/openapi.json and sends them to a local
stack over real HTTP as an anonymous caller, a signed-in patient and a signed-in staff member.

Every answer must be one the document declares, in the declared shape: no 5xx, no undeclared
status, no body off its schema. Valid requests (positive) and invalid ones (negative: wrong types,
missing fields, unknown fields, out-of-range values) are both generated; the second kind checks
that bad input is a 4xx, never an outage.

It runs against a stack of its own: the calls change data (sign-outs, password changes, patients
registered) that the other e2e modules must not see.
"""

from __future__ import annotations

import json
import os
import urllib.request
from collections import Counter

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.openapi import from_dict

from tests.e2e.conftest import running_portal
from tests.e2e.test_identity_journey import STAFF_PASSWORD, STAFF_USER, Api, enrolled

pytestmark = pytest.mark.e2e

# Examples per operation, per caller and per generation mode, where the caller reaches the
# operation's code (see _examples). Three callers, two modes and about 130 operations.
EXAMPLES = int(os.environ.get("PORTAL_FUZZ_EXAMPLES", "5"))
# Where the caller is stopped at the door (an anonymous caller on a signed-in route, a patient on a
# staff route, a staff member on an admin's), every example gets the same 401 or 403 before any
# code of the operation runs: one example per mode checks that answer is declared. Spending the
# full count there tripled the fuzz's time (five minutes of the e2e layer's six on a busy machine)
# for no more coverage.
AT_THE_DOOR = 1
# Who reaches an operation's code, from what the document says of it ("Who may call it: ...").
REACHES = {
    "anonymous": ("public",),
    "patient": ("patient accounts", "any signed-in account"),
    "staff": ("staff and admins of an organization", "any signed-in account"),
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Operations that end the caller's session: fuzzed only as the anonymous caller (as a signed-in one
# they would sign the rest of the run out, and the other operations would only ever see 401).
SESSION_ENDING = {("DELETE", "/v1/sessions/current"), ("PUT", "/v1/me/password")}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    # Sessions must outlive the run (the e2e stacks' idle timeout is a few seconds, for the journey
    # that watches one expire); the throttle must not turn the generated sign-ins into 429s.
    with running_portal(
        tmp_path_factory.mktemp("fuzz"), PORTAL_ATTEMPTS_PER_ADDRESS="100000", PORTAL_SESSION_IDLE_SECONDS="3600"
    ) as running:
        yield running


@pytest.fixture(scope="module")
def callers(stack) -> dict[str, dict[str, str]]:
    api = Api(stack)
    staff = api.call("POST", "/v1/sessions", {"username": STAFF_USER, "password": STAFF_PASSWORD}).json()["token"]
    terms = api.call("GET", "/v1/terms").json()["version"]
    patient = api.call("POST", "/v1/sessions", enrolled(api, terms, "fuzz").credentials()).json()["token"]
    return {
        "anonymous": {},
        "patient": {"Authorization": f"Bearer {patient}"},
        "staff": {"Authorization": f"Bearer {staff}"},
    }


@pytest.fixture(scope="module")
def schema(stack):
    with urllib.request.urlopen(stack.api_url + "/v1/openapi.json", timeout=10) as answer:
        return from_dict(json.loads(answer.read()))


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _examples(operation, caller: str) -> int:
    """EXAMPLES where ``caller`` gets past the access check into the operation's code; AT_THE_DOOR
    where it is refused before (a public operation is fully fuzzed as the anonymous caller)."""
    definition = operation.definition.raw
    who = "public" if definition.get("security") == [] else definition.get("description", "")
    return EXAMPLES if any(reach in who for reach in REACHES[caller]) else AT_THE_DOOR


def _fuzzer(strategy, send, examples: int):
    """A hypothesis test that sends ``examples`` cases drawn from ``strategy``, the same ones every run."""

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case):
        send(case)

    return run


# Per caller, so that the three runs spread over the suite's workers (each worker that runs one
# starts its own stack). Together they send well over 1,000 requests; fewer means the generation
# silently stopped covering operations.
MINIMUM_REQUESTS_PER_CALLER = 200


@pytest.mark.parametrize("caller", ["anonymous", "patient", "staff"])
def test_generated_requests_get_only_declared_answers(stack, callers, schema, caller):
    headers = callers[caller]
    statuses: Counter[int] = Counter()
    session = requests.Session()
    failures: list[str] = []

    def _send(case) -> None:
        response = case.call(base_url=stack.api_url, session=session, headers=dict(headers))
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    for operation in _operations(schema):
        if caller != "anonymous" and (operation.method.upper(), operation.path) in SESSION_ENDING:
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                strategy = operation.as_strategy(generation_mode=mode)
            except Exception as failure:  # noqa: BLE001 - an operation the fuzz cannot cover is a failure
                failures.append(f"{mode.value} {operation.method.upper()} {operation.path}: no strategy: {failure}")
                continue
            try:
                _fuzzer(strategy, _send, _examples(operation, caller))()
            except Unsatisfiable:  # nothing to make invalid: no parameter, no body
                pass
            except Exception as failure:  # noqa: BLE001 - collected, all reported together
                failures.append(f"{mode.value} {operation.method.upper()} {operation.path}: {failure}")
    total = sum(statuses.values())
    print(f"\nschema fuzz as {caller}: {total} requests; answers by status: {sorted(statuses.items())}")
    reached = [op for op in _operations(schema) if _examples(op, caller) == EXAMPLES]
    assert reached, f"the fuzz found no operation a {caller} caller reaches: the document's access words changed"
    assert failures == [], "\n\n".join(failures)
    assert total >= MINIMUM_REQUESTS_PER_CALLER
    if caller != "anonymous":  # the session held: the fuzz reached past the access rules
        assert statuses[200] + statuses[201] > 0 and statuses[403] > 0
