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
    FHIR_ID_AUTHORITY,
    Category,
    ClinicalEntry,
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
    entry: _Entry | None  # None: a patient only referred to (sent in an earlier message)
    facts: PatientFacts
    unusable_identifiers: int = 0
    results: list[ResultReport] = field(default_factory=list)
    entries: list[ClinicalEntry] = field(default_factory=list)


# Resources read into a patient's record beside results: type -> (entry kind, patient element).
_ENTRY_TYPES = {"AllergyIntolerance": ("allergy", "patient"), "Condition": ("condition", "subject"),
                "MedicationRequest": ("medication", "subject"), "Immunization": ("immunization", "patient"),
                "Encounter": ("visit", "subject"), "Appointment": ("appointment", "participant")}


_AMBIGUOUS = object()  # two entries answer to the same reference: resolve neither, never guess


class _Reader:
    def __init__(self, document: Any):
        self.entries, self.event = _entries(document)
        # When the sender says this was true (Bundle.timestamp): an entry without a
        # meta.lastUpdated of its own is as recent as that, so an older replay can be told apart.
        self.sent_at = _text(document.get("timestamp")) if isinstance(document, dict) and \
            document.get("resourceType") == "Bundle" else ""
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
        self.referred: dict[tuple[str, str], _PatientRecord] = {}  # patients only referred to, by reference
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
        documents: list[_Entry] = []
        others: list[_Entry] = []
        for entry in self.entries:
            if entry.type == "Patient":
                self.patients[id(entry)] = self._patient(entry)
            elif entry.type == "DiagnosticReport":
                reports.append(entry)
            elif entry.type == "Observation":
                observations.append(entry)
            elif entry.type == "DocumentReference":
                documents.append(entry)
            elif entry.type in _ENTRY_TYPES:
                others.append(entry)
            elif not (entry.type == "MessageHeader" and entry.position == 0):
                self.ignored[entry.type if entry.type in _RESOURCE_TYPES else "unknown"] += 1
        if not self.patients and not reports and not observations and not documents and not others:
            held = ", ".join(f"{name} x{count}" for name, count in sorted(self.ignored.items())) or "no resources"
            raise Unreadable("The document holds nothing the portal files (it holds "
                             f"{held}): Patient, DiagnosticReport, Observation, DocumentReference, "
                             f"{', '.join(_ENTRY_TYPES)}.")

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

        for entry in documents:
            self._validate(entry.resource, entry.label)
            patient = self._subject(entry)
            patient.results.append(self._document(entry))
        for entry in others:
            self._validate(entry.resource, entry.label)
            kind, element = _ENTRY_TYPES[entry.type]
            patient = self._subject(entry, element)
            patient.entries.append(self._entry(entry, kind))

        messages = []
        for record in [*self.patients.values(), *self.referred.values()]:
            extra: dict[str, Any] = {"ignored": dict(self.ignored), "unresolved_references": len(self.unresolved)}
            if record.unusable_identifiers:
                extra["unusable_identifiers"] = record.unusable_identifiers
            kind = "results" if record.results else "records" if record.entries else "demographics"
            messages.append(ClinicalMessage(
                kind=kind, patient=record.facts, results=tuple(record.results), entries=tuple(record.entries),
                event=self.event, extra=extra))
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

    def _subject(self, entry: _Entry, element: str = "subject") -> _PatientRecord:
        """The patient a resource is about: a Patient of this document, else one sent earlier
        that the reference names ("Patient/<id>", or a logical identifier with a system), which
        filing must find (it never creates a patient from a reference)."""
        if element == "participant":  # Appointment: the participant that is a Patient
            found = [p.get("actor") for p in map(_object, _list(entry.resource.get("participant")))
                     if self._actor_type(p.get("actor"), entry) == "Patient"]
            if len(found) > 1:
                raise Unreadable(f"{entry.type} has more than one Patient participant{entry.where}.")
            reference = found[0] if found else None
        else:
            reference = entry.resource.get(element)
        if not _object(reference):
            raise Unreadable(f"{entry.type} has no {element}: the patient it is about{entry.where}.")
        patient = self._patient_of(reference, entry)
        if patient is None:
            raise Unreadable(f"{entry.type} {element} is neither a Patient in this bundle nor a reference to "
                             f"one (Patient/<id> or an identifier with a system){entry.where}.")
        return patient

    def _actor_type(self, actor: Any, source: _Entry) -> str:
        """The resource type a Reference names: the entry it resolves to in this document, else
        its literal "Type/id", else its declared type."""
        actor = _object(actor)
        target = self._resolve(actor, source)
        if isinstance(target, _Entry):
            return target.type
        tail = _REFERENCE_TAIL.search(_text(actor.get("reference")))
        return tail.group(1) if tail else _text(actor.get("type"))

    def _patient_of(self, reference: Any, source: _Entry) -> _PatientRecord | None:
        target = self._resolve(reference, source)
        if target is _AMBIGUOUS:
            raise Unreadable(f"{source.type} refers to a patient that matches more than one entry of this "
                             f"bundle{source.where}.")
        if isinstance(target, _Entry):
            return self.patients.get(id(target))
        literal = _text(_object(reference).get("reference"))
        tail = _REFERENCE_TAIL.search(literal) if literal and not literal.startswith(("#", "urn:")) else None
        if tail and tail.group(1) == "Patient":
            key = (FHIR_ID_AUTHORITY, tail.group(2))
        else:
            wanted = _object(_object(reference).get("identifier"))
            key = (_text(wanted.get("system")), _text(wanted.get("value")))
            if literal or not all(key):
                return None
        if key not in self.referred:
            try:
                known = identifier(key[0], key[1], "RI" if key[0] == FHIR_ID_AUTHORITY else "MR")
            except ValidationFailed:
                return None
            self.referred[key] = _PatientRecord(None, PatientFacts(identifiers=(known,), reference_only=True))
        return self.referred[key]

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
        resource_id = _text(resource.get("id"))
        if re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", resource_id):
            # Later resources may refer to this patient as "Patient/<id>" (US Core, most servers).
            identifiers.append(identifier(FHIR_ID_AUTHORITY, resource_id, "RI"))
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

    def _document(self, entry: _Entry) -> ResultReport:
        """A DocumentReference: its first attachment with data is the file; one only pointed at
        (a URL) is kept as text, never fetched."""
        resource = entry.resource
        doc_status = _text(resource.get("docStatus"))
        status = (ResultStatus.CANCELLED if resource.get("status") == "entered-in-error"
                  else _STATUS.get(doc_status, ResultStatus.FINAL))
        code = _coding(resource.get("type"))
        observations = []
        for number, content in enumerate(map(_object, _list(resource.get("content")))):
            found = _presented(_object(content.get("attachment")), code, status,
                               f"{entry.type}.content[{number}].attachment{entry.where}")
            if found is not None:
                observations.append(found)
        observations.sort(key=lambda o: o.value_type != "document")  # the file first, then pointers
        context = _object(resource.get("context"))
        visit_id, discharged_at = "", ""
        for reference in _list(context.get("encounter"))[:1]:
            target = self._resolve(reference, entry)
            if isinstance(target, _Entry) and target.type == "Encounter":
                visit_id, discharged_at = _visit_key(target), _text(_object(target.resource.get("period")).get("end"))
            elif (tail := _REFERENCE_TAIL.search(_text(_object(reference).get("reference")))) and \
                    tail.group(1) == "Encounter":
                visit_id = f"Encounter/{tail.group(2)}"
        author = next((d for d in (_text(_object(a).get("display")) for a in _list(resource.get("author"))) if d), "")
        return ResultReport(
            source_id=_source_id(entry), code=code, category=Category.OTHER, status=status,
            collected_at=_text(_object(context.get("period")).get("start")) or _text(resource.get("date")),
            reported_at=_text(resource.get("date")), ordering_provider=author[:200],
            observations=tuple(observations), is_document=True, visit_id=visit_id, discharged_at=discharged_at)

    def _entry(self, entry: _Entry, kind: str) -> ClinicalEntry:
        resource = entry.resource
        withdrawn = (resource.get("status") == "entered-in-error"
                     or _coding(resource.get("verificationStatus")).code == "entered-in-error")
        content, occurred = _ENTRY_READERS[kind](self, entry)
        content = {key: value for key, value in content.items() if value not in (None, "", [], {})}
        return ClinicalEntry(kind=kind, source_id=_visit_key(entry) if kind == "visit" else _source_id(entry),
                             content=content, occurred_at=occurred, withdrawn=withdrawn,
                             as_of=_text(_object(resource.get("meta")).get("lastUpdated")) or self.sent_at)

    def _medication(self, entry: _Entry) -> dict:
        """What is prescribed: the code, or the Medication it refers to (contained or in the bundle)."""
        resource = entry.resource
        if _object(resource.get("medicationCodeableConcept")):
            return _shown(resource.get("medicationCodeableConcept"))
        reference = _object(resource.get("medicationReference"))
        target = self._resolve(reference, entry)
        if isinstance(target, _Entry) and target.type == "Medication":
            self._validate(target.resource, target.label)
            return _shown(target.resource.get("code"))
        return {"display": _text(reference.get("display"))[:500]}

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
        if self._patient_of(member.resource.get("subject"), member) is not patient:
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


# -- the rest of the record (allergies, conditions, medications, immunizations, visits, appointments)

_MAX_LISTED = 20  # reactions, reasons, participants ... shown per entry


def _shown(concept: Any) -> dict:
    """A CodeableConcept as shown: its name, code and system, each only when sent ({} if none)."""
    coding = _coding(concept)
    shown = {"display": coding.display or coding.code, "code": coding.code, "system": coding.system}
    return {key: value for key, value in shown.items() if value}


def _status_code(concept: Any) -> str:
    return _coding(concept).code


def _displays(items: Any, element: str = "") -> list[str]:
    found = []
    for item in _list(items)[:_MAX_LISTED]:
        item = _object(item)
        value = _object(item.get(element)) if element else item
        text = _text(value.get("display")) or _coding(value).display or _coding(value).code
        if text:
            found.append(text[:500])
    return found


def _notes(resource: dict) -> list[str]:
    return [t[:2000] for t in (_text(_object(n).get("text")) for n in _list(resource.get("note"))[:_MAX_LISTED]) if t]


def _onset(resource: dict, prefix: str) -> str:
    return (_text(resource.get(f"{prefix}DateTime")) or _text(_object(resource.get(f"{prefix}Period")).get("start"))
            or _text(resource.get(f"{prefix}String"))[:200])


def _visit_key(entry: _Entry) -> str:
    """A visit is kept by "Encounter/<id>": the form in which later documents refer to it."""
    return f"Encounter/{entry.resource['id']}" if _text(entry.resource.get("id")) else _source_id(entry)


def _allergy(reader: "_Reader", entry: _Entry) -> tuple[dict, str]:
    r = entry.resource
    reactions = [{key: value for key, value in (("manifestations", _displays(reaction.get("manifestation"))),
                                                ("severity", _text(reaction.get("severity")))) if value}
                 for reaction in map(_object, _list(r.get("reaction"))[:_MAX_LISTED])]
    content = {"substance": _shown(r.get("code")), "clinical_status": _status_code(r.get("clinicalStatus")),
               "verification_status": _status_code(r.get("verificationStatus")), "type": _text(r.get("type")),
               "categories": [c for c in _list(r.get("category")) if isinstance(c, str)],
               "criticality": _text(r.get("criticality")), "reactions": reactions, "onset": _onset(r, "onset"),
               "recorded_at": _text(r.get("recordedDate")), "notes": _notes(r)}
    return content, _text(r.get("recordedDate")) or _onset(r, "onset")


def _condition(reader: "_Reader", entry: _Entry) -> tuple[dict, str]:
    r = entry.resource
    content = {"condition": _shown(r.get("code")), "clinical_status": _status_code(r.get("clinicalStatus")),
               "verification_status": _status_code(r.get("verificationStatus")),
               "categories": _displays(r.get("category")), "severity": _coding(r.get("severity")).display,
               "onset": _onset(r, "onset"), "abated": _onset(r, "abatement"),
               "recorded_at": _text(r.get("recordedDate")), "notes": _notes(r)}
    return content, _onset(r, "onset") or _text(r.get("recordedDate"))


def _medication_request(reader: "_Reader", entry: _Entry) -> tuple[dict, str]:
    r = entry.resource
    dispense = _object(r.get("dispenseRequest"))
    content = {"medication": reader._medication(entry), "status": _text(r.get("status")), "intent": _text(r.get("intent")),
               "dosage": [t[:1000] for t in (_text(_object(d).get("text")) for d in _list(r.get("dosageInstruction"))) if t],
               "authored_on": _text(r.get("authoredOn")),
               "prescriber": _text(_object(r.get("requester")).get("display"))[:200],
               "reported_by_patient": r.get("reportedBoolean") is True,
               "reasons": _displays(r.get("reasonCode")) + _displays(r.get("reasonReference")),
               "refills_allowed": dispense.get("numberOfRepeatsAllowed")
               if isinstance(dispense.get("numberOfRepeatsAllowed"), int) else None, "notes": _notes(r)}
    return content, _text(r.get("authoredOn"))


def _immunization(reader: "_Reader", entry: _Entry) -> tuple[dict, str]:
    r = entry.resource
    occurred = _text(r.get("occurrenceDateTime")) or _text(r.get("occurrenceString"))[:200]
    content = {"vaccine": _shown(r.get("vaccineCode")), "status": _text(r.get("status")), "occurred_at": occurred,
               "lot_number": _text(r.get("lotNumber"))[:100], "site": _coding(r.get("site")).display,
               "route": _coding(r.get("route")).display, "performers": _displays(r.get("performer"), "actor"),
               "location": _text(_object(r.get("location")).get("display"))[:200], "notes": _notes(r)}
    return content, occurred


def _encounter(reader: "_Reader", entry: _Entry) -> tuple[dict, str]:
    r = entry.resource
    period = _object(r.get("period"))
    visit_class = _object(r.get("class"))
    content = {"status": _text(r.get("status")),
               "class": _text(visit_class.get("display")) or _text(visit_class.get("code")),
               "types": _displays(r.get("type")), "started_at": _text(period.get("start")),
               "ended_at": _text(period.get("end")), "locations": _displays(r.get("location"), "location"),
               "provider": _text(_object(r.get("serviceProvider")).get("display"))[:200],
               "clinicians": _displays(r.get("participant"), "individual"),
               "reasons": _displays(r.get("reasonCode")),
               "discharge_disposition": _coding(_object(r.get("hospitalization")).get("dischargeDisposition")).display}
    return content, _text(period.get("start"))


def _appointment(reader: "_Reader", entry: _Entry) -> tuple[dict, str]:
    r = entry.resource
    participants = [(reader._actor_type(p.get("actor"), entry), p) for p in map(_object, _list(r.get("participant")))]
    content = {"status": _text(r.get("status")), "starts_at": _text(r.get("start")), "ends_at": _text(r.get("end")),
               "minutes": r.get("minutesDuration") if isinstance(r.get("minutesDuration"), int) else None,
               "services": _displays(r.get("serviceType")), "specialties": _displays(r.get("specialty")),
               "type": _coding(r.get("appointmentType")).display, "description": _text(r.get("description"))[:500],
               "instructions": _text(r.get("patientInstruction"))[:2000],
               "with": _displays([p for kind, p in participants if kind not in ("Patient", "Location")], "actor"),
               "locations": _displays([p for kind, p in participants if kind == "Location"], "actor")}
    return content, _text(r.get("start"))


_ENTRY_READERS = {"allergy": _allergy, "condition": _condition, "medication": _medication_request,
                  "immunization": _immunization, "visit": _encounter, "appointment": _appointment}


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
