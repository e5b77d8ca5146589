"""Results: a DiagnosticReport, an Observation no report lists, or a DocumentReference, read into
a ResultReport.

A report holds the Observations it lists (panels expanded in place, each once) and its presented
forms; an Observation inside a report must be about the report's patient, so a result never lands
on another chart. The orderer is known only when the document carries the order the result is
basedOn. The category is interop.categories' decision, from the resource's category codes (the
diagnostic service sections senders use, FHIR's observation categories), its code and its
Observations' codes; vital signs leave the results for the health summary.
"""

from __future__ import annotations

from typing import Any

from chalicelib.interop.categories import Sorted, split
from chalicelib.interop.fhir.bundle import REFERENCE_TAIL, Entry, source_id, visit_key
from chalicelib.interop.fhir.document import Document
from chalicelib.interop.fhir.observations import (
    STATUS,
    attachment_observation,
    effective_at,
    performer_of,
    read_observations,
    result_status,
)
from chalicelib.interop.fhir.patients import PatientRecord
from chalicelib.interop.fhir.values import as_list, as_object, as_text, coding_of, security_of
from chalicelib.records.domain import Category, Observation, ResultReport, ResultStatus, Unreadable


def read_report(doc: Document, entry: Entry, patient: PatientRecord) -> Sorted:
    resource = entry.resource
    status = result_status(resource, entry.label)
    code = coding_of(resource.get("code"))
    observations: list[Observation] = []
    members = doc.members(entry)
    for member in members:
        doc.validate(member.resource, member.label)
        _same_patient(doc, member, patient, entry)
        observations.extend(read_observations(member))
    # A report is as restricted as the most restricted of its Observations.
    confidentiality, labels = security_of(resource, *(m.resource for m in members))
    for number, attachment in enumerate(map(as_object, as_list(resource.get("presentedForm")))):
        presented = attachment_observation(
            attachment, code, status, f"{entry.type}.presentedForm[{number}]{entry.where}"
        )
        if presented is not None:
            observations.append(presented)
    conclusion = as_text(resource.get("conclusion"))
    report = ResultReport(
        source_id=source_id(entry),
        code=code,
        category=Category.OTHER,
        status=status,
        collected_at=effective_at(resource),
        reported_at=as_text(resource.get("issued")),
        performing_lab=performer_of(resource),
        ordering_provider=_ordering(doc, entry),
        observations=tuple(observations),
        notes=(conclusion,) if conclusion else (),
        confidentiality=confidentiality,
        security_labels=labels,
    )
    return split(report, _categories(resource), _as_of(resource))


def read_standalone(doc: Document, entry: Entry, patient: PatientRecord) -> Sorted:
    """An Observation no report lists: a result of its own (a vital sign, a single test)."""
    resource = entry.resource
    observations = read_observations(entry)
    doc.included.add(id(resource))
    members = doc.members(entry)
    for member in members:
        doc.validate(member.resource, member.label)
        _same_patient(doc, member, patient, entry)
        observations.extend(read_observations(member))
    confidentiality, labels = security_of(resource, *(m.resource for m in members))
    report = ResultReport(
        source_id=source_id(entry),
        code=coding_of(resource.get("code")),
        category=Category.OTHER,
        status=result_status(resource, entry.label),
        collected_at=effective_at(resource),
        reported_at=as_text(resource.get("issued")),
        performing_lab=performer_of(resource),
        ordering_provider=_ordering(doc, entry),
        observations=tuple(observations),
        confidentiality=confidentiality,
        security_labels=labels,
    )
    if not observations and report.status not in (ResultStatus.PENDING, ResultStatus.CANCELLED):
        # No value, no reason for its absence, no component, no member: an empty line of its
        # own, not a result to show as a blank row (one still pending or withdrawn says something).
        return Sorted(None)
    return split(report, _categories(resource), _as_of(resource))


def read_document(doc: Document, entry: Entry) -> ResultReport:
    """A DocumentReference: its first attachment with data is the file; one only pointed at
    (a URL) is kept as text, never fetched."""
    resource = entry.resource
    doc_status = as_text(resource.get("docStatus"))
    cancelled = "entered-in-error" in (resource.get("status"), doc_status)
    status = ResultStatus.CANCELLED if cancelled else STATUS.get(doc_status, ResultStatus.FINAL)
    # status superseded: the sender replaced it (by a DocumentReference that relatesTo it).
    hidden = "cancelled" if cancelled else "obsolete" if resource.get("status") == "superseded" else ""
    relation, parent = _relation(doc, entry)
    code = coding_of(resource.get("type"))
    observations = []
    for number, content in enumerate(map(as_object, as_list(resource.get("content")))):
        found = attachment_observation(
            as_object(content.get("attachment")),
            code,
            status,
            f"{entry.type}.content[{number}].attachment{entry.where}",
        )
        if found is not None:
            observations.append(found)
    observations.sort(key=lambda o: o.value_type != "document")  # the file first, then pointers
    context = as_object(resource.get("context"))
    visit_id, discharged_at = "", ""
    for reference in as_list(context.get("encounter"))[:1]:
        target = doc.resolve(reference, entry)
        if isinstance(target, Entry) and target.type == "Encounter":
            visit_id, discharged_at = visit_key(target), as_text(as_object(target.resource.get("period")).get("end"))
        elif (tail := REFERENCE_TAIL.search(as_text(as_object(reference).get("reference")))) and tail.group(
            1
        ) == "Encounter":
            visit_id = f"Encounter/{tail.group(2)}"
    confidentiality, labels = security_of(resource)
    author = next((d for d in (as_text(as_object(a).get("display")) for a in as_list(resource.get("author"))) if d), "")
    return ResultReport(
        source_id=source_id(entry),
        code=code,
        category=Category.OTHER,
        status=status,
        collected_at=as_text(as_object(context.get("period")).get("start")) or as_text(resource.get("date")),
        reported_at=as_text(resource.get("date")),
        ordering_provider=author[:200],
        observations=tuple(observations),
        is_document=True,
        visit_id=visit_id,
        discharged_at=discharged_at,
        relation=relation,
        parent_id=parent,
        hidden=hidden,
        as_of=as_text(as_object(resource.get("meta")).get("lastUpdated")) or doc.sent_at,
        confidentiality=confidentiality,
        security_labels=labels,
    )


# relatesTo.code: an addendum (appends) is a document of its own beside its target; a replacement
# (replaces) or another rendering of the same document (transforms) is a new version of it.
# "signs" (a signature) relates nothing the patient reads differently.
_RELATIONS = {"appends": "appends", "replaces": "replaces", "transforms": "replaces"}


def _relation(doc: Document, entry: Entry) -> tuple[str, str]:
    """How a DocumentReference relates to one sent before, and that one's id as the sender names
    it (the same id source_id gives it: its identifier, else DocumentReference/<id>)."""
    for relates in map(as_object, as_list(entry.resource.get("relatesTo"))):
        relation = _RELATIONS.get(as_text(relates.get("code")))
        target = as_object(relates.get("target"))
        if relation is None:
            continue
        found = doc.resolve(target, entry)
        if isinstance(found, Entry) and found.type == "DocumentReference":
            parent = source_id(found)
        else:
            wanted = as_object(target.get("identifier"))
            tail = REFERENCE_TAIL.search(as_text(target.get("reference")))
            parent = (
                as_text(wanted.get("value"))[:200]
                if as_text(wanted.get("system")) and as_text(wanted.get("value"))
                else f"DocumentReference/{tail.group(2)}"
                if tail and tail.group(1) == "DocumentReference"
                else ""
            )
        if parent and parent != source_id(entry):
            return relation, parent
    return "", ""


def _ordering(doc: Document, entry: Entry) -> str:
    """Who ordered the test: FHIR keeps the orderer on the order (ServiceRequest.requester), so
    it is known when the document carries the order the result is basedOn."""
    for reference in as_list(entry.resource.get("basedOn")):
        target = doc.resolve(reference, entry)
        if isinstance(target, Entry) and target.type == "ServiceRequest":
            doc.validate(target.resource, target.label)
            display = as_text(as_object(target.resource.get("requester")).get("display"))
            if display:
                return display[:200]
    return ""


def _same_patient(doc: Document, member: Entry, patient: PatientRecord, report: Entry) -> None:
    """An Observation read into a report must be about the report's patient, or say nothing."""
    if not as_object(member.resource.get("subject")):
        return
    if doc.patient_of(member.resource.get("subject"), member) is not patient:
        raise Unreadable(
            f"An Observation{member.where} listed by {report.label} has a subject other than the report's patient."
        )


def _categories(resource: dict[str, Any]) -> list[str]:
    """Every code of the resource's categories (codes only: a display is no category)."""
    return [
        as_text(as_object(coding).get("code"))
        for concept in map(as_object, as_list(resource.get("category")))
        for coding in as_list(concept.get("coding"))
    ]


def _as_of(resource: dict[str, Any]) -> str:
    """When the sender said so, for the vital signs it carries: an older message never wins."""
    return as_text(as_object(resource.get("meta")).get("lastUpdated")) or as_text(resource.get("issued"))
