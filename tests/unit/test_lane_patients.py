"""filing.lane_patients: the chart patients each record of a batch names, found through the
identifier claims as matching claims them, merges followed."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone

import pytest

from chalicelib.errors import DependencyUnavailable
from chalicelib.feeds.domain import FeedSource
from chalicelib.filing.lane_patients import chart_patients
from chalicelib.filing.matching import fhir_id_authority, scoped_authority
from chalicelib.patients.domain import Identifier, Patient, PortalStatus
from tests.fakes.patients import FakePatients
from tests.fakes.records import FakeRecords

ORG = "org-1"


def adt(control: str, identifiers: str, merged: str = "") -> str:
    segments = [
        f"MSH|^~\\&|ADT|AMC|PORTAL|AMC|20240301120000||ADT^{'A40' if merged else 'A08'}|{control}|P|2.5.1",
        f"PID|1||{identifiers}||Doe^Jane",
    ]
    return "\r".join(segments + ([f"MRG|{merged}"] if merged else []))


@dataclasses.dataclass
class Ports:
    patients: FakePatients = dataclasses.field(default_factory=FakePatients)
    records: FakeRecords = dataclasses.field(default_factory=FakeRecords)


def patient(patient_id: str, *identifiers: Identifier, merged_into: str = "") -> Patient:
    return Patient(
        patient_id=patient_id,
        organization_id=ORG,
        identifiers=identifiers,
        family_name="Doe",
        given_names=("Jane",),
        birth_date="1980-01-02",
        sex="F",
        email="",
        portal_status=PortalStatus.NOT_INVITED,
        account_id="",
        created_at=datetime(2024, 1, 1, tzinfo=timezone.utc),
        merged_into=merged_into,
    )


@pytest.fixture
def ports() -> Ports:
    ports = Ports()
    ports.records.add_feed_source(FeedSource("ADT|AMC", ORG, "AMC-MRN"))
    ports.records.add_feed_source(FeedSource("EHR", ORG, "AMC-MRN"))
    return ports


def test_a_merged_away_number_resolves_to_the_patient_it_was_merged_into(ports):
    ports.patients.add(patient("survivor", Identifier("AMC-MRN", "P-1")))
    ports.patients.add(patient("merged", Identifier("AMC-MRN", "P-2"), merged_into="survivor"))

    found = chart_patients(ports, [("ADT", adt("C-1", "P-2^^^AMC-MRN")), ("ADT", adt("C-2", "P-1^^^AMC-MRN"))])

    assert found == [frozenset({"survivor"}), frozenset({"survivor"})]


def test_each_identifier_of_a_patient_resolves_to_her_and_an_unclaimed_one_to_nobody(ports):
    ports.patients.add(
        patient("jane", Identifier("AMC-MRN", "P-1"), Identifier(scoped_authority("ADT|AMC", "EMPI"), "E-1"))
    )

    found = chart_patients(
        ports,
        [
            ("ADT", adt("C-1", "P-1")),  # a bare number: the feed source's default authority
            ("ADT", adt("C-2", "E-1^^^EMPI")),  # the sender's own authority name
            ("ADT", adt("C-3", "P-9^^^AMC-MRN")),  # a new patient
        ],
    )

    assert found == [frozenset({"jane"}), frozenset({"jane"}), frozenset()]


def test_fhir_references_by_id_and_by_identifier_resolve(ports):
    ports.patients.add(
        patient("jane", Identifier("AMC-MRN", "P-1"), Identifier(fhir_id_authority("EHR"), "jane-1", "RI"))
    )
    by_id = {"resourceType": "Observation", "id": "o-1", "subject": {"reference": "Patient/jane-1"}}
    by_identifier = {
        "resourceType": "Observation",
        "id": "o-2",
        "subject": {"identifier": {"system": "AMC-MRN", "value": "P-1"}},  # (its identifier alone)
    }

    found = chart_patients(ports, [("EHR", json.dumps(by_id)), ("EHR", json.dumps(by_identifier))])

    assert found == [frozenset({"jane"}), frozenset({"jane"})]


def test_a_body_that_cannot_be_read_or_claims_that_cannot_be_read_resolve_to_none(ports, monkeypatch):
    assert chart_patients(ports, [("ADT", "not a message")]) == [None]

    def unavailable(claims):
        raise DependencyUnavailable("The patient index is unavailable.")

    monkeypatch.setattr(ports.patients, "claimed_by_many", unavailable)

    assert chart_patients(ports, [("ADT", adt("C-1", "P-1")), ("ADT", adt("C-2", "P-2"))]) == [None, None]
