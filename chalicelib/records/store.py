"""What the portal keeps of a patient's records, and how a result is shown."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.records.domain import Observation, ResultReport


@dataclass(frozen=True)
class FeedSource:
    """A sender registered to an organization, with the authority for its bare identifiers."""

    sender: str
    organization_id: str
    default_authority: str = ""


@dataclass(frozen=True)
class StoredResult:
    patient_id: str
    result_id: str  # stable across versions: derived from organization, sender and the report's own id
    version: int
    category: str
    status: str
    content_sha256: str
    content: dict[str, Any]  # report_content(): what the patient sees
    organization_id: str
    source: str  # the feed message's key
    filed_at: datetime
    release_at: datetime
    critical: bool = False
    listed_at: str = ""  # "<first filed ISO>#<result_id>": the list order, kept across versions
    release_timer: str = ""  # the timer announcing a delayed release (cancelled if released early)
    held_reason: str = ""  # set while staff hold the result back
    kind: str = "result"  # or "document" (category "document:<type>", its file in S3 at object_key)
    object_key: str = ""  # never shown: the API hands out a short-lived link instead


@dataclass(frozen=True)
class WorklistItem:
    item_id: str  # the result and version it is about: one call per critical version
    organization_id: str
    task: str
    patient_id: str
    result_id: str
    result_version: int
    status: str
    created_at: datetime
    done_by: str = ""
    done_at: datetime | None = None
    outcome: str = ""
    sort_key: str = ""  # "<created ISO>#<item id>"


def result_id(organization_id: str, sender: str, source_id: str) -> str:
    return hashlib.sha256(f"{organization_id}\x1f{sender}\x1f{source_id}".encode()).hexdigest()[:32]


def report_content(report: ResultReport) -> dict[str, Any]:
    """A report as JSON for the patient. An embedded document's bytes are not kept here: filing
    puts them in the documents bucket under the version's object_key, and the API hands out a
    short-lived link."""

    def observation(o: Observation) -> dict[str, Any]:
        value: dict[str, Any] = {"type": o.value_type}
        if o.value_type == "numeric":
            value["number"] = o.number
        elif o.value_type == "quantity" and o.quantity is not None:
            value.update(dataclasses.asdict(o.quantity))
        elif o.value_type == "coded" and o.coded is not None:
            value.update({"code": o.coded.code, "display": o.coded.display, "system": o.coded.system})
        elif o.value_type == "text":
            value["text"] = o.text
        elif o.value_type == "pointer":
            value["reference"] = o.pointer  # shown as text; the portal never fetches it
        elif o.value_type == "document" and o.document is not None:
            # the file itself goes to the documents bucket (filing); its digest makes a changed
            # file a new version even at the same size
            value.update({"content_type": o.document.content_type, "size": len(o.document.data),
                          "sha256": hashlib.sha256(o.document.data).hexdigest()})
        return {"code": dataclasses.asdict(o.code), "value": value, "units": o.units or None,
                "reference_range": o.reference_range or None, "flags": list(o.flags), "critical": o.critical,
                "status": o.status.value, "observed_at": o.observed_at or None, "performer": o.performer or None,
                "notes": list(o.notes)}

    return {"code": dataclasses.asdict(report.code), "category": report.category.value, "status": report.status.value,
            "collected_at": report.collected_at or None, "reported_at": report.reported_at or None,
            "performing_lab": report.performing_lab or None, "ordering_provider": report.ordering_provider or None,
            "notes": list(report.notes), "observations": [observation(o) for o in report.observations]}


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
