"""FHIR R4 documents (one resource or a Bundle) read into the records domain.

``read_fhir`` takes the parsed JSON of a feed body and returns one ClinicalMessage per patient
the document is about: Patient gives the demographics, DiagnosticReport and Observation give the
results. Every resource used is validated with the fhir.resources R4B models (R4 proper would need
pydantic 1, GUIDE 4), imported lazily because they cost ~115 ms and app.py must stay light.
Values are then read from the validated JSON itself, so they stay as sent ("2019-02-03T19:43:30.000Z"
is not rewritten by a datetime round trip, a decimal parsed with ``parse_float=Decimal`` keeps its
trailing zeros).

What makes a document unusable raises Unreadable with a reason naming the resource type, where it
sits and which element is wrong (pydantic's error locations), never a value from the document: a
value is PHI. Three rules keep a result off the wrong chart: a Patient is only usable with an
identifier that names its assigning authority (Identifier.system); a result's subject must be a
Patient in the same document; an Observation inside a report must be about the report's patient.
Resource types the portal does not file yet are counted in ``extra["ignored"]`` so the sender can
be told. URLs (attachment.url) are kept as text, never fetched.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from chalicelib.errors import ValidationFailed
from chalicelib.patients.domain import SEXES, identifier
from chalicelib.records.domain import (
    Category,
    ClinicalMessage,
    Coding,
    EmbeddedDocument,
    Observation,
    PatientFacts,
    Quantity,
    ResultReport,
    ResultStatus,
    Unreadable,
)

# Bundle types that carry resources to file. history (several versions of one resource) and the
# -response types (outcomes of someone else's request) are not a statement of the current record.
_FILED_BUNDLE_TYPES = frozenset({"transaction", "batch", "collection", "message", "searchset", "document"})
_BUNDLE_TYPES = _FILED_BUNDLE_TYPES | {"history", "transaction-response", "batch-response"}

_STATUS = {
    "registered": ResultStatus.PENDING,
    "partial": ResultStatus.PRELIMINARY,  # DiagnosticReport only
    "preliminary": ResultStatus.PRELIMINARY,
    "final": ResultStatus.FINAL,
    "amended": ResultStatus.CORRECTED,
    "corrected": ResultStatus.CORRECTED,
    "appended": ResultStatus.CORRECTED,  # DiagnosticReport only: a subtype of amended
    "cancelled": ResultStatus.CANCELLED,
    "entered-in-error": ResultStatus.CANCELLED,
    "unknown": ResultStatus.PRELIMINARY,  # the sender does not know: never presented as final
}

# Diagnostic service sections (HL7 table 0074, also used as DiagnosticReport.category), the
# observation-category codes, and the LOINC document-ontology parts US Core uses for report notes.
_LAB = frozenset({"LAB", "BG", "BLB", "CG", "CH", "GE", "HM", "IMM", "MB", "MCB", "MYC", "OSL", "SR", "TX",
                  "URN", "VR", "laboratory", "LP29693-6"})
_PATHOLOGY = frozenset({"PAT", "SP", "CP", "AP", "CY", "LP7839-6"})
_IMAGING = frozenset({"RAD", "IMG", "CT", "MR", "NMR", "NMS", "US", "RUS", "OUS", "VUS", "CUS", "RX", "XRC", "MAM",
                      "imaging", "LP29684-5"})

# Resource types as FHIR R4 / R4B spell them: only these names are echoed into a reason or into
# extra["ignored"]; any other resourceType is counted as "unknown" (a garbled field can hold PHI).
_RESOURCE_TYPES = frozenset("""
Account ActivityDefinition AdministrableProductDefinition AdverseEvent AllergyIntolerance Appointment
AppointmentResponse AuditEvent Basic Binary BiologicallyDerivedProduct BodyStructure Bundle
CapabilityStatement CarePlan CareTeam CatalogEntry ChargeItem ChargeItemDefinition Citation Claim
ClaimResponse ClinicalImpression ClinicalUseDefinition CodeSystem Communication CommunicationRequest
CompartmentDefinition Composition ConceptMap Condition Consent Contract Coverage CoverageEligibilityRequest
CoverageEligibilityResponse DetectedIssue Device DeviceDefinition DeviceMetric DeviceRequest
DeviceUseStatement DiagnosticReport DocumentManifest DocumentReference EffectEvidenceSynthesis Encounter
Endpoint EnrollmentRequest EnrollmentResponse EpisodeOfCare EventDefinition Evidence EvidenceReport
EvidenceVariable ExampleScenario ExplanationOfBenefit FamilyMemberHistory Flag Goal GraphDefinition Group
GuidanceResponse HealthcareService ImagingStudy Immunization ImmunizationEvaluation
ImmunizationRecommendation ImplementationGuide Ingredient InsurancePlan Invoice Library Linkage List
Location ManufacturedItemDefinition Measure MeasureReport Media Medication MedicationAdministration
MedicationDispense MedicationKnowledge MedicationRequest MedicationStatement MedicinalProduct
MedicinalProductAuthorization MedicinalProductContraindication MedicinalProductDefinition
MedicinalProductIndication MedicinalProductIngredient MedicinalProductInteraction
MedicinalProductManufactured MedicinalProductPackaged MedicinalProductPharmaceutical
MedicinalProductUndesirableEffect MessageDefinition MessageHeader MolecularSequence NamingSystem
NutritionOrder NutritionProduct Observation ObservationDefinition OperationDefinition OperationOutcome
Organization OrganizationAffiliation PackagedProductDefinition Parameters Patient PaymentNotice
PaymentReconciliation Person PlanDefinition Practitioner PractitionerRole Procedure Provenance
Questionnaire QuestionnaireResponse RegulatedAuthorization RelatedPerson RequestGroup ResearchDefinition
ResearchElementDefinition ResearchStudy ResearchSubject RiskAssessment RiskEvidenceSynthesis Schedule
SearchParameter ServiceRequest Slot Specimen SpecimenDefinition StructureDefinition StructureMap
Subscription SubscriptionStatus SubscriptionTopic Substance SubstanceDefinition SubstanceNucleicAcid
SubstancePolymer SubstanceProtein SubstanceReferenceInformation SubstanceSourceMaterial
SubstanceSpecification SupplyDelivery SupplyRequest Task TerminologyCapabilities TestReport TestScript
ValueSet VerificationResult VisionPrescription
""".split())

# The tail of a literal reference: [base/]Type/id[/_history/version].
_REFERENCE_TAIL = re.compile(r"(?:^|/)([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$")
_ELEMENT_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_EVENT_CODE = re.compile(r"[A-Za-z0-9._^-]{1,64}")
_ERRORS_SHOWN = 3
_MAX_VALUES = 50_000  # Observations read into results from one document (a life-long Synthea record is ~5000)


def read_fhir(document: dict) -> list[ClinicalMessage]:
    """One ClinicalMessage per patient the document is about, from a FHIR R4 resource or Bundle.

    Raises Unreadable when the document is not FHIR, a resource used fails validation, a Patient
    has no identifier with a system, a result's subject is not a Patient in the document, or the
    document holds nothing the portal files."""
    return _Reader(document).read()


# -- the document ---------------------------------------------------------------------------------


@dataclass
class _Entry:
    position: int  # index in Bundle.entry; -1 for a document that is one resource
    resource: dict
    full_url: str = ""

    @property
    def type(self) -> str:
        return self.resource["resourceType"]

    @property
    def where(self) -> str:
        return f" (at Bundle.entry[{self.position}])" if self.position >= 0 else ""

    @property
    def label(self) -> str:
        return self.type + self.where


@dataclass
class _PatientRecord:
    entry: _Entry
    facts: PatientFacts
    unusable_identifiers: int = 0
    results: list[ResultReport] = field(default_factory=list)


_AMBIGUOUS = object()  # two entries answer to the same reference: resolve neither, never guess


class _Reader:
    def __init__(self, document: Any):
        self.entries, self.event = _entries(document)
        self.by_key: dict[str, Any] = {}
        for entry in self.entries:
            keys = {entry.full_url} if entry.full_url else set()
            if _text(entry.resource.get("id")):
                keys.add(f"{entry.type}/{entry.resource['id']}")
            tail = _REFERENCE_TAIL.search(entry.full_url)  # a RESTful fullUrl answers to Type/id too
            if tail and tail.group(1) == entry.type:
                keys.add(f"{tail.group(1)}/{tail.group(2)}")
            for key in keys:
                self.by_key[key] = _AMBIGUOUS if key in self.by_key else entry
        self.validated: set[int] = set()
        self.patients: dict[int, _PatientRecord] = {}  # by id() of the Patient entry
        self.ignored: Counter[str] = Counter()
        self.unresolved: set[int] = set()  # id() of each Reference that names nothing in the document
        # The Observations each report (result) or panel (hasMember) lists directly, by id() of
        # the listing resource; and every Observation read into some result, by id().
        self.direct: dict[int, list[_Entry]] = {}
        self.included: set[int] = set()
        self.values = 0

    def read(self) -> list[ClinicalMessage]:
        reports: list[_Entry] = []
        observations: list[_Entry] = []
        for entry in self.entries:
            if entry.type == "Patient":
                self.patients[id(entry)] = self._patient(entry)
            elif entry.type == "DiagnosticReport":
                reports.append(entry)
            elif entry.type == "Observation":
                observations.append(entry)
            elif not (entry.type == "MessageHeader" and entry.position == 0):
                self.ignored[entry.type if entry.type in _RESOURCE_TYPES else "unknown"] += 1
        if not self.patients and not reports and not observations:
            held = ", ".join(f"{name} x{count}" for name, count in sorted(self.ignored.items())) or "no resources"
            raise Unreadable("The document holds no Patient, DiagnosticReport or Observation to file "
                             f"(it holds {held}).")

        for entry in reports + observations:
            self._validate(entry.resource, entry.label)
        # Observations a report (or a panel Observation) lists are read as part of it; the others
        # are results of their own.
        listed = {id(member.resource) for entry in reports + observations for member in self._direct(entry)
                  if member.resource is not entry.resource}
        for entry in reports:
            patient = self._subject(entry)
            patient.results.append(self._report(entry, patient))
        for entry in observations:
            if id(entry.resource) not in listed:
                patient = self._subject(entry)
                patient.results.append(self._standalone(entry, patient))
        for entry in observations:
            if id(entry.resource) not in self.included:  # listed only by panels that list each other
                raise Unreadable(f"Observation{entry.where} is only listed by Observations that list each other "
                                 "(a hasMember cycle): it belongs to no result.")

        messages = []
        for record in self.patients.values():
            extra: dict[str, Any] = {"ignored": dict(self.ignored), "unresolved_references": len(self.unresolved)}
            if record.unusable_identifiers:
                extra["unusable_identifiers"] = record.unusable_identifiers
            messages.append(ClinicalMessage(
                kind="results" if record.results else "demographics", patient=record.facts,
                results=tuple(record.results), event=self.event, extra=extra))
        return messages

    # -- validation -------------------------------------------------------------------------------

    def _validate(self, resource: dict, label: str) -> None:
        if id(resource) in self.validated:
            return
        from fhir.resources.R4B import get_fhir_model_class
        from pydantic import ValidationError

        model = get_fhir_model_class(resource["resourceType"])
        try:
            model.model_validate(resource)
        except ValidationError as error:
            raise Unreadable(f"{label} is not valid FHIR R4: {_problems(error)}.") from None
        except (KeyError, ValueError, TypeError, AttributeError, RecursionError):
            # fhir.resources raises KeyError for a contained resource of an unknown type, and a
            # document nested deeper than the interpreter's stack cannot be walked at all.
            raise Unreadable(f"{label} is not valid FHIR R4: its structure cannot be read.") from None
        self.validated.add(id(resource))

    # -- references -------------------------------------------------------------------------------

    def _resolve(self, reference: Any, source: _Entry) -> Any:
        """The entry (or contained resource, as an _Entry) a Reference points at; None when it is
        not in the document; _AMBIGUOUS when more than one entry answers to it."""
        reference = _object(reference)
        literal = _text(reference.get("reference"))
        if literal.startswith("#"):
            for contained in _list(source.resource.get("contained")):
                if isinstance(contained, dict) and contained.get("id") == literal[1:]:
                    return _Entry(source.position, contained)
            return None
        if literal:
            found = self.by_key.get(literal)
            if found is None and (tail := _REFERENCE_TAIL.search(literal)):
                found = self.by_key.get(f"{tail.group(1)}/{tail.group(2)}")
            if found is not None:
                return found
        # A logical reference (Reference.identifier) can still name a Patient of this document.
        wanted = _object(reference.get("identifier"))
        system, value = _text(wanted.get("system")), _text(wanted.get("value"))
        if system and value:
            hits = [r.entry for r in self.patients.values()
                    if any(i.authority == system and i.value == value for i in r.facts.identifiers)]
            return hits[0] if len(hits) == 1 else (_AMBIGUOUS if hits else None)
        return None

    def _subject(self, entry: _Entry) -> _PatientRecord:
        if not _object(entry.resource.get("subject")):
            raise Unreadable(f"{entry.type} has no subject: the patient it is about{entry.where}.")
        target = self._resolve(entry.resource.get("subject"), entry)
        if target is _AMBIGUOUS:
            raise Unreadable(f"{entry.type} subject matches more than one entry of this bundle{entry.where}.")
        if not isinstance(target, _Entry) or id(target) not in self.patients:
            raise Unreadable(f"{entry.type} subject is not a Patient in this bundle{entry.where}.")
        return self.patients[id(target)]

    def _direct(self, entry: _Entry) -> list[_Entry]:
        """The Observations a report (result) or an Observation (hasMember) lists; references to
        anything not in the document are counted, once, and skipped."""
        key = id(entry.resource)
        if key not in self.direct:
            field_name = "result" if entry.type == "DiagnosticReport" else "hasMember"
            found = []
            for reference in _list(entry.resource.get(field_name)):
                target = self._resolve(reference, entry)
                if isinstance(target, _Entry) and target.type == "Observation":
                    found.append(target)
                else:
                    self.unresolved.add(id(reference))
            self.direct[key] = found
        return self.direct[key]

    def _members(self, entry: _Entry) -> list[_Entry]:
        """Everything a report or panel lists, panels expanded in place, each Observation once.
        Iterative (a chain of panels as long as the document must not exhaust the stack), and
        capped: a document listing the same panels from many reports cannot make the output huge."""
        seen = {id(entry.resource)}
        found: list[_Entry] = []
        pending = list(reversed(self._direct(entry)))
        while pending:
            target = pending.pop()
            if id(target.resource) in seen:
                continue
            seen.add(id(target.resource))
            found.append(target)
            pending.extend(reversed(self._direct(target)))
        self.values += len(found)
        if self.values > _MAX_VALUES:
            raise Unreadable(f"The document lists more than {_MAX_VALUES} observations: send it in parts.")
        self.included.update(id(member.resource) for member in found)
        return found

    # -- patients ---------------------------------------------------------------------------------

    def _patient(self, entry: _Entry) -> _PatientRecord:
        self._validate(entry.resource, entry.label)
        resource = entry.resource
        identifiers, unusable, with_system = [], 0, 0
        for item in map(_object, _list(resource.get("identifier"))):
            system, value = _text(item.get("system")), _text(item.get("value"))
            if not system or not value:
                continue  # no assigning authority: useless for matching
            with_system += 1
            type_code = _text(_object(_first(_object(item.get("type")).get("coding"))).get("code")).upper()
            try:
                found = identifier(system, value, type_code if re.fullmatch(r"[A-Z]{1,5}", type_code) else "MR")
            except ValidationFailed:
                unusable += 1  # longer than 64 or characters an identifier claim cannot hold
                continue
            if found not in identifiers:
                identifiers.append(found)
        if not identifiers:
            if with_system:
                raise Unreadable("Patient has no usable identifier: each identifier with a system has a system or "
                                 f"value longer than 64 characters or with characters other than letters, digits, "
                                 f"spaces and . _ : / -{entry.where}.")
            raise Unreadable(f"Patient has no identifier with a system (assigning authority){entry.where}.")
        name = _name(resource.get("name"))
        email = next((_text(t.get("value")) for t in map(_object, _list(resource.get("telecom")))
                      if t.get("system") == "email" and _text(t.get("value")) and t.get("use") != "old"), "")
        gender = _text(resource.get("gender"))
        facts = PatientFacts(
            identifiers=tuple(identifiers), family_name=_text(name.get("family")),
            given_names=tuple(g.strip() for g in _list(name.get("given")) if isinstance(g, str) and g.strip()),
            birth_date=_text(resource.get("birthDate")), sex=gender if gender in SEXES else "", email=email)
        return _PatientRecord(entry, facts, unusable)

    # -- results ----------------------------------------------------------------------------------

    def _report(self, entry: _Entry, patient: _PatientRecord) -> ResultReport:
        resource = entry.resource
        status = _status(resource, entry.label)
        code = _coding(resource.get("code"))
        observations: list[Observation] = []
        for member in self._members(entry):
            self._validate(member.resource, member.label)
            self._same_patient(member, patient, entry)
            observations.extend(_observations(member))
        for number, attachment in enumerate(map(_object, _list(resource.get("presentedForm")))):
            presented = _presented(attachment, code, status, f"{entry.type}.presentedForm[{number}]{entry.where}")
            if presented is not None:
                observations.append(presented)
        conclusion = _text(resource.get("conclusion"))
        return ResultReport(
            source_id=_source_id(entry), code=code, category=_category(resource.get("category")), status=status,
            collected_at=_effective(resource), reported_at=_text(resource.get("issued")),
            performing_lab=_performer(resource), ordering_provider=self._ordering(entry),
            observations=tuple(observations), notes=(conclusion,) if conclusion else ())

    def _standalone(self, entry: _Entry, patient: _PatientRecord) -> ResultReport:
        """An Observation no report lists: a result of its own (a vital sign, a single test)."""
        resource = entry.resource
        observations = _observations(entry)
        self.included.add(id(resource))
        for member in self._members(entry):
            self._validate(member.resource, member.label)
            self._same_patient(member, patient, entry)
            observations.extend(_observations(member))
        return ResultReport(
            source_id=_source_id(entry), code=_coding(resource.get("code")),
            category=_category(resource.get("category")), status=_status(resource, entry.label),
            collected_at=_effective(resource), reported_at=_text(resource.get("issued")),
            performing_lab=_performer(resource), ordering_provider=self._ordering(entry),
            observations=tuple(observations))

    def _ordering(self, entry: _Entry) -> str:
        """Who ordered the test: FHIR keeps the orderer on the order (ServiceRequest.requester), so
        it is known when the document carries the order the result is basedOn."""
        for reference in _list(entry.resource.get("basedOn")):
            target = self._resolve(reference, entry)
            if isinstance(target, _Entry) and target.type == "ServiceRequest":
                self._validate(target.resource, target.label)
                display = _text(_object(target.resource.get("requester")).get("display"))
                if display:
                    return display[:200]
        return ""

    def _same_patient(self, member: _Entry, patient: _PatientRecord, report: _Entry) -> None:
        """An Observation read into a report must be about the report's patient, or say nothing."""
        if not _object(member.resource.get("subject")):
            return
        target = self._resolve(member.resource.get("subject"), member)
        if not isinstance(target, _Entry) or target is not patient.entry:
            raise Unreadable(f"An Observation{member.where} listed by {report.label} has a subject other than "
                             "the report's patient.")


def _entries(document: Any) -> tuple[list[_Entry], str]:
    if not isinstance(document, dict) or not isinstance(document.get("resourceType"), str):
        raise Unreadable("The document is not a FHIR resource: it has no resourceType.")
    resource_type = document["resourceType"]
    if resource_type not in _RESOURCE_TYPES:
        raise Unreadable("The resourceType is not a FHIR R4 resource type.")
    if resource_type != "Bundle":
        return [_Entry(-1, document)], ""

    bundle_type = _text(document.get("type"))
    if bundle_type not in _BUNDLE_TYPES:
        raise Unreadable("Bundle.type is missing or not a FHIR bundle type.")
    if bundle_type not in _FILED_BUNDLE_TYPES:
        raise Unreadable(f"A {bundle_type} Bundle is not filed: send the resources as a transaction, "
                         "collection, message or searchset Bundle.")
    raw_entries = document.get("entry", [])
    if not isinstance(raw_entries, list):
        raise Unreadable("Bundle.entry is not a list.")
    entries = []
    shell_entries = []
    for position, raw in enumerate(raw_entries):
        if not isinstance(raw, dict):
            raise Unreadable(f"Bundle.entry[{position}] is not an object.")
        resource = raw.get("resource")
        if resource is not None:
            if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
                raise Unreadable(f"Bundle.entry[{position}].resource has no resourceType.")
            entries.append(_Entry(position, resource, _text(raw.get("fullUrl"))))
        shell_entries.append({key: value for key, value in raw.items() if key != "resource"})
    # The Bundle's own structure is validated without its resources: those the portal files are
    # validated one by one, and a resource it ignores must not take the others down with it.
    _validate_shell({**document, "entry": shell_entries} if raw_entries else document)
    event = ""
    if bundle_type == "message" and entries and entries[0].type == "MessageHeader" and entries[0].position == 0:
        event_code = _text(_object(entries[0].resource.get("eventCoding")).get("code"))
        event = event_code if _EVENT_CODE.fullmatch(event_code) else ""
    return entries, event


def _validate_shell(shell: dict) -> None:
    from fhir.resources.R4B.bundle import Bundle
    from pydantic import ValidationError

    try:
        Bundle.model_validate(shell)
    except ValidationError as error:
        raise Unreadable(f"Bundle is not valid FHIR R4: {_problems(error)}.") from None
    except (KeyError, ValueError, TypeError, AttributeError, RecursionError):
        raise Unreadable("Bundle is not valid FHIR R4: its structure cannot be read.") from None


def _problems(error: Any) -> str:
    """pydantic's errors as element paths and the kind of problem: locations and error types come
    from the model, never from the document (an unknown element's own name is left out too)."""
    errors = error.errors(include_url=False, include_context=False, include_input=False)
    described = []
    for item in errors[:_ERRORS_SHOWN]:
        kind = str(item.get("type", ""))
        location = list(item.get("loc", ()))
        if kind == "extra_forbidden" and location:
            location = location[:-1]  # the unknown key is the document's text
        path = ""
        for part in location:
            if isinstance(part, int):
                path += f"[{part}]"
            elif isinstance(part, str) and _ELEMENT_NAME.fullmatch(part) and part != "root":  # pydantic's own
                part = "resourceType" if part == "resource_type" else part
                path += f".{part}" if path else part
        path = path or "the resource"
        if kind == "extra_forbidden":
            described.append(f"{path} has an element that is not in FHIR R4")
        elif kind.endswith("missing"):
            described.append(f"{path} is required")
        elif kind.endswith("_type") or kind in ("json_invalid", "model_attributes_type"):
            described.append(f"{path} has the wrong type")
        else:
            described.append(f"{path} has the wrong format or value")
    if len(errors) > _ERRORS_SHOWN:
        described.append(f"and {len(errors) - _ERRORS_SHOWN} more")
    return "; ".join(described)


# -- reading validated resources ------------------------------------------------------------------


def _observations(entry: _Entry) -> list[Observation]:
    """An Observation as shown: its own value, then one per component (blood pressure ...)."""
    resource = entry.resource
    common = dict(
        status=_status(resource, entry.label), observed_at=_effective(resource), performer=_performer(resource),
        notes=tuple(text for text in (_text(_object(n).get("text")) for n in _list(resource.get("note"))) if text))
    components = [_object(c) for c in _list(resource.get("component"))]
    found = []
    if _has_value(resource) or not (components or _list(resource.get("hasMember"))):
        found.append(_value(resource, _coding(resource.get("code")), common))
    found.extend(_value(component, _coding(component.get("code")), common) for component in components)
    return found


def _has_value(element: dict) -> bool:
    return "dataAbsentReason" in element or any(key.startswith("value") for key in element)


def _value(element: dict, code: Coding, common: dict) -> Observation:
    """value[x] of an Observation or one of its components, with its flags and range."""
    shown = dict(code=code, flags=_flags(element.get("interpretation")),
                 reference_range=_range(_first(element.get("referenceRange"))), **common)
    if "valueQuantity" in element or "valueInteger" in element:
        quantity = _object(element.get("valueQuantity"))
        number = _number(quantity.get("value") if quantity else element.get("valueInteger"))
        units = _text(quantity.get("unit")) or _text(quantity.get("code"))
        comparator = _text(quantity.get("comparator"))
        if not number:
            return Observation(value_type="none", units=units, **shown)
        if comparator:
            return Observation(value_type="quantity", number=number, units=units,
                               quantity=Quantity(comparator=comparator, number=number), **shown)
        return Observation(value_type="numeric", number=number, units=units, **shown)
    if "valueCodeableConcept" in element:
        coded = _coding(element["valueCodeableConcept"])
        return Observation(value_type="coded", coded=coded, text=coded.display, **shown)
    if "valueString" in element:
        return Observation(value_type="text", text=_text(element["valueString"]), **shown)
    if "valueBoolean" in element:
        return Observation(value_type="text", text="yes" if element["valueBoolean"] is True else "no", **shown)
    if "valueRange" in element:
        value = _object(element["valueRange"])
        low, high = _object(value.get("low")), _object(value.get("high"))
        units = _text(low.get("unit")) or _text(high.get("unit")) or _text(low.get("code")) or _text(high.get("code"))
        low_n, high_n = _number(low.get("value")), _number(high.get("value"))
        if low_n and high_n:
            quantity = Quantity(number=low_n, separator="-", second=high_n)
        else:
            quantity = Quantity(comparator=">=" if low_n else "<=", number=low_n or high_n)
        return Observation(value_type="quantity" if low_n or high_n else "none", quantity=quantity, units=units,
                           **shown)
    if "valueRatio" in element:
        value = _object(element["valueRatio"])
        numerator, denominator = _object(value.get("numerator")), _object(value.get("denominator"))
        units = "/".join(u for u in (_text(numerator.get("unit")), _text(denominator.get("unit"))) if u)
        quantity = Quantity(comparator=_text(numerator.get("comparator")), number=_number(numerator.get("value")),
                            separator=":", second=_number(denominator.get("value")))
        return Observation(value_type="quantity", quantity=quantity, units=units, **shown)
    if "valueDateTime" in element or "valueTime" in element:
        return Observation(value_type="text", text=_text(element.get("valueDateTime") or element.get("valueTime")),
                           **shown)
    if "valuePeriod" in element:
        period = _object(element["valuePeriod"])
        text = " - ".join(t for t in (_text(period.get("start")), _text(period.get("end"))) if t)
        return Observation(value_type="text", text=text, **shown)
    # No value (dataAbsentReason says why, shown as the text), or one the portal does not show
    # (valueSampledData: a waveform).
    reason = _coding(element.get("dataAbsentReason"))
    return Observation(value_type="none", text=reason.display or reason.code, **shown)


def _presented(attachment: dict, code: Coding, status: ResultStatus, where: str) -> Observation | None:
    """DiagnosticReport.presentedForm: the report as the lab formatted it, carried inline or
    pointed at (a URL kept as text, never fetched)."""
    title = _text(attachment.get("title"))
    data = attachment.get("data")
    if isinstance(data, str) and data.strip():
        try:
            content = base64.b64decode(re.sub(r"\s+", "", data), validate=True)
        except (binascii.Error, ValueError):
            raise Unreadable(f"{where} holds data that is not Base64.") from None
        document = EmbeddedDocument(content_type=_text(attachment.get("contentType")) or "application/octet-stream",
                                    data=content, title=title)
        return Observation(code=code, value_type="document", document=document, text=title, status=status)
    url = _text(attachment.get("url"))
    if url:
        return Observation(code=code, value_type="pointer", pointer=url[:2000], text=title, status=status)
    return None


def _status(resource: dict, label: str) -> ResultStatus:
    status = _STATUS.get(_text(resource.get("status")))
    if status is None:
        raise Unreadable(f"{label} status is missing or not a FHIR result status.")
    return status


def _category(categories: Any) -> Category:
    for concept in map(_object, _list(categories)):
        for coding in map(_object, _list(concept.get("coding"))):
            code = _text(coding.get("code"))
            for codes, category in ((_PATHOLOGY, Category.PATHOLOGY), (_IMAGING, Category.IMAGING),
                                    (_LAB, Category.LAB)):
                if code in codes or code.upper() in codes:
                    return category
    return Category.OTHER


def _coding(concept: Any) -> Coding:
    """A CodeableConcept as one Coding: the LOINC coding when there is one, else the first; shown
    by the concept's text (the sender's own name for it), else the coding's display."""
    concept = _object(concept)
    codings = [c for c in map(_object, _list(concept.get("coding"))) if _text(c.get("code")) or _text(c.get("display"))]
    chosen = next((c for c in codings if _text(c.get("system")) == "http://loinc.org"), codings[0] if codings else {})
    return Coding(code=_text(chosen.get("code"))[:100],
                  display=(_text(concept.get("text")) or _text(chosen.get("display")))[:500],
                  system=_text(chosen.get("system"))[:200])


def _flags(interpretations: Any) -> tuple[str, ...]:
    flags: list[str] = []
    for concept in map(_object, _list(interpretations)):
        for coding in map(_object, _list(concept.get("coding"))):
            code = _text(coding.get("code"))
            if code and code not in flags:
                flags.append(code[:20])
    return tuple(flags)


def _range(reference_range: Any) -> str:
    reference_range = _object(reference_range)
    low = _number(_object(reference_range.get("low")).get("value"))
    high = _number(_object(reference_range.get("high")).get("value"))
    if low and high:
        return f"{low}-{high}"
    if low or high:
        return f">={low}" if low else f"<={high}"
    return _text(reference_range.get("text"))


def _effective(resource: dict) -> str:
    return (_text(resource.get("effectiveDateTime")) or _text(resource.get("effectiveInstant"))
            or _text(_object(resource.get("effectivePeriod")).get("start")))


def _performer(resource: dict) -> str:
    return next((d for d in (_text(_object(p).get("display")) for p in _list(resource.get("performer"))) if d), "")


def _source_id(entry: _Entry) -> str:
    """The sender's name for the result, stable across corrections: its first identifier with a
    system, else its resource id (as Type/id: a report and an observation may share an id), else
    its fullUrl."""
    for item in map(_object, _list(entry.resource.get("identifier"))):
        if _text(item.get("system")) and _text(item.get("value")):
            return _text(item.get("value"))[:200]
    if _text(entry.resource.get("id")):
        return f"{entry.type}/{entry.resource['id']}"
    if entry.full_url:
        return entry.full_url[:200]
    raise Unreadable(f"{entry.label} has neither an identifier with a system nor an id.")


def _name(names: Any) -> dict:
    """The name to show: official, else usual, else the first one not marked old or maiden."""
    names = [n for n in map(_object, _list(names)) if n]
    for use in ("official", "usual"):
        found = next((n for n in names if n.get("use") == use), None)
        if found:
            return found
    return next((n for n in names if n.get("use") not in ("old", "maiden")), names[0] if names else {})


def _number(value: Any) -> str:
    """A FHIR decimal as text: as sent when the JSON was parsed with parse_float=Decimal."""
    if isinstance(value, bool):
        return ""
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else ""
    if isinstance(value, str):
        return value.strip()
    return ""


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _object(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None
