"""Signing a check-in form takes the patient's name as their clinic has it on record, typed as a
person types it (any case, accents or not, middle names or not), and refuses any other name."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from chalicelib.checkin.signing import NOT_THE_NAME, check_typed_name
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
