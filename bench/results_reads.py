"""Reading results (moto decorator mode): a patient with 100 released results filed through the
feed, one of them corrected twice (three versions).

- GET /v1/patients/{id}/results, pages of 20 (five pages, by cursor): through
  chalicelib.records.results.list_results, and through chalice's test client (the route with the
  authorizer's session check and the app's middleware);
- GET /v1/patients/{id}/results/{result_id}: the corrected result with its earlier versions.

DynamoDB round trips are counted with a botocore "before-call" hook on every client (the goal:
the session check + one Query per page + the read's audit PutItem). Times are medians per
request, against raw boto3 making the very same calls (their parameters taken from the service's
own calls): the Query alone (the floor), the Query + the audit PutItem, and, for the
HTTP route, the session UpdateItem as well. For the single read, also one begins_with Query that
returns the current item and its versions together.

Everything is timed twice: against moto, whose own CPU (mostly serializing its answer) is most
of every figure, and with moto switched off and its recorded answers handed back at before-send,
which leaves what the client side costs (what a Lambda pays on top of DynamoDB's latency)."""

from __future__ import annotations

import contextlib
import copy
import json
import os
import statistics
import uuid
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import quote

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402,F401
import moto  # noqa: E402,F401
from moto import mock_aws  # noqa: E402

from bench import feed_intake  # noqa: E402
from bench.feed_intake import (  # noqa: E402
    CALLS,
    ORGANIZATION,
    Timings,
    by_operation,
    capturing,
    clients,
    filing_stack,
    frozen_heap,
    oru_with_20_obx,
    replay,
)
from bench.table import Row, render  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parents[1]
QUICK = os.environ.get("BENCH_QUICK") == "1"
RESULTS = 21 if QUICK else 100
PAGE = 20
REPEATS = 2 if QUICK else 20  # each page (and the single read), each way
CORRECTED = 7  # the order number corrected twice


def _local_stage_environment() -> None:
    """The local stage's portal variables, as the integration tests and the local stack set them."""
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    for name, value in config["stages"]["local"]["environment_variables"].items():
        if name.startswith("PORTAL_"):
            os.environ[name] = value


def _patient_with_results(container, filer, filed) -> tuple[str, str]:
    """100 results through the feed, the CORRECTED one twice more; (patient id, its result id)."""
    from chalicelib.feeds import service as feeds
    from chalicelib.records.domain import result_id

    def send(body: bytes) -> None:
        feeds.receive(
            body,
            archive=container.feed_archive,
            messages=container.feed_messages,
            sender_hint="LAB",
            filer=filer,
            received_at=container.clock.now(),
        )

    for number in range(RESULTS):
        send(oru_with_20_obx(number))
    for correction in (1, 2):
        send(oru_with_20_obx(500_000 + correction, status="C", shift=correction, order=CORRECTED))
    patient_id = filed[0].patients[0]
    return patient_id, result_id(container.record_id_key, ORGANIZATION, "LAB|ALBANYMED", f"FIL{CORRECTED}")


def _patient_session(container, patient_id: str) -> str:
    """A signed-in patient account for the record (no password work: the session is opened directly)."""
    from chalicelib.accounts.domain import Account, AccountStatus, Role
    from chalicelib.identity import sessions, terms
    from chalicelib.kernel.clock import SystemClock

    now = SystemClock().now
    from chalicelib.kernel.origin import Origin

    at = now()
    account = Account(
        account_id=uuid.uuid4().hex,
        username="bench.patient",
        organization_id=ORGANIZATION,
        role=Role.PATIENT,
        password_hash="-",
        status=AccountStatus.ACTIVE,
        email="p@bench.example",
        created_at=at,
        email_verified=True,
        patient_id=patient_id,
        terms_version=terms.SHIPPED.version,
        terms_accepted_at=at,
    )
    container.directory.add_account(account)
    account = container.directory.account(account.account_id)
    return sessions.open_session(container, Origin("127.0.0.1"), account, at, "password")["token"]


def _fresh_put(call: tuple, number: int) -> tuple:
    """An audit PutItem again, under a sort key of its own (its condition refuses a second one)."""
    service, operation, params = call
    item = dict(params["Item"])
    item["sort_key"] = {"S": f"{item['sort_key']['S']}#{number}"}
    return service, operation, {**params, "Item": item}


def _fresh_call(call: tuple, number: int) -> tuple:
    return _fresh_put(call, number) if call[1] == "PutItem" else call


class _LambdaContext:
    function_name = "patient-portal-prod-APIHandler"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:patient-portal-prod-APIHandler"
    aws_request_id = "bench-request"
    log_group_name = log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 29000


class _Handed:
    """Stands in for the app object in chalice's gateway: keeps the last Lambda event it is handed,
    with the calls the app made answering it and their answers."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self.last: tuple[dict, list, list] = ({}, [], [])

    def __getattr__(self, name: str) -> Any:
        return getattr(self._app, name)

    def __call__(self, event: dict, context: Any) -> Any:
        global _answers
        kept = copy.deepcopy(event)
        outer_calls, outer_answers = feed_intake._captured, _answers
        calls: list = []
        answers: list = []
        feed_intake._captured, _answers = calls, answers
        try:
            answer = self._app(event, context)
        finally:
            feed_intake._captured, _answers = outer_calls, outer_answers
            for outer, inner in ((outer_calls, calls), (outer_answers, answers)):
                if outer is not None:
                    outer.extend(inner)
        self.last = (kept, calls, answers)
        return answer


# -- moto's answers replayed, to see the client side alone ----------------------------------------

_answers: list | None = None  # while recording: (operation, status, headers, body) of each answer
_canned: dict[str, tuple] | None = None  # while replaying: operation -> its recorded answer


def _record_answer(event_name: str, http_response, **_: Any) -> None:
    if _answers is not None:
        _answers.append(
            (
                event_name.rsplit(".", 1)[1],
                http_response.status_code,
                dict(http_response.headers),
                http_response.content,
            )
        )


def _canned_answer(request, event_name: str, **_: Any):
    if _canned is None:
        return None  # moto answers
    hit = _canned.get(event_name.rsplit(".", 1)[1])
    if hit is None:  # moto is switched off meanwhile: never let a call through to AWS
        raise RuntimeError(f"no recorded answer for {event_name}")
    from botocore.awsrequest import AWSResponse
    from moto.core.botocore_stubber import MockRawResponse

    status, headers, body = hit
    return AWSResponse(request.url, status, headers, MockRawResponse(body))


@contextlib.contextmanager
def recording():
    global _answers
    _answers = []
    try:
        yield _answers
    finally:
        _answers = None


@contextlib.contextmanager
def canned(answers: list):
    """Every call answered with what moto answered before for its operation; moto itself is
    switched off meanwhile (botocore calls every before-send handler, so it would still do the work)."""
    from moto.core.models import botocore_stubber

    global _canned
    _canned = {operation: (status, headers, body) for operation, status, headers, body in answers}
    was = botocore_stubber.enabled
    botocore_stubber.enabled = False
    try:
        yield
    finally:
        botocore_stubber.enabled = was
        _canned = None


def _hook_answers(container) -> None:
    for client in clients(container):
        client.meta.events.register("after-call", _record_answer, unique_id="bench-record-answers")
        client.meta.events.register_first("before-send", _canned_answer, unique_id="bench-canned-answers")


def measure() -> tuple[dict[str, Timings], list[dict[str, Any]]]:
    """Prints the detail; the medians by name, and each page's calls counted."""
    from chalice.test import Client

    import app as app_module
    from chalicelib.identity import session_check
    from chalicelib.kernel.clock import SystemClock
    from chalicelib.kernel.origin import Origin

    now = SystemClock().now
    from chalicelib.records import results as service
    from chalicelib.records.contract import ResultsQuery

    with mock_aws():
        _local_stage_environment()
        container, _, filer, filed = filing_stack()
        _hook_answers(container)
        patient_id, corrected_id = _patient_with_results(container, filer, filed)
        token = _patient_session(container, patient_id)
        header = {"Authorization": f"Bearer {token}"}
        origin = Origin("127.0.0.1")
        caller = session_check.authorize(container, f"Bearer {token}", now())
        base = f"/v1/patients/{patient_id}/results"

        with Client(app_module.app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:

            def get(path: str):
                return client.http.request("GET", path, headers=header)

            # What API Gateway hands the API function, and the calls the function itself makes
            # (the session check, where it runs in front of the function, is not among them).
            client.http.request("GET", "/v1/health")
            gateway = client.http._local_gateway
            handed = _Handed(gateway._app_object)
            gateway._app_object = handed

            # -- one pass by cursor, each way: counted, calls and answers recorded (untimed) ------
            pages: list[dict] = []
            cursor = ""
            while True:
                page: dict[str, Any] = {
                    "query": {"limit": str(PAGE), **({"cursor": cursor} if cursor else {})},
                    "path": f"{base}?limit={PAGE}" + (f"&cursor={quote(cursor)}" if cursor else ""),
                }
                page["model"] = ResultsQuery.model_validate(page["query"])  # as the route parses it
                CALLS.clear()
                with capturing() as page["service_calls"], recording() as page["service_answers"]:
                    answer = service.list_results(container, caller, origin, patient_id, page["model"], now())
                page["service_counts"] = Counter(CALLS)
                CALLS.clear()
                with capturing() as page["route_calls"], recording() as page["route_answers"]:
                    response = get(page["path"])
                page["route_counts"] = Counter(CALLS)
                page["event"], page["function_calls"], page["function_answers"] = handed.last
                page.update(
                    items=len(answer["results"]),
                    status=response.status_code,
                    same=response.status_code == 200 and response.json_body == answer,
                )
                pages.append(page)
                cursor = answer["next_cursor"] or ""
                if not cursor:
                    break
            CALLS.clear()
            service.list_results(container, caller, origin, patient_id, ResultsQuery(category="lab"), now())
            category_counts = Counter(CALLS)

            single: dict[str, Any] = {"path": f"{base}/{corrected_id}"}
            CALLS.clear()
            with capturing() as single["service_calls"], recording() as single["service_answers"]:
                detail = service.get_result(container, caller, origin, patient_id, corrected_id, now())
            single["service_counts"] = Counter(CALLS)
            CALLS.clear()
            with capturing() as single["route_calls"], recording() as single["route_answers"]:
                single["status"] = get(single["path"]).status_code
            single["route_counts"] = Counter(CALLS)

            # -- the raw calls ---------------------------------------------------------------------
            for entry in pages + [single]:
                entry["put"] = next(c for c in entry["service_calls"] if c[1] == "PutItem")
                entry["reads"] = [c for c in entry["service_calls"] if c[1] in ("GetItem", "Query")]
                entry["session"] = next(c for c in entry["route_calls"] if c[1] == "UpdateItem")
            records_table = single["reads"][0][2]["TableName"]
            single["one_query"] = (
                "dynamodb",
                "Query",
                {
                    "TableName": records_table,
                    "ConsistentRead": True,
                    "ScanIndexForward": False,
                    "KeyConditionExpression": "patient_id = :p AND begins_with(record_key, :r)",
                    "ExpressionAttributeValues": {":p": {"S": patient_id}, ":r": {"S": f"result#{corrected_id}"}},
                },
            )
            with recording() as one_query_answer:
                single["one_query_items"] = len(replay(container, single["one_query"])["Items"])

            def raw(*calls: tuple) -> None:
                for call in calls:
                    replay(container, call)

            # -- timed, the ways taking turns: against moto, then with moto's answers replayed ------
            t: dict[str, Timings] = {}

            def timed(name: str, function) -> None:
                t.setdefault(name, Timings()).time(function)

            serial = iter(range(10**9))
            with frozen_heap():
                for _ in range(REPEATS):
                    for page in pages:
                        query = page["reads"][0]
                        timed("raw_query", lambda: raw(query))
                        timed("raw_query_put", lambda: raw(query, _fresh_put(page["put"], next(serial))))
                        timed(
                            "repository",
                            lambda: container.records.page(
                                patient_id, "", now(), PAGE, page["query"].get("cursor", "")
                            ),
                        )
                        timed(
                            "service",
                            lambda: service.list_results(container, caller, origin, patient_id, page["model"], now()),
                        )
                        timed("raw_route", lambda: raw(page["session"], query, _fresh_put(page["put"], next(serial))))
                        timed("route", lambda: get(page["path"]))
                        with canned(page["service_answers"]):
                            timed("c_raw_query", lambda: raw(query))
                            timed("c_raw_query_put", lambda: raw(query, page["put"]))
                            timed(
                                "c_repository",
                                lambda: container.records.page(
                                    patient_id, "", now(), PAGE, page["query"].get("cursor", "")
                                ),
                            )
                            timed(
                                "c_service",
                                lambda: service.list_results(
                                    container, caller, origin, patient_id, page["model"], now()
                                ),
                            )
                        with canned(page["route_answers"]):
                            timed("c_raw_route", lambda: raw(page["session"], query, page["put"]))
                            timed("c_route", lambda: get(page["path"]))
                        with canned(page["function_answers"]):
                            function_calls = [_fresh_call(call, next(serial)) for call in page["function_calls"]]
                            timed("c_raw_function", lambda: raw(*function_calls))
                            event = copy.deepcopy(page["event"])
                            timed("c_function", lambda: app_module.app(event, _LambdaContext()))
                    reads = single["reads"]
                    timed("raw_single_one", lambda: raw(single["one_query"], _fresh_put(single["put"], next(serial))))
                    timed("raw_single", lambda: raw(*reads, _fresh_put(single["put"], next(serial))))
                    timed(
                        "service_single",
                        lambda: service.get_result(container, caller, origin, patient_id, corrected_id, now()),
                    )
                    timed(
                        "raw_single_route",
                        lambda: raw(single["session"], *reads, _fresh_put(single["put"], next(serial))),
                    )
                    timed("route_single", lambda: get(single["path"]))
                    with canned(single["service_answers"]):
                        timed("c_raw_single", lambda: raw(*reads, single["put"]))
                        timed(
                            "c_service_single",
                            lambda: service.get_result(container, caller, origin, patient_id, corrected_id, now()),
                        )
                    with canned(one_query_answer + single["service_answers"][-1:]):
                        timed("c_raw_single_one", lambda: raw(single["one_query"], single["put"]))
                    with canned(single["route_answers"]):
                        timed("c_raw_single_route", lambda: raw(single["session"], *reads, single["put"]))
                        timed("c_route_single", lambda: get(single["path"]))

    def versus(name: str, floor: str, floor_name: str) -> str:
        return (
            f"{'':<74}   {t[name].median_cpu / t[floor].median_cpu:5.2f}x CPU, "
            f"{t[name].median_wall / t[floor].median_wall:5.2f}x wall of {floor_name}"
        )

    print(f"one patient, {RESULTS} released results (20 OBX each; one corrected twice); pages of {PAGE}")
    print("DynamoDB/S3 calls per page (goal: session UpdateItem + 1 Query + audit PutItem):")
    for number, page in enumerate(pages, start=1):
        print(
            f"  page {number} ({page['items']:>2} results, HTTP {page['status']}, same body as the service: "
            f"{page['same']})  service: {by_operation(page['service_counts'])}; "
            f"GET route: {by_operation(page['route_counts'])}"
        )
    print(f"  ?category=lab page 1, service: {by_operation(category_counts)}")
    print(
        f"single result ({detail['version']} versions: current + {len(detail['earlier_versions'])} earlier; "
        f"one begins_with Query returns {single['one_query_items']} items), HTTP {single['status']}"
    )
    print(f"  service: {by_operation(single['service_counts'])}; GET route: {by_operation(single['route_counts'])}")
    print(f"medians per request in ms, {REPEATS} x {len(pages)} pages and {REPEATS} single reads")
    print(f"{'':<58} {'CPU':>7} {'wall':>7}")
    for title, prefix in (
        ("against moto (its server-side CPU inside every figure)", ""),
        ("client side only (moto's recorded answers replayed at before-send)", "c_"),
    ):
        print(title + ":")
        print(t[prefix + "raw_query"].line("  floor: raw boto3 Query (same parameters, 21 items)"))
        print(t[prefix + "raw_query_put"].line("  raw boto3 Query + audit PutItem"))
        print(
            t[prefix + "repository"].line(
                "  records.page (PynamoDB Query, to StoredResult)", t[prefix + "raw_query"], "raw Query"
            )
        )
        print(
            t[prefix + "service"].line(
                "  service.list_results (Query + audit, summaries)", t[prefix + "raw_query"], "raw Query"
            )
        )
        print(versus(prefix + "service", prefix + "raw_query_put", "raw Query + PutItem"))
        print(t[prefix + "raw_route"].line("  raw boto3 session UpdateItem + Query + audit PutItem"))
        print(
            t[prefix + "route"].line(
                "  GET .../results through the test client", t[prefix + "raw_route"], "raw 3 calls"
            )
        )
        print(t[prefix + "raw_single_one"].line("  single: raw boto3 one Query (current + versions) + PutItem"))
        print(t[prefix + "raw_single"].line("  single: raw boto3 GetItem + Query + PutItem (its calls)"))
        print(
            t[prefix + "service_single"].line(
                "  single: service.get_result", t[prefix + "raw_single_one"], "one Query + PutItem"
            )
        )
        print(versus(prefix + "service_single", prefix + "raw_single", "its 3 calls raw"))
        print(t[prefix + "raw_single_route"].line("  single: raw boto3 session UpdateItem + its 3 calls"))
        print(
            t[prefix + "route_single"].line(
                "  single: GET .../results/{id}, test client", t[prefix + "raw_single_route"], "raw 4 calls"
            )
        )

    return t, pages


def rows() -> list[Row]:
    t, pages = measure()
    print(t["c_raw_function"].line("client side: raw boto3, the API function's own calls"))
    print(t["c_function"].line("client side: the API function (app.app(event))", t["c_raw_function"], "raw"))
    function_calls = statistics.median(len(page["function_calls"]) for page in pages)
    route_calls = statistics.median(sum(page["route_counts"].values()) for page in pages)
    note = (
        f"{RESULTS} results, pages of {PAGE} by cursor, {REPEATS} turns per page, ways taking turns, medians; "
        "client side: moto's recorded answers replayed at before-send; the API function handed the event "
        "API Gateway hands it; floor: raw boto3 making the very calls the function made"
    )
    return [
        Row("results page, the API function (client side), CPU", t["c_function"].median_cpu, "ms CPU",
            "<= 1.5x floor", t["c_raw_function"].median_cpu, note),
        Row("results page, the API function (client side), wall", t["c_function"].median_wall, "ms wall",
            "<= 1.5x floor", t["c_raw_function"].median_wall),
        Row("results page, service (client side), CPU", t["c_service"].median_cpu, "ms CPU", "<= 1.5x floor",
            t["c_raw_query_put"].median_cpu),
        Row("results page, the API function's AWS calls", function_calls, "calls", "1 Query + audit (+ session)",
            2.0),
        Row("results page, AWS calls with the session check", route_calls, "calls", "session + 1 Query + audit",
            3.0),
    ]  # fmt: skip


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
