"""Staff find the organization's patients by record number, by any identifier (a lab's, an
HIE's, one the feeds kept as their sender's own), or by family name and birth date (a short,
capped list); never another organization's; every patient listed is an audited read."""

from __future__ import annotations

import pytest

from chalicelib import wiring
from chalicelib.accounts import service as accounts
from chalicelib.feeds.domain import FeedSource
from chalicelib.filing.matching import scoped_authority
from chalicelib.patients.domain import Identifier
from tests.integration.identity.conftest import PATIENT, call, seeded, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.conftest import ORG, deliver
from tests.integration.records.test_authorities import QUEST, epic_adt, quest_oru

SEARCH = "/v1/staff/patients/search"


def search(api, token: str, body: dict) -> dict:
    answer = call(api, "POST", SEARCH, body, token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body


def names(found: dict) -> list[str]:
    return [" ".join([*p["patient"]["given_names"], p["patient"]["family_name"]]) for p in found["patients"]]


def test_a_patient_a_lab_created_is_found_by_its_identifier(seeded, staff_token, container):
    container.records.add_feed_source(FeedSource(QUEST, ORG))  # its "MRN" stays its own
    deliver(seeded, quest_oru("Q-1", "77-001^^^MRN^MR", "Jones^Bob", "19900505", "M"), group_id="QUEST")
    authority = scoped_authority(QUEST, "MRN")

    found = search(seeded, staff_token, {"identifier": {"authority": authority, "value": "77-001"}})

    assert names(found) == ["Bob Jones"] and found["truncated"] is False
    assert found["patients"][0]["portal_status"] == "not_invited"
    assert {"authority": authority, "value": "77-001", "type": "MR"} in found["patients"][0]["patient"]["identifiers"]
    # Not under the organization's own record numbers: the lab never said it was one.
    assert search(seeded, staff_token, {"mrn": "77-001"})["patients"] == []


def test_an_oid_is_found_however_it_is_written(seeded, staff_token):
    registered = call(
        seeded,
        "POST",
        "/v1/staff/patients",
        {**PATIENT, "mrn": None, "identifiers": [{"authority": "urn:oid:2.16.840.1.113883.3.999", "value": "H-9"}]},
        staff_token,
    )
    assert registered.status_code == 201, registered.json_body
    for authority in ("urn:oid:2.16.840.1.113883.3.999", "2.16.840.1.113883.3.999"):
        found = search(seeded, staff_token, {"identifier": {"authority": authority, "value": "H-9"}})
        assert [p["patient"]["patient_id"] for p in found["patients"]] == [registered.json_body["patient_id"]]


def test_family_name_and_birth_date_find_a_short_list_and_only_the_callers_patients(seeded, staff_token, container):
    container.records.add_feed_source(FeedSource("EPIC|AMC", ORG, "AMC-MRN"))
    for n, (name, birth) in enumerate(
        [
            ("Núñez^Ana^^^^^L", "19840309"),
            ("NUNEZ^Ines^^^^^L", "19840309"),  # the same name as written differently
            ("Nunez^Old^^^^^L", "19700101"),  # another birth date
            ("Smith^Ann^^^^^L", "19840309"),  # another name
        ]
    ):
        deliver(seeded, epic_adt(f"ADT-{n}", f"N-{n}^^^AMC-MRN^MR", name, birth, "F"), group_id="EHR")
    # Another organization's patient with the same name and birth date is never listed.
    accounts.ensure_organization(container.directory, "saratoga-hospital", "Saratoga", now=container.clock.now())
    container.records.add_feed_source(FeedSource("EPIC|SH", "saratoga-hospital", "SH-MRN"))
    deliver(
        seeded,
        epic_adt("ADT-X", "N-X^^^SH-MRN^MR", "Nunez^Eva^^^^^L", "19840309", "F").replace("|EPIC|AMC|", "|EPIC|SH|"),
        group_id="SH",
    )
    assert container.patients.by_identifier("saratoga-hospital", Identifier("SH-MRN", "N-X")) is not None

    found = search(seeded, staff_token, {"family_name": "nunez", "birth_date": "1984-03-09"})

    assert names(found) == ["Ana Núñez", "Ines NUNEZ"] and found["truncated"] is False
    for listed in found["patients"]:
        events, _ = wiring.container().audit_log.for_patient(listed["patient"]["patient_id"], 20)
        assert ("patient.search", "name_and_birth_date") in {(e.event_type, e.reason) for e in events}
    assert search(seeded, staff_token, {"family_name": "Nobody", "birth_date": "1984-03-09"})["patients"] == []


def test_more_than_ten_namesakes_are_cut_to_ten_and_said(seeded, staff_token):
    for n in range(12):
        body = {**PATIENT, "mrn": f"TWIN-{n:02d}", "given_names": [f"Twin{n:02d}"]}
        assert call(seeded, "POST", "/v1/staff/patients", body, staff_token).status_code == 201

    found = search(seeded, staff_token, {"family_name": "Núñez", "birth_date": "1984-03-09"})

    assert len(found["patients"]) == 10 and found["truncated"] is True
    assert names(found)[0] == "Twin00 Núñez"  # in a stable order: by given names


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"mrn": "MRN-1001", "family_name": "Núñez", "birth_date": "1984-03-09"},
        {"family_name": "Núñez"},
        {"birth_date": "1984-03-09"},
        {"identifier": {"authority": "AMC-MRN"}},
        {"family_name": "Núñez", "birth_date": "03/09/1984"},
    ],
)
def test_a_search_that_is_not_one_of_the_three_is_refused_naming_what_is_wrong(seeded, staff_token, body):
    answer = call(seeded, "POST", SEARCH, body, staff_token)
    assert answer.status_code == 400, answer.json_body
    assert answer.json_body["error"]["code"] == "validation_failed"
    assert answer.json_body["error"]["details"]
