"""What a page of the results and documents lists reads (moto decorator mode), in read units as
DynamoDB charges them (bench/read_units.py: moto's ConsumedCapacity is a constant, so the units
are computed from the sizes of the items each Query read, 4 KB a unit, halved for the
eventually consistent list reads).

- Results: a patient with 21 results filed through the feed (an ORU^R01 of 20 OBX each, as a
  metabolic panel comes); GET .../results?limit=20 through chalicelib.records.results.list_results
  reads the results' summaries. Beside it, the same page of the reports themselves (the by-time
  index of the patient's partition, as the list read before summaries): what a page used to cost.
- Documents: 21 chart documents as document filing stores them (their files in S3, the item holds
  the document's description only); list_documents reads the items themselves.

A page asks for one item more than it shows (is there another page?), and the units are per item
shown."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
import moto  # noqa: E402,F401  (moto must patch botocore before any client exists)
from botocore.client import BaseClient  # noqa: E402
from moto import mock_aws  # noqa: E402

from bench.read_units import item_size, query_read_units  # noqa: E402
from bench.table import Row, render  # noqa: E402

ORGANIZATION = "bench-org"
PAGE = 20
PATIENT_ID = "a" * 32


def oru_with_20_obx(number: int) -> bytes:
    segments = [
        f"MSH|^~\\&|LAB|ALBANYMED|PORTAL|ALBANYMED|20261125120000||ORU^R01^ORU_R01|CTRL{number:06d}|P|2.5.1",
        "PID|1||MRN12345^^^ALBANYMED^MR||DOE^JANE||19800101|F",
        f"OBR|1|ORD{number}|FIL{number}|24323-8^Comprehensive metabolic panel^LN|||20261125110000",
    ]
    segments += [f"OBX|{i}|NM|{2000 + i}-0^Analyte {i}^LN||{i * 1.5:.1f}|mg/dL|1.0-50.0|N|||F" for i in range(1, 21)]
    return "\r".join(segments).encode()


@contextmanager
def record_queries() -> Iterator[list[dict[str, Any]]]:
    """The answers of every Query of the records table made meanwhile (any client)."""
    answers: list[dict[str, Any]] = []
    original = BaseClient._make_api_call

    def recorded(client, operation, params):
        answer = original(client, operation, params)
        if operation == "Query" and params.get("TableName", "").endswith("RecordsTable"):
            answers.append(answer)
        return answer

    BaseClient._make_api_call = recorded  # type: ignore[method-assign]
    try:
        yield answers
    finally:
        BaseClient._make_api_call = original  # type: ignore[method-assign]


def _stack():
    from chalicelib import wiring
    from chalicelib.accounts import service as accounts
    from chalicelib.feeds.domain import FeedSource
    from infra.local.provision import provision

    os.environ.update(provision(boto3.session.Session()).environment)
    wiring.reset()
    container = wiring.container()
    accounts.ensure_organization(container.directory, ORGANIZATION, "Bench", now=container.clock.now())
    container.records.add_feed_source(FeedSource("*", ORGANIZATION, "BENCH-MRN"))
    return container


def _file_results(container, count: int) -> str:
    from chalicelib.feeds import service as feeds
    from chalicelib.filing import service as filing

    patients: list[str] = []

    def filer(envelope, message_key: str) -> None:
        outcome = filing.file_message(container, envelope, message_key, container.clock.now())
        patients.extend(outcome.patients)

    for number in range(count):
        feeds.receive(
            oru_with_20_obx(number),
            archive=container.feed_archive,
            messages=container.feed_messages,
            sender_hint="LAB",
            filer=filer,
            received_at=container.clock.now(),
        )
    return patients[0]


def _file_documents(container, patient_id: str, count: int) -> None:
    """Chart documents as document filing stores them (filing/documents.py): the description."""
    from chalicelib.kernel.keys import new_id, timed_key
    from chalicelib.records.domain import StoredResult

    now = container.clock.now()
    for number in range(count):
        rid = new_id()
        content = {
            "title": "Discharge summary",
            "type": "discharge-summary",
            "code": {"code": "18842-5", "display": "Discharge summary", "system": "http://loinc.org"},
            "status": "final",
            "authored_at": "2026-11-25T11:00:00Z",
            "reported_at": "2026-11-25T12:00:00Z",
            "author": "Gail Doctor",
            "content_type": "application/pdf",
            "size": 48_213 + number,
            "sha256": "0" * 64,
            "as_of": None,
            "revision": None,
            "replaced": False,
        }
        container.records.put_version(
            StoredResult(
                patient_id=patient_id,
                result_id=rid,
                version=1,
                category="document:discharge-summary",
                status="final",
                content_sha256=rid,
                content=content,
                organization_id=ORGANIZATION,
                source=f"EHR|{rid}",
                filed_at=now,
                release_at=now,
                listed_at=timed_key(now, rid),
                kind="document",
                object_key=f"documents/{patient_id}/{rid}/v0001",
            )
        )


def measure() -> dict[str, Any]:
    from chalicelib.kernel.caller import Caller
    from chalicelib.kernel.origin import Origin
    from chalicelib.records import documents, results
    from chalicelib.records.contract import DocumentsQuery, ResultsQuery

    with mock_aws():
        container = _stack()
        patient_id = _file_results(container, PAGE + 1)
        _file_documents(container, patient_id, PAGE + 1)
        caller = Caller(
            account_id="bench-staff",
            role="staff",
            organization_id=ORGANIZATION,
            patient_id="",
            session_id="s",
            restriction="",
        )
        origin, now = Origin("127.0.0.1"), container.clock.now()
        with record_queries() as results_reads:
            shown = results.list_results(container, caller, origin, patient_id, ResultsQuery(limit=PAGE), now)
        with record_queries() as reports_reads:  # the same page of the reports themselves
            container.records.page(patient_id, "", now, PAGE)
        with record_queries() as documents_reads:
            listed = documents.list_documents(container, caller, origin, patient_id, DocumentsQuery(limit=PAGE), now)
    chart_documents = [a for a in documents_reads if any(i["patient_id"]["S"] == patient_id for i in a["Items"])]
    return {
        "results": (len(shown["results"]), results_reads),
        "reports": (PAGE, reports_reads),
        "documents": (len(listed["documents"]), chart_documents),
    }


def rows() -> list[Row]:
    figures = measure()
    out = []
    for name, measure_name, bar in (
        ("results", "results page of 20 (summaries): read units per result", "<= 2 per item"),
        ("reports", "results page of 20, the reports themselves (before): read units per result", "-"),
        ("documents", "documents page of 20: read units per document", "<= 2 per item"),
    ):
        shown, answers = figures[name]
        items = [item for answer in answers for item in answer["Items"]]
        units = sum(query_read_units(answer["Items"]) for answer in answers)
        kilobytes = sum(item_size(item) for item in items) / 1024
        out.append(
            Row(
                measure_name,
                units / shown if shown else 0.0,
                "read units",
                bar,
                note=(
                    f"{len(answers)} Query, {len(items)} items read ({kilobytes:.1f} KB) for {shown} shown: "
                    f"{units:g} read units a page (sizes as DynamoDB counts them, eventually consistent)"
                ),
            )
        )
    return out


def main() -> None:
    print(render(rows()))


if __name__ == "__main__":
    main()
