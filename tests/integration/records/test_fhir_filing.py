"""FHIR R4 through the real feed handler: a collection Bundle of a Patient and an Observation files
a lab result under the patient named by identifier.system + value, with values as written."""

from __future__ import annotations

import json

from chalicelib.feeds.domain import FeedSource
from tests.conftest import SAMPLES_DIR
from tests.integration.records.conftest import ORG, deliver, feed_records, find, patient_items, rid

SENDER = "ehr-fhir"
SYSTEM = "http://example.org/patient/identifiers"


def bundle(value: str = "0.70") -> str:
    patient = json.loads((SAMPLES_DIR / "fhir" / "uscore_patient-example.json").read_text())
    observation = json.loads((SAMPLES_DIR / "fhir" / "uscore_observation-cbc-hemoglobin.json").read_text())
    observation["valueQuantity"]["value"] = "__VALUE__"
    document = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [
            {"fullUrl": "http://example.org/fhir/Patient/example", "resource": patient},
            {"fullUrl": "http://example.org/fhir/Observation/cbc-hemoglobin", "resource": observation},
        ],
    }
    # a JSON number written as the lab wrote it: json.dumps would say 0.7
    return json.dumps(document).replace('"__VALUE__"', value)


def test_a_collection_bundle_files_a_lab_result_under_its_patient(api, container):
    container.records.add_feed_source(FeedSource(SENDER, ORG))  # FHIR identifiers carry their authority
    body = bundle("0.70")
    assert '"value": 0.70' in body

    result = deliver(api, body, group_id="EHR", attributes={"sender": SENDER})

    assert result == {"batchItemFailures": []}
    [record] = feed_records().values()
    assert (record.status, record.format) == ("filed", "fhir")
    patient = find(ORG, SYSTEM, "1032702")
    assert patient is not None
    assert (patient.family_name, patient.given_names, patient.birth_date) == ("Baxter", ("Amy", "V."), "1987-02-20")
    stored = container.records.current(patient.patient_id, rid(SENDER, "Observation/cbc-hemoglobin"))
    assert stored is not None
    assert (stored.category, stored.status, stored.version) == ("lab", "final", 1)
    [observation] = stored.content["observations"]
    assert observation["value"] == {"type": "numeric", "number": "0.70"}  # the trailing zero kept
    assert observation["units"] == "g/dL"
    assert observation["reference_range"] == "16.5-21.5"
    assert observation["code"] == {"code": "718-7", "display": "Hemoglobin, Blood", "system": "http://loinc.org"}
    assert stored.content["performing_lab"] == "Dr Ronald Bone"


def test_the_same_bundle_twice_changes_nothing_and_a_changed_value_is_a_new_version(api, container):
    container.records.add_feed_source(FeedSource(SENDER, ORG))
    deliver(api, bundle("0.70"), group_id="EHR", attributes={"sender": SENDER})
    deliver(api, bundle("0.70"), group_id="EHR", attributes={"sender": SENDER})
    patient = find(ORG, SYSTEM, "1032702")
    result_id = rid(SENDER, "Observation/cbc-hemoglobin")
    assert [v.version for v in container.records.versions(patient.patient_id, result_id)] == [1]

    deliver(api, bundle("0.75"), group_id="EHR", attributes={"sender": SENDER})

    versions = container.records.versions(patient.patient_id, result_id)
    assert [v.content["observations"][0]["value"]["number"] for v in versions] == ["0.75", "0.70"]
    assert len(patient_items()) == 1


def test_a_fhir_body_from_an_unregistered_sender_is_quarantined(api, container):
    container.records.add_feed_source(FeedSource("another-ehr", ORG))

    deliver(api, bundle(), group_id="EHR", attributes={"sender": SENDER})

    [record] = feed_records().values()
    assert record.status == "quarantined" and "not registered" in record.reason
    assert patient_items() == []
