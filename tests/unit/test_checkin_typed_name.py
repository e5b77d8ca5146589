"""Signing a check-in form takes the patient's name as their clinic has it on record, typed as a
person types it (any case, accents or not, middle names or not), and refuses any other name."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.access.acting import ActedBy, from_json, stored
from chalicelib.checkin.signing import NOT_THE_NAME, NOT_THE_PROXYS_NAME, check_typed_name
from chalicelib.errors import ValidationFailed
from chalicelib.patients.domain import Patient, PortalStatus


def _patient(family: str, *given: str) -> Patient:
    filed = datetime(2026, 1, 1, tzinfo=timezone.utc)
    return Patient("p" * 32, "org", (), family, given, "1984-03-09", "F", "", PortalStatus.ACTIVE, "acct", filed)


DANA = _patient("Rivera", "Dana", "Maria")
ANA = _patient("Núñez-O'Brien", "Ana")


@pytest.mark.parametrize(
    "typed",
    [
        "Dana Rivera",
        "dana rivera",
        "  Dana   Rivera ",
        "Dana Maria Rivera",
        "Dana M. Rivera",
        "DANA M RIVERA",
        "Rivera, Dana",
    ],
)
def test_the_name_on_record_signs_however_it_is_typed(typed: str) -> None:
    check_typed_name(DANA, typed)


@pytest.mark.parametrize("typed", ["Ana Núñez-O'Brien", "ana nunez obrien", "Ana Nunez-OBrien"])
def test_accents_hyphens_and_apostrophes_do_not_matter(typed: str) -> None:
    check_typed_name(ANA, typed)


@pytest.mark.parametrize(
    "typed", ["Someone Else", "Dana", "Rivera", "Dana Smith", "Diana Rivera", "Dana Marco Rivera", "Dana X Rivera"]
)
def test_any_other_name_is_refused_naming_typed_name_without_quoting_the_record(typed: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_typed_name(DANA, typed)
    assert refused.value.message == NOT_THE_NAME
    assert refused.value.details == [{"field": "typed_name", "issue": NOT_THE_NAME}]
    assert "Rivera" not in refused.value.message and "Dana" not in refused.value.message


def test_a_chart_name_the_signed_form_cannot_print_takes_the_name_as_the_patient_can_type_it() -> None:
    # (the PDF prints "(name as on record)" beside it: there is no spelling of it to compare with)
    check_typed_name(_patient("王", "小明"), "Wang Xiaoming")


# -- someone acting for the patient ---------------------------------------------------------------

LUIS = ActedBy("Luis Alberto Rivera", "parent", "g" * 32)
EMMA = _patient("Rivera", "Emma")


@pytest.mark.parametrize("typed", ["Luis Rivera", "luis alberto rivera", "Rivera, Luis A.", "LUIS  RIVERA"])
def test_a_proxy_signs_with_their_own_name_folded_as_a_patients_is(typed: str) -> None:
    check_typed_name(EMMA, typed, LUIS)


@pytest.mark.parametrize("typed", ["Emma Rivera", "Rivera", "Luis", "Ana Rivera"])
def test_a_proxy_typing_the_patients_or_another_name_is_refused(typed: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_typed_name(EMMA, typed, LUIS)
    assert refused.value.message == NOT_THE_PROXYS_NAME
    assert refused.value.details[0]["field"] == "typed_name"
    assert "Luis" not in refused.value.message and "Emma" not in refused.value.message


def test_a_grant_without_the_proxys_name_cannot_sign() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_typed_name(EMMA, "Luis Rivera", ActedBy("", "parent", "g" * 32))
    assert refused.value.details[0]["issue"] == "no_proxy_name"


def test_what_a_proxy_did_reads_as_theirs_for_the_patient() -> None:
    assert LUIS.label == "Luis Alberto Rivera (parent)"
    assert LUIS.for_patient("Emma Rivera") == "Luis Alberto Rivera (parent) for Emma Rivera"
    guardian = ActedBy("Rosa Diaz", "guardian_of_adult", "g" * 32)
    assert guardian.label == "Rosa Diaz (guardian)"
    assert from_json(guardian.stored_json()) == guardian
    assert from_json(None) is None and stored(None, None, None) is None
