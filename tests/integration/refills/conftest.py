"""Fixtures of the refill tests: the seeded demo organization, its staff, and an enrolled patient
(Ana Núñez, MRN-1001) whose medications arrive through the real clinical feed handler."""

from __future__ import annotations

import json

import pytest

from tests.integration.conftest import sqs_event
from tests.integration.identity.conftest import enrolled, seeded, sign_in, staff_token  # noqa: F401  (fixtures)

QUEUE = "patient-portal-clinical-inbound.fifo"
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
SCHEDULE = "urn:patient-portal:fhir:controlled-substance-schedule"
NOT_ONLINE = "urn:patient-portal:fhir:not-refillable-online"


def medication_request(source_id: str, name: str, rxnorm: str = "", **fields) -> dict:
    """A MedicationRequest for Ana as an EHR sends it: active, 3 refills, good for years, unless
    ``fields`` say otherwise."""
    concept: dict = {"text": name}
    if rxnorm:
        concept["coding"] = [{"system": RXNORM, "code": rxnorm, "display": name}]
    resource = {
        "resourceType": "MedicationRequest",
        "id": source_id,
        "identifier": [{"system": "urn:oid:2.16.840.1.113883.19.5.7", "value": f"RX-{source_id}"}],
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": concept,
        "subject": {"identifier": {"system": "AMC-MRN", "value": "MRN-1001"}},
        "authoredOn": "2026-11-02",
        "requester": {"display": "Grace Okoro, MD"},
        "dosageInstruction": [{"text": "Take 1 tablet by mouth once a day"}],
        "dispenseRequest": {"numberOfRepeatsAllowed": 3, "validityPeriod": {"end": "2099-12-31"}},
    }
    resource.update(fields)
    return resource


def bundle(control: str, *resources: dict) -> str:
    header = {
        "resourceType": "MessageHeader",
        "id": control,
        "eventCoding": {"system": "urn:test:events", "code": "medications"},
        "source": {"endpoint": "urn:test:ehr-fhir", "name": "EHR (FHIR)"},
    }
    entries = [{"fullUrl": f"urn:uuid:{control}-{n}", "resource": r} for n, r in enumerate([header, *resources])]
    return json.dumps({"resourceType": "Bundle", "id": control, "type": "message", "entry": entries})


# Ana's medications: one of each case the refill rules tell apart.
LISINOPRIL = medication_request("rx-lisinopril", "Lisinopril 10 mg tablet", "314076")
OXYCODONE = medication_request(
    "rx-oxycodone",
    "Oxycodone 5 mg tablet",
    extension=[{"url": SCHEDULE, "valueCode": "II"}],
    dispenseRequest={"numberOfRepeatsAllowed": 0},
)
ALPRAZOLAM = medication_request("rx-alprazolam", "Alprazolam 0.5 mg tablet")  # on the portal's list, unmarked
AMOXICILLIN = medication_request(
    "rx-amoxicillin",
    "Amoxicillin 500 mg capsule",
    dispenseRequest={"numberOfRepeatsAllowed": 2, "validityPeriod": {"end": "2020-06-30"}},
)
METFORMIN = medication_request("rx-metformin", "Metformin 500 mg tablet", dispenseRequest={"numberOfRepeatsAllowed": 0})
WARFARIN = medication_request(
    "rx-warfarin", "Warfarin 5 mg tablet", extension=[{"url": NOT_ONLINE, "valueBoolean": True}]
)
IBUPROFEN = medication_request("rx-ibuprofen", "Ibuprofen 200 mg tablet", reportedBoolean=True)
PREDNISONE = medication_request("rx-prednisone", "Prednisone 10 mg tablet", status="stopped")
ALL = (LISINOPRIL, OXYCODONE, ALPRAZOLAM, AMOXICILLIN, METFORMIN, WARFARIN, IBUPROFEN, PREDNISONE)


@pytest.fixture
def ana(enrolled, seeded):
    """Ana signed in, her medications filed: (patient id, token, {name: medication id})."""
    event = sqs_event(seeded, [bundle("meds-1", *ALL)], QUEUE, group_id="EHR")
    assert seeded.lambda_.invoke("on_clinical_feed_message", event).payload == {"batchItemFailures": []}
    token = sign_in(seeded, "ana.nunez", "correct horse battery")
    from tests.integration.identity.conftest import call

    listed = call(seeded, "GET", f"/v1/patients/{enrolled.patient_id}/medications", token=token)
    assert listed.status_code == 200, listed.json_body
    ids = {m["name"]: m["medication_id"] for m in listed.json_body["medications"]}
    return enrolled.patient_id, token, ids
