"""Reading a patient's records through the API: only the caller's own patients, only what is
released and not withdrawn, every read audited (GUIDE 5.1, 5.6, 5.11)."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from typing import Any

from chalicelib.audit.domain import Action, Outcome
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.identity.domain import Caller
from chalicelib.audit.trail import caller_actor, write_audit
from chalicelib.kernel.clock import iso
from chalicelib.kernel.fields import only_fields
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.paging import page_limit
from chalicelib.records.domain import DOCUMENT_TYPES, ENTRY_KINDS, Category
from chalicelib.records.domain import StoredResult

RECORD_ID = re.compile(r"[0-9a-f]{32}")  # patient, result and document ids
MAX_PAGE = 50
LINK_SECONDS = 300  # a download link is a bearer token to PHI: five minutes at most (GUIDE 5.11)
# Files a browser may show in the page; anything else (HTML, SVG, what a sender calls a PDF...) is
# downloaded as bytes, never rendered with the portal's origin trust.
_SHOWN_INLINE = {"application/pdf": "application/pdf", "image/png": "image/png", "image/jpeg": "image/jpeg",
                 "text/plain": "text/plain; charset=utf-8"}


def _link(ports, key: str, content_type: str) -> str:
    shown = _SHOWN_INLINE.get(content_type.split(";")[0].strip().lower())
    return ports.documents.presigned_get(key, LINK_SECONDS, content_type=shown or "application/octet-stream",
                                         disposition="inline" if shown else "attachment")




def readable_patient(ports, caller: Caller, origin: Origin, patient_id: str) -> str:
    """The patient, if the caller may read their records: their own record (from the session,
    no read), or one of an organization connected to their account. Anything else is 404, the
    answer an unknown patient gets, and the refusal is audited."""
    if RECORD_ID.fullmatch(patient_id or ""):
        if patient_id == caller.patient_id:
            return patient_id
        account = ports.directory.account(caller.account_id)
        if account is not None and any(c.patient_id == patient_id and c.status == "active"
                                       for c in account.connections):
            return patient_id
    write_audit(ports, origin, caller_actor(caller), "records.read", Outcome.DENIED, action=Action.READ,
           resource_type="Patient", reason="not_the_callers_patient")
    raise NotFound("No such patient.")


def list_results(ports, caller: Caller, origin: Origin, patient_id: str, query: dict[str, str],
                 now: datetime) -> dict[str, Any]:
    category = query.get("category", "")
    if category and category not in {c.value for c in Category}:
        raise ValidationFailed(f"category is one of {', '.join(c.value for c in Category)}.",
                               [{"field": "category"}])
    limit = page_limit(query, 20, MAX_PAGE)
    patient_id = readable_patient(ports, caller, origin, patient_id)
    results, cursor = ports.records.page(patient_id, category, now, limit, query.get("cursor", ""))
    write_audit(ports, origin, caller_actor(caller), "results.list", action=Action.READ, patient_id=patient_id,
           resource_type="DiagnosticReport", reason=f"count:{len(results)}")
    return {"results": [summary(r) for r in results], "next_cursor": cursor or None}


def get_result(ports, caller: Caller, origin: Origin, patient_id: str, result_id: str,
               now: datetime) -> dict[str, Any]:
    patient_id = readable_patient(ports, caller, origin, patient_id)
    current, kept = (ports.records.with_versions(patient_id, result_id) if RECORD_ID.fullmatch(result_id or "")
                     else (None, []))
    if current is None or current.status == "cancelled" or current.release_at > now:
        raise NotFound("No such result.")
    earlier = [v for v in kept if v.version < current.version]
    write_audit(ports, origin, caller_actor(caller), "result.read", action=Action.READ, patient_id=patient_id,
           resource_type="DiagnosticReport", resource_id=result_id)
    return {**summary(current), "report": _with_file_links(current, patient_id),
            "earlier_versions": [{"version": v.version, "status": v.status, "filed_at": iso(v.filed_at),
                                  "report": v.content} for v in earlier]}


def _with_file_links(result: StoredResult, patient_id: str) -> dict[str, Any]:
    """The report, each embedded file with the API path that hands out its short-lived link."""
    if not result.object_key:
        return result.content
    observations = []
    for index, observation in enumerate(result.content.get("observations") or []):
        if (observation.get("value") or {}).get("type") == "document" and (observation["value"].get("size") or 0) > 0:
            observation = {**observation, "value": {
                **observation["value"], "href": f"/v1/patients/{patient_id}/results/{result.result_id}/files/{index}"}}
        observations.append(observation)
    return {**result.content, "observations": observations}


def result_file_link(ports, caller: Caller, origin: Origin, patient_id: str, result_id: str, index: str,
                     now: datetime) -> str:
    """A five-minute link to a file a result carries (a lab's PDF rendering ...): only while the
    result itself is shown."""
    patient_id = readable_patient(ports, caller, origin, patient_id)
    current = ports.records.current(patient_id, result_id) if RECORD_ID.fullmatch(result_id or "") else None
    if current is None or current.status == "cancelled" or current.release_at > now or not current.object_key:
        raise NotFound("No such file.")
    observations = current.content.get("observations") or []
    value = (observations[int(index)].get("value") or {}) if index.isdigit() and int(index) < len(observations) else {}
    if value.get("type") != "document" or not value.get("size"):
        raise NotFound("No such file.")
    write_audit(ports, origin, caller_actor(caller), "result_file.read", action=Action.READ, patient_id=patient_id,
           resource_type="Binary", resource_id=result_id, reason=f"file:{int(index)}")
    return _link(ports, f"{current.object_key}{int(index)}", str(value.get("content_type") or ""))


def summary(result: StoredResult) -> dict[str, Any]:
    content = result.content
    observations = content.get("observations") or []
    return {
        "result_id": result.result_id, "version": result.version, "status": result.status,
        "category": result.category, "name": (content.get("code") or {}).get("display") or
        (content.get("code") or {}).get("code") or None,
        "code": content.get("code"), "collected_at": content.get("collected_at"),
        "reported_at": content.get("reported_at"), "released_at": iso(result.release_at),
        "abnormal": any(o.get("flags") and o.get("flags") != ["N"] for o in observations),
        "critical": result.critical, "observation_count": len(observations),
    }


def access_log(ports, caller: Caller, origin: Origin, patient_id: str, query: dict[str, str]) -> dict[str, Any]:
    """Who looked at or changed this patient's record, newest first: the patient, a proxy, staff,
    the feeds (issue 4, item 8). Staff are named by role, not by name (their accounts are the
    organization's business); the patient sees their own reads as "you"."""
    from chalicelib.audit import service as audit

    limit = page_limit(query, 50, audit.MAX_PAGE)
    patient_id = readable_patient(ports, caller, origin, patient_id)
    events, cursor = audit.access_history(ports.audit_log, patient_id, limit, query.get("cursor", ""))
    write_audit(ports, origin, caller_actor(caller), "access_log.read", action=Action.READ, patient_id=patient_id,
           resource_type="AuditEvent")

    def who(event) -> str:
        if event.actor.account_id == caller.account_id:
            return "you"
        if event.actor.proxy_grant_id:
            return "proxy"
        return event.actor.role  # staff, admin, system, anonymous

    return {"events": [{"at": iso(e.recorded_at), "who": who(e), "what": e.event_type, "outcome": e.outcome.value,
                        "resource_type": e.resource_type or None} for e in events],
            "next_cursor": cursor or None}




def list_documents(ports, caller: Caller, origin: Origin, patient_id: str, query: dict[str, str],
                   now: datetime) -> dict[str, Any]:
    kind = query.get("type", "")
    if kind and kind not in DOCUMENT_TYPES:
        raise ValidationFailed(f"type is one of {', '.join(DOCUMENT_TYPES)}.", [{"field": "type"}])
    limit = page_limit(query, 20, MAX_PAGE)
    patient_id = readable_patient(ports, caller, origin, patient_id)
    documents, cursor = ports.records.page(patient_id, "", now, limit, query.get("cursor", ""),
                                           prefix=f"document:{kind}#" if kind else "document:")
    write_audit(ports, origin, caller_actor(caller), "documents.list", action=Action.READ, patient_id=patient_id,
           resource_type="DocumentReference", reason=f"count:{len(documents)}")
    return {"documents": [document_summary(d) for d in documents], "next_cursor": cursor or None}


def document_summary(document: StoredResult) -> dict[str, Any]:
    content = document.content
    return {"document_id": document.result_id, "version": document.version, "type": content.get("type"),
            "title": content.get("title"), "status": document.status, "authored_at": content.get("authored_at"),
            "author": content.get("author"), "content_type": content.get("content_type"),
            "size": content.get("size"), "released_at": iso(document.release_at)}


def document_link(ports, caller: Caller, origin: Origin, patient_id: str, document_id: str, now: datetime) -> str:
    """A link to the file that works for five minutes (the API never streams PHI files itself)."""
    patient_id = readable_patient(ports, caller, origin, patient_id)
    document = (ports.records.current(patient_id, document_id, kind="document")
                if RECORD_ID.fullmatch(document_id or "") else None)
    if document is None or document.status == "cancelled" or document.release_at > now or not document.object_key:
        raise NotFound("No such document.")
    write_audit(ports, origin, caller_actor(caller), "document.read", action=Action.READ, patient_id=patient_id,
           resource_type="DocumentReference", resource_id=document_id)
    return _link(ports, document.object_key, str(document.content.get("content_type") or ""))


# The FHIR resource type each section holds, for the audit trail.
_SECTION_RESOURCES = {"allergy": "AllergyIntolerance", "condition": "Condition", "medication": "MedicationRequest",
                      "immunization": "Immunization", "visit": "Encounter", "appointment": "Appointment"}
_KIND_OF_SECTION = {section: kind for kind, section in ENTRY_KINDS.items()}


def list_entries(ports, caller: Caller, origin: Origin, patient_id: str, section: str, query: dict[str, str],
                 now: datetime, as_staff: bool = False) -> dict[str, Any]:
    """A section of the health summary (allergies, conditions, medications, immunizations, visits,
    appointments), newest first by when it happened, one Query per page. The patient reads their
    own (``readable_patient``); staff read one of their organization's patients (``as_staff``),
    to help them on the phone: the same entries, all shown at once to both."""
    kind = _KIND_OF_SECTION.get(section)
    if kind is None:
        raise NotFound(f"No such section: the sections are {', '.join(ENTRY_KINDS.values())}.")
    limit = page_limit(query, 20, MAX_PAGE)
    when = query.get("when", "upcoming" if kind == "appointment" else None)
    if (kind == "appointment") != (when is not None) or when not in (None, "upcoming", "past"):
        raise ValidationFailed("when is upcoming or past, for appointments only.", [{"field": "when"}])
    if as_staff:
        from chalicelib.patients import service as patients

        patient_id = patients.find(ports, caller, origin, patient_id=patient_id).patient_id
    else:
        patient_id = readable_patient(ports, caller, origin, patient_id)
    # Appointments to come are listed soonest first, those gone by newest first (by start time).
    moment = f"{now:%Y-%m-%dT%H:%M:%S.%fZ}"
    entries, cursor = ports.records.page(
        patient_id, "", now, limit, query.get("cursor", ""), prefix=f"{kind}#",
        listed_from=moment if when == "upcoming" else "", listed_to=moment if when == "past" else "",
        oldest_first=when == "upcoming")
    write_audit(ports, origin, caller_actor(caller), f"{section}.list", action=Action.READ, patient_id=patient_id,
           resource_type=_SECTION_RESOURCES[kind], reason=f"count:{len(entries)}")
    return {section: [{"id": e.result_id, "version": e.version, "updated_at": iso(e.filed_at),
                       **{k: v for k, v in e.content.items() if k != "as_of"}} for e in entries],
            "next_cursor": cursor or None}


def release_preferences(ports, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    patient_id = readable_patient(ports, caller, origin, patient_id)
    patient = ports.patients.get(patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    write_audit(ports, origin, caller_actor(caller), "release_preferences.read", action=Action.READ,
           patient_id=patient_id, resource_type="Consent")
    return _preferences(patient)


def set_release_preferences(ports, caller: Caller, origin: Origin, patient_id: str, body: Any) -> dict[str, Any]:
    """The patient's choice to see results of some categories only after a clinician has
    reviewed them (staff release them), or after REVIEW_WAIT_LIMIT at most. It applies to
    results filed from now on."""
    # (what GET answers may come back as it is: longest_wait_days is read-only, and ignored)
    body = only_fields(body, ("wait_for_review", "longest_wait_days"), ("wait_for_review",))
    chosen = body["wait_for_review"]
    categories = [c.value for c in Category]
    if not isinstance(chosen, list) or any(c not in categories for c in chosen):
        raise ValidationFailed(f"wait_for_review is a list of categories from {', '.join(categories)}.",
                               [{"field": "wait_for_review"}])
    patient_id = readable_patient(ports, caller, origin, patient_id)
    patient = ports.patients.get(patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    patient = dataclasses.replace(patient, wait_for_review=tuple(c for c in categories if c in chosen))
    ports.patients.save(patient)  # on its version: a feed update meanwhile makes this a 409, try again
    write_audit(ports, origin, caller_actor(caller), "release_preferences.changed", action=Action.UPDATE,
           patient_id=patient_id, resource_type="Consent", reason=",".join(patient.wait_for_review) or "none")
    return _preferences(patient)


def _preferences(patient) -> dict[str, Any]:
    from chalicelib.release.policy import REVIEW_WAIT_LIMIT

    return {"wait_for_review": list(patient.wait_for_review),
            "longest_wait_days": REVIEW_WAIT_LIMIT.days}
