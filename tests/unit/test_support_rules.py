"""The pure rules of support requests and of the Idempotency-Key header."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from chalicelib.errors import ValidationFailed
from chalicelib.http import idempotency
from chalicelib.support.contract import NewSupportRequest
from chalicelib.support.domain import reference_of

BASE = {"topic": "other", "description": "Help", "email": "a@example.org"}


def test_the_reference_number_is_short_and_read_aloud_easily():
    assert reference_of("0a1b2c3d" + "0" * 24) == "SR-0A1B2C3D"


@pytest.mark.parametrize("phone", ["+1 (518) 555-0100", "518.555.0100", "5550100", "+44 20 7946 0958"])
def test_phone_numbers_as_people_write_them_are_taken(phone):
    assert NewSupportRequest.model_validate({**BASE, "phone": phone}).phone == phone


@pytest.mark.parametrize("phone", ["call me", "555", "1234567890123456", "518+555", "555-0100 ext. 4"])
def test_anything_else_is_not_a_phone_number(phone):
    with pytest.raises(ValidationError):
        NewSupportRequest.model_validate({**BASE, "phone": phone})


def test_an_emptied_optional_field_counts_as_not_given():
    request = NewSupportRequest.model_validate({**BASE, "name": "", "phone": ""})
    assert (request.name, request.phone) == (None, None)


@pytest.mark.parametrize("description", ["", "   ", "bell\x07", "x" * 4001])
def test_a_description_is_text_of_bounded_length(description):
    with pytest.raises(ValidationError):
        NewSupportRequest.model_validate({**BASE, "description": description})


def test_the_idempotency_key_is_read_and_checked_for_shape():
    assert idempotency.key_of({}) is None
    assert idempotency.key_of({"idempotency-key": " 123e4567-e89b-12d3-a456-426614174000 "}) == (
        "123e4567-e89b-12d3-a456-426614174000"
    )
    for bad in ("short", "x" * 129, "has space inside", "é" * 10):
        with pytest.raises(ValidationFailed) as refused:
            idempotency.key_of({"idempotency-key": bad})
        assert refused.value.details[0]["field"] == "Idempotency-Key"
