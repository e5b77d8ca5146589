"""The pure rules of patient matching: how an assigning authority is written and whose it is,
and which demographics make a match a possible mismatch."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.feeds.domain import FeedSource
from chalicelib.filing.matching import claimed, scoped_authority
from chalicelib.filing.mismatch import differences, same_family
from chalicelib.patients.domain import Identifier, Patient, PortalStatus, universal_id
from chalicelib.records.domain import FHIR_ID_AUTHORITY, PatientFacts, SentIdentifier


@pytest.mark.parametrize(
    ("text", "kind", "written"),
    [
        ("2.16.840.1.113883.19.5", "ISO", "urn:oid:2.16.840.1.113883.19.5"),
        ("2.16.840.1.113883.19.5", "", "urn:oid:2.16.840.1.113883.19.5"),
        ("urn:oid:2.16.840.1.113883.19.5", "", "urn:oid:2.16.840.1.113883.19.5"),
        ("http://hospital.example/mrn", "", "http://hospital.example/mrn"),
        ("hospital.example", "DNS", "hospital.example"),
        ("AMC-MRN", "", ""),
        ("2.16.840.1", "L", ""),  # a local name, whatever it looks like
        ("MRN", "", ""),
    ],
)
def test_a_universal_id_is_written_one_way_and_a_local_name_is_none(text, kind, written):
    assert universal_id(text, kind) == written


def test_a_scoped_authority_is_readable_and_keeps_senders_apart():
    assert scoped_authority("QUEST", "MRN") == "QUEST:MRN"
    pipe, dot = scoped_authority("LAB|AMC", "MRN"), scoped_authority("LAB.AMC", "MRN")
    assert pipe.startswith("LAB.AMC.") and pipe.endswith(":MRN") and pipe != dot
    long = scoped_authority("https://fhir.example.org/" + "r4/" * 30, "MRN")
    assert len(long) <= 64


SOURCE = FeedSource("LAB|Q", "org", "AMC-MRN", authorities=(("MRN", "AMC-MRN"), ("urn:oid:1.2.3", "AMC-MRN")))


@pytest.mark.parametrize(
    ("sent", "authority"),
    [
        (SentIdentifier("1", namespace="MRN"), "AMC-MRN"),  # declared
        (SentIdentifier("1", namespace="AMC-MRN"), "AMC-MRN"),  # the default declares its own name
        (SentIdentifier("1", universal_id="urn:oid:1.2.3"), "AMC-MRN"),  # declared OID
        (SentIdentifier("1", namespace="LOCAL", universal_id="urn:oid:9.9"), "urn:oid:9.9"),  # the OID wins
        (SentIdentifier("1", namespace="LOCAL"), scoped_authority("LAB|Q", "LOCAL")),
        (SentIdentifier("1"), "AMC-MRN"),  # bare record number: the default
        (SentIdentifier("1", type="MC"), None),  # bare, not a record number
        (SentIdentifier("1", type="SS", namespace="MRN"), None),  # never kept
        (SentIdentifier("p1", type="RI", universal_id=FHIR_ID_AUTHORITY), "fhir:..."),  # the sender's own
    ],
)
def test_an_identifier_is_claimed_under_the_authority_the_rules_give(sent, authority):
    found = claimed(SOURCE, "LAB|Q", sent)
    if sent.universal_id == FHIR_ID_AUTHORITY:
        assert found is not None and found.authority.startswith("fhir:")
        return
    assert (found.authority if found else None) == authority


def patient(family: str = "Núñez", birth: str = "1984-03-09") -> Patient:
    return Patient(
        patient_id="p",
        organization_id="org",
        identifiers=(Identifier("AMC-MRN", "1"),),
        family_name=family,
        given_names=("Ana",),
        birth_date=birth,
        sex="female",
        email="",
        portal_status=PortalStatus.NOT_INVITED,
        account_id="",
        created_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )


@pytest.mark.parametrize(
    ("family", "earlier", "same"),
    [
        ("NUNEZ", (), True),
        ("Nunez Garcia", (), True),
        ("Núñez-García", (), True),
        ("Garcia", ("Núñez",), True),
        ("Garcia", (), False),
        ("Nun", (), False),
    ],
)
def test_a_family_name_is_the_same_as_names_are_written(family, earlier, same):
    facts = PatientFacts(identifiers=(), family_name=family, previous_family_names=earlier)
    assert same_family("Núñez", facts) is same


def test_only_what_both_sides_give_and_disagree_on_differs():
    assert differences(patient(), PatientFacts((), family_name="Jones", birth_date="1990-01-01")) == (
        "birth_date",
        "family_name",
    )
    assert differences(patient(), PatientFacts((), family_name="", birth_date="")) == ()
    assert differences(patient(birth=""), PatientFacts((), family_name="NÚÑEZ", birth_date="1990-01-01")) == ()
