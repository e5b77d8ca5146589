"""The shape of a FHIR document: one resource, or a Bundle whose entries are walked here.

``read_entries`` checks what holds the resources (a resourceType FHIR R4 knows, a Bundle type
that states the current record, entries that are objects with a resourceType), validates the
Bundle's own structure without its resources, and hands over each resource as an Entry that
knows where it sits, so a reason can say "at Bundle.entry[3]" instead of quoting the resource.
``source_id`` and ``visit_key`` are the sender's stable names for what an entry becomes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, cast

from chalicelib.interop.fhir.validation import validate_shell
from chalicelib.interop.fhir.values import as_list, as_object, as_text
from chalicelib.records.domain import Unreadable

# Bundle types that carry resources to file. history (several versions of one resource) and the
# -response types (outcomes of someone else's request) are not a statement of the current record.
_FILED_BUNDLE_TYPES = frozenset({"transaction", "batch", "collection", "message", "searchset", "document"})
_BUNDLE_TYPES = _FILED_BUNDLE_TYPES | {"history", "transaction-response", "batch-response"}

# Resource types as FHIR R4 / R4B spell them: only these names are echoed into a reason or into
# extra["ignored"]; any other resourceType is counted as "unknown" (a garbled field can hold PHI).
RESOURCE_TYPES = frozenset(
    """
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
""".split()
)

# The tail of a literal reference: [base/]Type/id[/_history/version].
REFERENCE_TAIL = re.compile(r"(?:^|/)([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\-.]{1,64})(?:/_history/[A-Za-z0-9\-.]{1,64})?$")
_EVENT_CODE = re.compile(r"[A-Za-z0-9._^-]{1,64}")


@dataclass
class Entry:
    position: int  # index in Bundle.entry; -1 for a document that is one resource
    resource: dict[str, Any]
    full_url: str = ""

    @property
    def type(self) -> str:
        # A str: read_entries takes only resources whose resourceType is one, and a contained
        # resource is reached only from a resource that validation has passed.
        return cast(str, self.resource["resourceType"])

    @property
    def where(self) -> str:
        return f" (at Bundle.entry[{self.position}])" if self.position >= 0 else ""

    @property
    def label(self) -> str:
        return self.type + self.where


def read_entries(document: Any) -> tuple[list[Entry], str]:
    """The resources of a document, and its event (a message Bundle's MessageHeader.eventCoding)."""
    if not isinstance(document, dict) or not isinstance(document.get("resourceType"), str):
        raise Unreadable("The document is not a FHIR resource: it has no resourceType.")
    resource_type = document["resourceType"]
    if resource_type not in RESOURCE_TYPES:
        raise Unreadable("The resourceType is not a FHIR R4 resource type.")
    if resource_type != "Bundle":
        return [Entry(-1, document)], ""

    bundle_type = as_text(document.get("type"))
    if bundle_type not in _BUNDLE_TYPES:
        raise Unreadable("Bundle.type is missing or not a FHIR bundle type.")
    if bundle_type not in _FILED_BUNDLE_TYPES:
        raise Unreadable(
            f"A {bundle_type} Bundle is not filed: send the resources as a transaction, "
            "collection, message or searchset Bundle."
        )
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
            entries.append(Entry(position, resource, as_text(raw.get("fullUrl"))))
        shell_entries.append({key: value for key, value in raw.items() if key != "resource"})
    # The Bundle's own structure is validated without its resources: those the portal files are
    # validated one by one, and a resource it ignores must not take the others down with it.
    validate_shell({**document, "entry": shell_entries} if raw_entries else document)
    event = ""
    if bundle_type == "message" and entries and entries[0].type == "MessageHeader" and entries[0].position == 0:
        event_code = as_text(as_object(entries[0].resource.get("eventCoding")).get("code"))
        event = event_code if _EVENT_CODE.fullmatch(event_code) else ""
    return entries, event


def source_id(entry: Entry) -> str:
    """The sender's name for the result, stable across corrections: its first identifier with a
    system, else its resource id (as Type/id: a report and an observation may share an id), else
    its fullUrl."""
    for item in map(as_object, as_list(entry.resource.get("identifier"))):
        if as_text(item.get("system")) and as_text(item.get("value")):
            return as_text(item.get("value"))[:200]
    if as_text(entry.resource.get("id")):
        return f"{entry.type}/{entry.resource['id']}"
    if entry.full_url:
        return entry.full_url[:200]
    raise Unreadable(f"{entry.label} has neither an identifier with a system nor an id.")


def visit_key(entry: Entry) -> str:
    """A visit is kept by "Encounter/<id>": the form in which later documents refer to it."""
    return f"Encounter/{entry.resource['id']}" if as_text(entry.resource.get("id")) else source_id(entry)
