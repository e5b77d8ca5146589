"""One contract, two patient indexes: FakePatients (service tests) and DynamoPatients.

The contract: a patient is found by id and by an organization's identifier; an identifier names
one patient per organization (a second claim is refused and nothing of it is written); a patient
is saved on the version that was read (1 when added, one more per save), so two changes cannot
silently undo each other; a merge moves identifiers to the survivor.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime, timezone

import pytest

from chalicelib.data.patients import DynamoPatients
from chalicelib.errors import Conflict
from chalicelib.patients.domain import Identifier, Patient, PortalStatus
from tests.fakes import FakePatients

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
MRN, OTHER_MRN, NATIONAL = Identifier("AMC-MRN", "P-100"), Identifier("AMC-MRN", "P-200"), Identifier("SSN", "123")


@pytest.fixture(params=["fake", "dynamodb"])
def patients(request):
    if request.param == "fake":
        return FakePatients()
    patients = request.getfixturevalue("container").patients
    assert isinstance(patients, DynamoPatients)
    return patients


def patient(number: int, *identifiers: Identifier, organization: str = "amc", **changes) -> Patient:
    return Patient(
        patient_id=f"{number:032x}",
        organization_id=organization,
        identifiers=identifiers or (MRN,),
        family_name="Doe",
        given_names=("Jane", "Q"),
        birth_date="1980-01-02",
        sex="female",
        email="jane@example.org",
        portal_status=PortalStatus.NOT_INVITED,
        account_id="",
        created_at=NOW,
        **changes,
    )


class TestPatientsContract:
    def test_a_patient_is_found_by_id_and_by_identifier(self, patients):
        # GIVEN a patient with two identifiers
        jane = patient(1, MRN, NATIONAL, wait_for_review=("pathology",))
        patients.add(jane)

        # THEN both find her, as added, at version 1; in another organization they find no one
        stored = dataclasses.replace(jane, version=1)
        assert patients.get(jane.patient_id) == stored
        assert patients.by_identifier("amc", MRN) == stored == patients.by_identifier("amc", NATIONAL)
        assert patients.claimed_by("amc", NATIONAL) == jane.patient_id
        assert patients.by_identifier("st-peters", MRN) is None and patients.claimed_by("st-peters", MRN) == ""
        assert patients.get(f"{9:032x}") is None
        assert patients.get(MRN.claim_key("amc")) is None  # a claim is no patient

    def test_an_identifier_names_one_patient_per_organization(self, patients):
        # GIVEN Jane, holding an MRN and a national id at AMC
        patients.add(patient(1, MRN, NATIONAL))

        # WHEN another patient of AMC comes with one of them
        with pytest.raises(Conflict):
            patients.add(patient(2, OTHER_MRN, NATIONAL))

        # THEN nothing of the refused patient is written
        assert patients.get(f"{2:032x}") is None
        assert patients.claimed_by("amc", OTHER_MRN) == ""
        # AND another organization may hold the same national id
        patients.add(patient(3, NATIONAL, organization="st-peters"))
        assert patients.claimed_by("st-peters", NATIONAL) == f"{3:032x}"

    def test_the_same_patient_id_is_added_once(self, patients):
        patients.add(patient(1, MRN))
        with pytest.raises(Conflict):
            patients.add(patient(1, OTHER_MRN))
        assert patients.claimed_by("amc", OTHER_MRN) == ""

    def test_a_patient_is_saved_on_the_version_read(self, patients):
        # GIVEN a patient two requests read at once
        patients.add(patient(1))
        first, second = patients.get(f"{1:032x}"), patients.get(f"{1:032x}")

        # WHEN both save a change
        patients.save(dataclasses.replace(first, portal_status=PortalStatus.INVITED))
        with pytest.raises(Conflict):
            patients.save(dataclasses.replace(second, email="other@example.org"))

        # THEN the first change stands, one version on; a patient never added cannot be saved on a version
        assert patients.get(f"{1:032x}") == dataclasses.replace(first, portal_status=PortalStatus.INVITED, version=2)
        with pytest.raises(Conflict):
            patients.save(patient(2, version=1))

    def test_a_save_claims_new_identifiers_only_while_free_and_moves_merged_ones(self, patients):
        # GIVEN Jane, and John who is merged into her
        patients.add(patient(1, MRN))
        patients.add(patient(2, OTHER_MRN))
        jane = patients.get(f"{1:032x}")

        # WHEN a save claims an identifier John holds, it is refused, and nothing changes
        with pytest.raises(Conflict):
            patients.save_with_claims(dataclasses.replace(jane, family_name="Roe"), new=(OTHER_MRN,))
        assert patients.get(jane.patient_id) == jane and patients.claimed_by("amc", OTHER_MRN) == f"{2:032x}"

        # WHEN Jane takes a new identifier and John's is moved to her
        survivor = dataclasses.replace(jane, identifiers=(MRN, OTHER_MRN, NATIONAL))
        patients.save_with_claims(survivor, new=(NATIONAL,), moved=(OTHER_MRN,))

        # THEN every identifier finds Jane, one version on; a stale save is refused
        assert patients.by_identifier("amc", OTHER_MRN) == dataclasses.replace(survivor, version=2)
        assert patients.claimed_by("amc", NATIONAL) == jane.patient_id
        with pytest.raises(Conflict):
            patients.save_with_claims(jane)
