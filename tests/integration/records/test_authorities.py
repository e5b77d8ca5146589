"""Assigning authorities are namespaced: a local name ("MRN") means something only to the sender
that uses it unless its feed source declares which of the organization's authorities it stands
for; a universal id (an OID, a URI) names one authority for every sender, in HL7 and FHIR alike;
an identifier type code sent where the authority goes is read as the type it is.

Messages in three vendors' styles: an EHR's ADT (Epic-like, its record numbers under the
organization's AMC-MRN), a reference lab's ORU (Quest-like: "MRN" as its namespace, CX.5 MR) and a
hospital lab's ORU (Cerner-like: "MRN" too, and OIDs in CX.4.2), and a FHIR Patient."""

from __future__ import annotations

import json

import pytest

from chalicelib.feeds.domain import FeedSource
from chalicelib.filing.matching import scoped_authority
from tests.integration.records.conftest import ORG, all_records, deliver, feed_records, find, patient_items

EHR, QUEST, CERNER, FHIR = "EPIC|AMC", "QUEST|QLAB", "CERNER|SJH", "https://ehr.amc.example/fhir"


def epic_adt(control: str, pid3: str, name: str = "Smith^Ann^^^^^L", birth: str = "19700101", sex: str = "F") -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|EPIC|AMC|PORTAL|AMC|20261201080000||ADT^A04^ADT_A01|{control}|P|2.5.1",
            "EVN|A04|20261201080000",
            f"PID|1||{pid3}||{name}||{birth}|{sex}|||1 Main St^^Albany^NY^12208",
            "PV1|1|O|AMB^^^AMC",
        ]
    )


def quest_oru(control: str, pid3: str, name: str, birth: str, sex: str) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|QUEST|QLAB|PORTAL|AMC|20261201090000||ORU^R01|{control}|P|2.3.1",
            f"PID|1|{pid3}|{pid3}||{name}||{birth}|{sex}",
            f"OBR|1|ORD-{control}|Q-{control}|2345-7^Glucose^LN|||20261201070000|||||||||||||||||F",
            "OBX|1|NM|2345-7^Glucose^LN||105|mg/dL|70-99|H|||F",
        ]
    )


def cerner_oru(control: str, pid3: str, name: str, birth: str, sex: str) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|CERNER|SJH|PORTAL|AMC|20261201100000||ORU^R01^ORU_R01|{control}|P|2.5.1|||AL|NE",
            f"PID|1||{pid3}||{name}||{birth}|{sex}",
            f"OBR|1||C-{control}^CERNER|718-7^Hemoglobin^LN|||20261201073000|||||||||||||||||HM|F",
            "OBX|1|NM|718-7^Hemoglobin^LN||13.2|g/dL|12.0-16.0|N|||F",
        ]
    )


def fhir_patient(identifier: dict, family: str, given: str, birth: str) -> str:
    patient = {
        "resourceType": "Patient",
        "id": "pat-1",
        "identifier": [identifier],
        "name": [{"family": family, "given": [given]}],
        "birthDate": birth,
        "gender": "male",
    }
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}]})


@pytest.fixture
def senders(seeded, container):
    """The EHR's bare numbers are the organization's AMC-MRN; the labs declare nothing."""
    container.records.add_feed_source(FeedSource(EHR, ORG, "AMC-MRN"))
    for sender in (QUEST, CERNER, FHIR):
        container.records.add_feed_source(FeedSource(sender, ORG))


def results_of(patient_id: str) -> list:
    """The patient's current results (not kept versions)."""
    return [r for r in all_records() if r.patient_id == patient_id and r.kind == "result" and "#v" not in r.record_key]


@pytest.mark.usefixtures("senders")
def test_another_senders_undeclared_mrn_never_overlays_the_organizations_patient(seeded):
    deliver(seeded, epic_adt("EHR-1", "12345^^^AMC-MRN^MR"), group_id="EHR")
    ann = find(ORG, "AMC-MRN", "12345")
    assert (ann.family_name, ann.birth_date, ann.sex) == ("Smith", "1970-01-01", "female")

    # Two labs, each with its own patient numbered 12345 under a namespace each calls "MRN".
    deliver(seeded, quest_oru("Q-1", "12345^^^MRN^MR", "Jones^Bob", "19900505", "M"), group_id="QUEST")
    deliver(seeded, cerner_oru("C-1", "12345^^^MRN^MR", "Lee^Carl", "19550303", "M"), group_id="CERNER")

    assert {r.status for r in feed_records().values()} == {"filed"}
    # Ann's record is untouched and holds neither lab's result.
    ann_now = find(ORG, "AMC-MRN", "12345")
    assert ann_now.patient_id == ann.patient_id
    assert (ann_now.family_name, ann_now.birth_date, ann_now.sex) == ("Smith", "1970-01-01", "female")
    assert results_of(ann.patient_id) == []
    # Each lab's "MRN" is that lab's own: two more patients, each with its own result.
    bob = find(ORG, scoped_authority(QUEST, "MRN"), "12345")
    carl = find(ORG, scoped_authority(CERNER, "MRN"), "12345")
    assert (bob.family_name, carl.family_name) == ("Jones", "Lee")
    assert len({ann.patient_id, bob.patient_id, carl.patient_id}) == 3 == len(patient_items())
    assert [r.content["code"]["code"] for r in results_of(bob.patient_id)] == ["2345-7"]
    assert [r.content["code"]["code"] for r in results_of(carl.patient_id)] == ["718-7"]


def test_a_declared_name_files_under_the_organizations_authority(seeded, container, staff_token):
    container.records.add_feed_source(FeedSource(EHR, ORG, "AMC-MRN"))
    container.records.add_feed_source(FeedSource(QUEST, ORG, authorities=(("MRN", "AMC-MRN"),)))
    deliver(seeded, epic_adt("EHR-1", "12345^^^AMC-MRN^MR"), group_id="EHR")

    deliver(seeded, quest_oru("Q-1", "12345^^^MRN^MR", "Smith^Ann", "19700101", "F"), group_id="QUEST")

    ann = find(ORG, "AMC-MRN", "12345")
    assert [r.content["code"]["code"] for r in results_of(ann.patient_id)] == ["2345-7"]
    assert len(patient_items()) == 1


@pytest.mark.usefixtures("senders")
def test_an_oid_names_one_authority_for_hl7_and_fhir_senders_alike(seeded):
    deliver(
        seeded,
        cerner_oru("C-1", "55555^^^&2.16.840.1.113883.3.999&ISO^MR", "Ortiz^Dan", "19620707", "M"),
        group_id="CERNER",
    )
    deliver(
        seeded,
        fhir_patient({"system": "urn:oid:2.16.840.1.113883.3.999", "value": "55555"}, "Ortiz", "Dan", "1962-07-07"),
        group_id="FHIR",
        attributes={"sender": FHIR},
    )

    assert {r.status for r in feed_records().values()} == {"filed"}
    dan = find(ORG, "urn:oid:2.16.840.1.113883.3.999", "55555")
    assert dan is not None and len(patient_items()) == 1
    assert [r.content["code"]["code"] for r in results_of(dan.patient_id)] == ["718-7"]


@pytest.mark.usefixtures("senders")
def test_a_fhir_system_that_is_a_bare_name_is_the_senders_own(seeded):
    deliver(seeded, epic_adt("EHR-1", "777^^^AMC-MRN^MR", name="Ortiz^Dan", birth="19620707", sex="M"), group_id="EHR")
    deliver(
        seeded,
        fhir_patient({"system": "AMC-MRN", "value": "777"}, "Ortiz", "Dan", "1962-07-07"),
        group_id="FHIR",
        attributes={"sender": FHIR},
    )
    # Not a URI: a local name this FHIR source did not declare, so not the organization's AMC-MRN.
    assert find(ORG, scoped_authority(FHIR, "AMC-MRN"), "777") is not None
    assert len(patient_items()) == 2


@pytest.mark.usefixtures("senders")
def test_type_codes_in_the_authoritys_place_are_read_as_types(seeded):
    deliver(seeded, epic_adt("EHR-1", "123-45-6789^^^SS~888^^^MR~999^^^MC"), group_id="EHR")

    # "SS" is a social security number: never kept; "MR" a record number: the default authority;
    # "MC" a Medicare number without an authority: not a record number, so not claimed.
    patient = find(ORG, "AMC-MRN", "888")
    assert patient is not None
    assert [(i.authority, i.value) for i in patient.identifiers] == [("AMC-MRN", "888")]
    assert "123-45-6789" not in json.dumps([p.attribute_values for p in patient_items()], default=str)
