"""The canonical URLs and code systems the writer names: US Core profiles (version-less, as US
Core's own examples and the ONC test tools expect), the IPS profiles of a patient summary, and the
terminology systems of the codes the portal writes. One table per idea, so the CapabilityStatement
and the resources it describes cannot drift apart."""

from __future__ import annotations

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
IPS = "http://hl7.org/fhir/uv/ips/StructureDefinition/"
US_CORE_SERVER = "http://hl7.org/fhir/us/core/CapabilityStatement/us-core-server"


def us_core(name: str) -> str:
    return f"{US_CORE}{name}"


# Each resource type's US Core profile, as the CapabilityStatement names it (the profile a type's
# resources usually carry; Observation and DiagnosticReport also carry the narrower ones below).
# Appointment has no US Core profile (US Core does not profile it): its resources carry none.
PROFILES: dict[str, str | None] = {
    "Patient": us_core("us-core-patient"),
    "Observation": us_core("us-core-observation-lab"),
    "DiagnosticReport": us_core("us-core-diagnosticreport-lab"),
    "DocumentReference": us_core("us-core-documentreference"),
    "AllergyIntolerance": us_core("us-core-allergyintolerance"),
    "Condition": us_core("us-core-condition-problems-health-concerns"),
    "Immunization": us_core("us-core-immunization"),
    "MedicationRequest": us_core("us-core-medicationrequest"),
    "Encounter": us_core("us-core-encounter"),
    "Appointment": None,
    "Practitioner": us_core("us-core-practitioner"),
    "Organization": us_core("us-core-organization"),
    "Provenance": us_core("us-core-provenance"),
}
# Every profile a type's resources may carry: the CapabilityStatement lists them as supportedProfile.
SUPPORTED_PROFILES: dict[str, tuple[str, ...]] = {
    "Observation": tuple(
        us_core(name)
        for name in (
            "us-core-observation-lab",
            "us-core-observation-clinical-result",
            "us-core-simple-observation",
            "us-core-vital-signs",
            "us-core-blood-pressure",
            "us-core-bmi",
            "us-core-body-height",
            "us-core-body-temperature",
            "us-core-body-weight",
            "us-core-head-circumference",
            "us-core-heart-rate",
            "us-core-pulse-oximetry",
            "us-core-respiratory-rate",
            "pediatric-bmi-for-age",
            "pediatric-weight-for-height",
            "head-occipital-frontal-circumference-percentile",
        )
    ),
    "DiagnosticReport": (us_core("us-core-diagnosticreport-lab"), us_core("us-core-diagnosticreport-note")),
    "Condition": (
        us_core("us-core-condition-problems-health-concerns"),
        us_core("us-core-condition-encounter-diagnosis"),
    ),
}

# The vital signs profiles by the LOINC code of the reading (US Core's, and the base FHIR
# vital signs profile's codes); any other vital sign carries us-core-vital-signs alone.
VITAL_SIGN_PROFILES = {
    "85354-9": us_core("us-core-blood-pressure"),
    "39156-5": us_core("us-core-bmi"),
    "8302-2": us_core("us-core-body-height"),
    "8306-3": us_core("us-core-body-height"),
    "8308-9": us_core("us-core-body-height"),
    "8310-5": us_core("us-core-body-temperature"),
    "8331-1": us_core("us-core-body-temperature"),
    "29463-7": us_core("us-core-body-weight"),
    "3141-9": us_core("us-core-body-weight"),
    "9843-4": us_core("us-core-head-circumference"),
    "8867-4": us_core("us-core-heart-rate"),
    "8889-8": us_core("us-core-heart-rate"),
    "59408-5": us_core("us-core-pulse-oximetry"),
    "2708-6": us_core("us-core-pulse-oximetry"),
    "9279-1": us_core("us-core-respiratory-rate"),
    "59576-9": us_core("pediatric-bmi-for-age"),
    "77606-2": us_core("pediatric-weight-for-height"),
    "8289-1": us_core("head-occipital-frontal-circumference-percentile"),
}
VITAL_SIGNS = us_core("us-core-vital-signs")

# The IPS profile of each resource type a patient summary holds (IPS 1.1).
IPS_PROFILES = {
    "Bundle": f"{IPS}Bundle-uv-ips",
    "Composition": f"{IPS}Composition-uv-ips",
    "Patient": f"{IPS}Patient-uv-ips",
    "AllergyIntolerance": f"{IPS}AllergyIntolerance-uv-ips",
    "Condition": f"{IPS}Condition-uv-ips",
    "MedicationRequest": f"{IPS}MedicationRequest-uv-ips",
    "Immunization": f"{IPS}Immunization-uv-ips",
    "DiagnosticReport": f"{IPS}DiagnosticReport-uv-ips",
    "Organization": f"{IPS}Organization-uv-ips",
    "Practitioner": f"{IPS}Practitioner-uv-ips",
}
IPS_LAB_RESULT = f"{IPS}Observation-results-laboratory-uv-ips"
IPS_RADIOLOGY_RESULT = f"{IPS}Observation-results-radiology-uv-ips"
VITALSIGNS_BASE = "http://hl7.org/fhir/StructureDefinition/vitalsigns"

# Code systems.
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
UCUM = "http://unitsofmeasure.org"
CVX = "http://hl7.org/fhir/sid/cvx"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
NDC = "http://hl7.org/fhir/sid/ndc"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
DATA_ABSENT_EXTENSION = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DIAGNOSTIC_SECTION = "http://terminology.hl7.org/CodeSystem/v2-0074"
INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
ALLERGY_CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
ALLERGY_VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
US_CORE_CONDITION_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/condition-category"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
DOCUMENT_CATEGORY = "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category"
FORMAT_CODE = "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode"
PROVENANCE_AGENT_TYPE = "http://terminology.hl7.org/CodeSystem/provenance-participant-type"
LIST_EMPTY_REASON = "http://terminology.hl7.org/CodeSystem/list-empty-reason"
CONFIDENTIALITY = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
