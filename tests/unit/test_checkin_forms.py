"""What a patient signs is hashed as they read it, and a visit type's questionnaire is one
check-in can ask on a phone (the rest of forms is tested against the store, tests/integration)."""

from __future__ import annotations

import hashlib

import pytest

from chalicelib.checkin.forms import form_sha256, normalized_body
from chalicelib.checkin.questionnaire import checked_questionnaire
from chalicelib.errors import ValidationFailed


def test_the_hash_is_of_the_title_a_blank_line_and_the_body_as_read():
    assert form_sha256("Consent", "I agree.") == hashlib.sha256(b"Consent\n\nI agree.").hexdigest()


def test_line_ends_and_trailing_spaces_do_not_make_two_texts_that_read_the_same_differ():
    assert normalized_body("One.  \r\n\r\nTwo.\r\n") == normalized_body("One.\n\nTwo.") == "One.\n\nTwo."


def questionnaire(*items: dict) -> dict:
    return {"resourceType": "Questionnaire", "status": "active", "item": list(items)}


def test_a_flat_questionnaire_of_the_types_check_in_asks_is_kept_as_fhir_writes_it():
    kept = checked_questionnaire(
        questionnaire(
            {"linkId": "intro", "text": "A few questions", "type": "display"},
            {"linkId": "born", "text": "Last visit", "type": "date", "required": False},
            {"linkId": "pain", "text": "Pain", "type": "choice", "answerOption": [{"valueCoding": {"code": "0"}}]},
        )
    )
    assert [i["type"] for i in kept["item"]] == ["display", "date", "choice"]
    assert checked_questionnaire(None) is None


@pytest.mark.parametrize(
    "item, issue",
    [
        ({"linkId": "a", "text": "Choose", "type": "choice", "answerOption": [{"valueString": "x"}]}, "answerOption"),
        (
            {"linkId": "a", "text": "Free", "type": "string", "answerOption": [{"valueCoding": {"code": "x"}}]},
            "answerOption",
        ),
        ({"linkId": "a", "text": "Group", "type": "group"}, "type"),
        ({"linkId": "a", "text": "Set", "type": "choice", "answerValueSet": "http://x.org/vs"}, "answerValueSet"),
    ],
)
def test_an_item_check_in_cannot_ask_is_named_by_its_place(item, issue):
    with pytest.raises(ValidationFailed) as refused:
        checked_questionnaire(questionnaire({"linkId": "ok", "text": "Fine", "type": "boolean"}, item))
    assert {"field": ".item.1", "issue": issue} in refused.value.details


def test_a_resource_that_is_not_a_questionnaire_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        checked_questionnaire({"resourceType": "Patient"})
    assert refused.value.details[0]["field"] == ".resourceType"
