"""A visit type's questionnaire read into what the check-in asks, and the patient's answers
checked against it: every problem named as answers.<link_id> at once."""

import pytest

from chalicelib.checkin.domain import check_answers, read_questionnaire
from chalicelib.errors import ValidationFailed

QUESTIONNAIRE = {
    "resourceType": "Questionnaire",
    "url": "https://forms.example.org/Questionnaire/before-your-visit",
    "version": "2",
    "title": "Before your visit",
    "item": [
        {"linkId": "intro", "text": "A few questions.", "type": "display"},
        {"linkId": "reason", "text": "Why are you coming in?", "type": "text", "required": True},
        {"linkId": "city", "text": "City", "type": "string"},
        {"linkId": "smoker", "text": "Do you smoke?", "type": "boolean"},
        {"linkId": "cups", "text": "Cups of coffee a day", "type": "integer"},
        {"linkId": "last-visit", "text": "Last visit", "type": "date"},
        {
            "linkId": "pain",
            "text": "Pain today",
            "type": "choice",
            "answerOption": [
                {"valueCoding": {"system": "urn:pain", "code": "0", "display": "None"}},
                {"valueCoding": {"system": "urn:pain", "code": "10", "display": "Worst"}},
            ],
        },
    ],
}


def asked():
    questionnaire = read_questionnaire(QUESTIONNAIRE, "any-visit")
    assert questionnaire is not None
    return questionnaire


def problems(answers) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as raised:
        check_answers(asked(), answers)
    return {d["field"]: d["issue"] for d in raised.value.details}


def test_the_questionnaire_is_named_by_its_canonical_url_and_display_items_are_shown_not_asked():
    questionnaire = asked()
    assert questionnaire.canonical == "https://forms.example.org/Questionnaire/before-your-visit|2"
    assert [i.link_id for i in questionnaire.asked] == ["reason", "city", "smoker", "cups", "last-visit", "pain"]
    assert [(o.code, o.display) for o in questionnaire.items[-1].options] == [("0", "None"), ("10", "Worst")]


def test_a_questionnaire_without_a_url_is_named_under_the_portals_urn_and_one_asking_nothing_is_none():
    bare = read_questionnaire({"item": [{"linkId": "a", "type": "boolean"}]}, "any-visit")
    assert bare is not None and bare.canonical == "urn:patient-portal:questionnaire:any-visit"
    assert read_questionnaire({"item": [{"linkId": "a", "type": "display"}]}, "x") is None
    assert read_questionnaire(None, "x") is None


def test_good_answers_are_kept_in_the_questionnaires_order_trimmed_and_unanswered_optional_items_left_out():
    kept = check_answers(
        asked(),
        [
            ("pain", "10"),
            ("smoker", False),
            ("reason", "  Knee pain  "),
            ("cups", 0),
            ("city", None),
            ("last-visit", "2026-02-28"),
        ],
    )
    assert kept == (
        ("reason", "Knee pain"),
        ("smoker", False),
        ("cups", 0),
        ("last-visit", "2026-02-28"),
        ("pain", "10"),
    )


def test_every_wrong_answer_is_named_at_once():
    found = problems(
        [
            ("smoker", "no"),
            ("cups", True),  # a boolean is not a number, though Python says it is
            ("last-visit", "2026-02-30"),
            ("pain", "5"),
            ("city", "Albany\nNY"),
            ("shoe-size", 9),
        ]
    )
    assert found == {
        "answers.reason": "required",
        "answers.smoker": "must be yes or no",
        "answers.cups": "must be a whole number",
        "answers.last-visit": "must be a date that exists",
        "answers.pain": "must be one of the choices offered",
        "answers.city": "must be one line",
        "answers.shoe-size": "not a question",
    }


def test_a_required_item_answered_with_blanks_is_unanswered_and_an_item_answered_twice_is_refused():
    assert problems([("reason", "   "), ("smoker", True), ("smoker", False)]) == {
        "answers.reason": "required",
        "answers.smoker": "answered twice",
    }


def test_text_answers_are_bounded():
    assert problems([("reason", "x" * 4001)]) == {"answers.reason": "must be at most 4000 characters"}
    assert problems([("reason", "ok"), ("city", "x" * 301)]) == {"answers.city": "must be at most 300 characters"}
