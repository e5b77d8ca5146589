"""The rest of a patient's record: allergies, conditions, medication requests, immunizations,
visits (Encounter) and appointments, each read into a ClinicalEntry.

Each kind keeps the few elements a patient reads (what, its status, when, who, notes), shown by
their names rather than their codes, and lists are capped so one resource cannot make an entry
huge. An entry marked entered-in-error is withdrawn. An entry is true as of its meta.lastUpdated,
else the Bundle's timestamp, so an older replay can be told apart.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.access.sensitivity import sensitivity_content
from chalicelib.interop.fhir.bundle import Entry, source_id, visit_key
from chalicelib.interop.fhir.document import Document
from chalicelib.interop.fhir.values import as_list, as_object, as_text, coding_of, security_of
from chalicelib.interop.video_links import video_link
from chalicelib.kernel.terminology import RXNORM
from chalicelib.patients.domain import universal_id
from chalicelib.records.domain import ClinicalEntry, SentIdentifier

# Resources read into a patient's record beside results: type -> (entry kind, patient element).
ENTRY_TYPES = {
    "AllergyIntolerance": ("allergy", "patient"),
    "Condition": ("condition", "subject"),
    "MedicationRequest": ("medication", "subject"),
    "Immunization": ("immunization", "patient"),
    "Encounter": ("visit", "subject"),
    "Appointment": ("appointment", "participant"),
}
_MAX_LISTED = 20  # reactions, reasons, participants ... shown per entry


def read_entry(doc: Document, entry: Entry, kind: str) -> ClinicalEntry:
    """A validated resource of one of ENTRY_TYPES as the entry of that kind."""
    resource = entry.resource
    withdrawn = (
        resource.get("status") == "entered-in-error"
        or coding_of(resource.get("verificationStatus")).code == "entered-in-error"
    )
    content, occurred = _ENTRY_READERS[kind](doc, entry)
    content = {key: value for key, value in content.items() if value not in (None, "", [], {})}
    # The sender's confidentiality labels, kept so that no one acting for the patient is shown it.
    content.update(sensitivity_content(*security_of(resource)))
    return ClinicalEntry(
        kind=kind,
        source_id=visit_key(entry) if kind == "visit" else source_id(entry),
        content=content,
        occurred_at=occurred,
        withdrawn=withdrawn,
        as_of=as_text(as_object(resource.get("meta")).get("lastUpdated")) or doc.sent_at,
        ids=appointment_ids(entry) if kind == "appointment" else (),
    )


# Identifier.type codes (HL7 table v2-0203) of a scheduler's and a requester's appointment ids,
# the ids HL7 v2 sends in SCH-2 and SCH-1 (hl7v2/visits.py uses the same type codes).
FILLER_ID, PLACER_ID = "FILL", "PLAC"


def appointment_ids(entry: Entry) -> tuple[SentIdentifier, ...]:
    """An Appointment's identifiers with a system, the scheduler's (type FILL) first, then those
    without a type, then the requester's (PLAC); and last its resource id, the sender's own. The
    appointment is kept by the first and found by any (filing/entry_ids.py)."""
    ranked: list[tuple[int, SentIdentifier]] = []
    for item in map(as_object, as_list(entry.resource.get("identifier"))):
        system, value = as_text(item.get("system")).strip(), as_text(item.get("value")).strip()
        if not system or not value or len(value) > 100:
            continue
        kind = coding_of(item.get("type")).code.upper()
        rank = {FILLER_ID: 0, PLACER_ID: 2}.get(kind, 1)
        universal = universal_id(system)
        # (a type the portal does not know says nothing of the id's place: it is the appointment's own)
        kind = kind if kind in (FILLER_ID, PLACER_ID) else FILLER_ID
        ranked.append((rank, SentIdentifier(value, kind, "" if universal else system[:64], universal)))
    resource_id = as_text(entry.resource.get("id"))
    if resource_id:
        # (no authority: the sender's own, as its Patient ids are)
        ranked.append((3, SentIdentifier(f"Appointment/{resource_id}", "RI")))
    ordered = [found for _, found in sorted(ranked, key=lambda pair: pair[0])]
    return tuple(dict.fromkeys(ordered))[:10]


def _medication(doc: Document, entry: Entry) -> dict[str, Any]:
    """What is prescribed: the code, or the Medication it refers to (contained or in the bundle)."""
    resource = entry.resource
    if as_object(resource.get("medicationCodeableConcept")):
        return _shown(resource.get("medicationCodeableConcept"))
    reference = as_object(resource.get("medicationReference"))
    target = doc.resolve(reference, entry)
    if isinstance(target, Entry) and target.type == "Medication":
        doc.validate(target.resource, target.label)
        return _shown(target.resource.get("code"))
    return {"display": as_text(reference.get("display"))[:500]}


def _shown(concept: Any) -> dict[str, Any]:
    """A CodeableConcept as shown: its name, code and system, each only when sent ({} if none)."""
    coding = coding_of(concept)
    shown = {"display": coding.display or coding.code, "code": coding.code, "system": coding.system}
    kept: dict[str, Any] = {key: value for key, value in shown.items() if value}
    if coding.alternates:  # every coding, this first: each is checked for sensitive care
        kept["codings"] = coding.content()["codings"]
    return kept


def _status_code(concept: Any) -> str:
    return coding_of(concept).code


def _displays(items: Any, element: str = "") -> list[str]:
    found = []
    for item in as_list(items)[:_MAX_LISTED]:
        item = as_object(item)
        value = as_object(item.get(element)) if element else item
        text = as_text(value.get("display")) or coding_of(value).display or coding_of(value).code
        if text:
            found.append(text[:500])
    return found


def _notes(resource: dict[str, Any]) -> list[str]:
    return [
        t[:2000] for t in (as_text(as_object(n).get("text")) for n in as_list(resource.get("note"))[:_MAX_LISTED]) if t
    ]


def _onset(resource: dict[str, Any], prefix: str) -> str:
    return (
        as_text(resource.get(f"{prefix}DateTime"))
        or as_text(as_object(resource.get(f"{prefix}Period")).get("start"))
        or as_text(resource.get(f"{prefix}String"))[:200]
    )


def _allergy(doc: Document, entry: Entry) -> tuple[dict[str, Any], str]:
    r = entry.resource
    reactions = [
        {
            key: value
            for key, value in (
                ("manifestations", _displays(reaction.get("manifestation"))),
                ("severity", as_text(reaction.get("severity"))),
            )
            if value
        }
        for reaction in map(as_object, as_list(r.get("reaction"))[:_MAX_LISTED])
    ]
    content = {
        "substance": _shown(r.get("code")),
        "clinical_status": _status_code(r.get("clinicalStatus")),
        "verification_status": _status_code(r.get("verificationStatus")),
        "type": as_text(r.get("type")),
        "categories": [c for c in as_list(r.get("category")) if isinstance(c, str)],
        "criticality": as_text(r.get("criticality")),
        "reactions": reactions,
        "onset": _onset(r, "onset"),
        "recorded_at": as_text(r.get("recordedDate")),
        "notes": _notes(r),
    }
    return content, as_text(r.get("recordedDate")) or _onset(r, "onset")


def _condition(doc: Document, entry: Entry) -> tuple[dict[str, Any], str]:
    r = entry.resource
    content = {
        "condition": _shown(r.get("code")),
        "clinical_status": _status_code(r.get("clinicalStatus")),
        "verification_status": _status_code(r.get("verificationStatus")),
        "categories": _displays(r.get("category")),
        "severity": coding_of(r.get("severity")).display,
        "onset": _onset(r, "onset"),
        "abated": _onset(r, "abatement"),
        "recorded_at": as_text(r.get("recordedDate")),
        "notes": _notes(r),
    }
    return content, _onset(r, "onset") or as_text(r.get("recordedDate"))


# How a sender marks what the portal cannot know from a MedicationRequest alone
# (docs/integrating.md, "Medications and refills"): a controlled substance's schedule (HL7 table
# 0477's II to V), on the MedicationRequest or its Medication; and a prescription whose refills
# must not be requested online, by an extension or a meta tag.
SCHEDULE_EXTENSION = "urn:patient-portal:fhir:controlled-substance-schedule"
NOT_REFILLABLE_ONLINE_EXTENSION = "urn:patient-portal:fhir:not-refillable-online"
NOT_REFILLABLE_ONLINE_TAG = ("urn:patient-portal:fhir:tag", "not-refillable-online")


def _extension(resource: dict[str, Any], url: str) -> dict[str, Any]:
    return next((e for e in map(as_object, as_list(resource.get("extension"))) if e.get("url") == url), {})


def _schedule(*resources: dict[str, Any]) -> str:
    """The schedule a sender marked (a code, or a CodeableConcept's code), as sent: the refill
    rules read it (refills.domain.schedule_of)."""
    for resource in resources:
        mark = _extension(resource, SCHEDULE_EXTENSION)
        value = as_text(mark.get("valueCode")) or coding_of(mark.get("valueCodeableConcept")).code
        if value:
            return value[:20]
    return ""


def _not_refillable_online(resource: dict[str, Any]) -> bool:
    if _extension(resource, NOT_REFILLABLE_ONLINE_EXTENSION).get("valueBoolean") is True:
        return True
    tags = map(as_object, as_list(as_object(resource.get("meta")).get("tag")))
    return any((as_text(t.get("system")), as_text(t.get("code"))) == NOT_REFILLABLE_ONLINE_TAG for t in tags)


def _rxnorm(concept: Any) -> str:
    """The concept's RxNorm code, whichever of its codings holds it."""
    for coding in map(as_object, as_list(as_object(concept).get("coding"))):
        if as_text(coding.get("system")) == RXNORM and as_text(coding.get("code")).isdigit():
            return as_text(coding.get("code"))[:20]
    return ""


def _prescription_id(resource: dict[str, Any]) -> dict[str, str]:
    """The clinical system's own id of the prescription (its first identifier with a system and
    a value): the outbound refill Task names the prescription by it."""
    for item in map(as_object, as_list(resource.get("identifier"))):
        system, value = as_text(item.get("system")).strip(), as_text(item.get("value")).strip()
        if system and value and len(system) <= 256 and len(value) <= 100:
            return {"system": system, "value": value}
    return {}


def _day(value: str) -> str:
    """The date of a FHIR date or dateTime (YYYY-MM-DD), "" when it is not one."""
    day = value[:10]
    try:
        return date.fromisoformat(day).isoformat() if len(day) == 10 else ""
    except ValueError:
        return ""


def _medication_request(doc: Document, entry: Entry) -> tuple[dict[str, Any], str]:
    r = entry.resource
    dispense = as_object(r.get("dispenseRequest"))
    # The Medication it refers to, when the bundle holds it: its code and marks count as the request's.
    target = doc.resolve(as_object(r.get("medicationReference")), entry) if r.get("medicationReference") else None
    medication = target.resource if isinstance(target, Entry) and target.type == "Medication" else {}
    content = {
        "medication": _medication(doc, entry),
        "rxnorm": _rxnorm(r.get("medicationCodeableConcept")) or _rxnorm(medication.get("code")),
        "schedule": _schedule(r, medication),
        "not_refillable_online": _not_refillable_online(r) or _not_refillable_online(medication),
        "expires_on": _day(as_text(as_object(dispense.get("validityPeriod")).get("end"))),
        "prescription": _prescription_id(r),
        "status": as_text(r.get("status")),
        "intent": as_text(r.get("intent")),
        "dosage": [
            t[:1000] for t in (as_text(as_object(d).get("text")) for d in as_list(r.get("dosageInstruction"))) if t
        ],
        "authored_on": as_text(r.get("authoredOn")),
        "prescriber": as_text(as_object(r.get("requester")).get("display"))[:200],
        # reportedReference names who reported it (the patient, a relative, another clinic): a
        # report either way, not a prescription of this organization
        "reported_by_patient": r.get("reportedBoolean") is True or bool(as_object(r.get("reportedReference"))),
        "do_not_perform": r.get("doNotPerform") is True,
        "reasons": _displays(r.get("reasonCode")) + _displays(r.get("reasonReference")),
        "refills_allowed": dispense.get("numberOfRepeatsAllowed")
        if isinstance(dispense.get("numberOfRepeatsAllowed"), int)
        else None,
        "notes": _notes(r),
    }
    return content, as_text(r.get("authoredOn"))


def _immunization(doc: Document, entry: Entry) -> tuple[dict[str, Any], str]:
    r = entry.resource
    occurred = as_text(r.get("occurrenceDateTime")) or as_text(r.get("occurrenceString"))[:200]
    content = {
        "vaccine": _shown(r.get("vaccineCode")),
        "status": as_text(r.get("status")),
        "occurred_at": occurred,
        "lot_number": as_text(r.get("lotNumber"))[:100],
        "site": coding_of(r.get("site")).display,
        "route": coding_of(r.get("route")).display,
        "performers": _displays(r.get("performer"), "actor"),
        "location": as_text(as_object(r.get("location")).get("display"))[:200],
        "notes": _notes(r),
    }
    return content, occurred


def _encounter(doc: Document, entry: Entry) -> tuple[dict[str, Any], str]:
    r = entry.resource
    period = as_object(r.get("period"))
    visit_class = as_object(r.get("class"))
    content = {
        "status": as_text(r.get("status")),
        "class": as_text(visit_class.get("display")) or as_text(visit_class.get("code")),
        "types": _displays(r.get("type")),
        "started_at": as_text(period.get("start")),
        "ended_at": as_text(period.get("end")),
        "locations": _displays(r.get("location"), "location"),
        "provider": as_text(as_object(r.get("serviceProvider")).get("display"))[:200],
        "clinicians": _displays(r.get("participant"), "individual"),
        "reasons": _displays(r.get("reasonCode")),
        "discharge_disposition": coding_of(as_object(r.get("hospitalization")).get("dischargeDisposition")).display,
    }
    return content, as_text(period.get("start"))


def _appointment(doc: Document, entry: Entry) -> tuple[dict[str, Any], str]:
    r = entry.resource
    participants = [(doc.actor_type(p.get("actor"), entry), p) for p in map(as_object, as_list(r.get("participant")))]
    content = {
        "status": as_text(r.get("status")),
        "starts_at": as_text(r.get("start")),
        "ends_at": as_text(r.get("end")),
        "minutes": r.get("minutesDuration") if isinstance(r.get("minutesDuration"), int) else None,
        "services": _displays(r.get("serviceType")),
        "specialties": _displays(r.get("specialty")),
        "type": coding_of(r.get("appointmentType")).display,
        "description": as_text(r.get("description"))[:500],
        "instructions": as_text(r.get("patientInstruction"))[:2000],
        "with": _displays([p for kind, p in participants if kind not in ("Patient", "Location")], "actor"),
        "locations": _displays([p for kind, p in participants if kind == "Location"], "actor"),
        "video_link": _virtual_service_link(r),
    }
    return content, as_text(r.get("start"))


# R4 has no Appointment.virtualService; R5 does, and its cross-version extension carries it to R4
# senders: the VirtualServiceDetail's address as a sub-extension ("address" in the published
# cross-version package, "addressUrl" after the R5 element's name), or the extension's own value.
VIRTUAL_SERVICE = "http://hl7.org/fhir/5.0/StructureDefinition/extension-Appointment.virtualService"
_ADDRESS_PARTS = ("address", "addressUrl", "addressString")
_LINK_VALUES = ("valueUrl", "valueUri", "valueString")


def _virtual_service_link(resource: dict[str, Any]) -> str:
    """The first https join link of the Appointment's virtualService extension ("" when none)."""
    for extension in map(as_object, as_list(resource.get("extension"))):
        if as_text(extension.get("url")) != VIRTUAL_SERVICE:
            continue
        values = [extension.get(name) for name in _LINK_VALUES]
        for part in map(as_object, as_list(extension.get("extension"))):
            if as_text(part.get("url")) in _ADDRESS_PARTS:
                values += [part.get(name) for name in _LINK_VALUES]
        link = next((found for found in map(video_link, values) if found), "")
        if link:
            return link
    return ""


_ENTRY_READERS = {
    "allergy": _allergy,
    "condition": _condition,
    "medication": _medication_request,
    "immunization": _immunization,
    "visit": _encounter,
    "appointment": _appointment,
}
