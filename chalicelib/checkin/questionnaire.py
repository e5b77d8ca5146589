"""A visit type's questionnaire, as an admin sends it: a FHIR R4 Questionnaire that check-in can
show on a phone and check answers against.

fhir.resources checks it is a Questionnaire at all (names, types, cardinalities); then the rules
of what check-in shows: items flat (no groups or nested items, which a one-column phone form would
have to invent a layout for), of the types the check-in can ask (string, text, boolean, date,
integer, choice with its answerOptions as codings, display), each linkId unique. A problem names
the item by its place in the list (``questionnaire.item.2``) and says its linkId in words.
"""

from __future__ import annotations

import json
from typing import Any

from chalicelib.checkin import printable
from chalicelib.errors import Problems, ValidationFailed

ITEM_TYPES = ("string", "text", "boolean", "date", "integer", "choice", "display")
MAX_ITEMS = 50
MAX_OPTIONS = 50
MAX_TEXT = 1_000
MAX_JSON = 100_000  # bytes of the whole Questionnaire: it is kept on the visit type's item


def checked_questionnaire(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The Questionnaire as kept (fhir.resources' JSON of it), or ValidationFailed naming each
    problem under ``questionnaire`` (the caller adds the prefix)."""
    if value is None:
        return None
    if len(json.dumps(value)) > MAX_JSON:
        raise ValidationFailed.of(("", f"must be at most {MAX_JSON} bytes"), message="The questionnaire is too long.")
    if value.get("resourceType") != "Questionnaire":
        raise ValidationFailed("The questionnaire must be a FHIR Questionnaire.", [{"field": ".resourceType"}])
    # Imported here: fhir.resources' models are large, and only an admin saving a visit type needs them.
    from fhir.resources.R4B.questionnaire import Questionnaire
    from pydantic import ValidationError

    try:
        parsed = Questionnaire.model_validate(value)
    except ValidationError as error:
        problems = Problems()
        for problem in error.errors()[:10]:
            place = ".".join(str(part) for part in problem.get("loc", ()) if part != "__root__")
            problems.add("." + place if place else "", "not valid FHIR", f"{place or 'It'}: {problem.get('msg', '')}")
        problems.raise_if_any("The questionnaire is not a valid FHIR Questionnaire.")
        raise  # unreachable: problems were added
    items = list(parsed.item or [])
    problems = Problems()
    if len(items) > MAX_ITEMS:
        problems.add(".item", "too many", f"A questionnaire has at most {MAX_ITEMS} items.")
    seen: set[str] = set()
    for index, item in enumerate(items[:MAX_ITEMS]):
        _check_item(problems, index, item, seen)
    problems.raise_if_any("The questionnaire has items check-in cannot ask.")
    kept: dict[str, Any] = json.loads(parsed.model_dump_json(exclude_none=True))
    return kept


def _check_item(problems: Problems, index: int, item: Any, seen: set[str]) -> None:
    field = f".item.{index}"
    link_id = str(item.linkId or "")
    named = f'The item "{link_id}"' if link_id else f"Item {index + 1}"
    if not link_id or len(link_id) > 100:
        problems.add(field, "linkId", f"{named} needs a linkId of 1 to 100 characters.")
    elif link_id in seen:
        problems.add(field, "duplicate linkId", f"{named}: each linkId may be used once.")
    seen.add(link_id)
    if item.type not in ITEM_TYPES:
        problems.add(field, "type", f"{named} is of type {item.type}; check-in asks {', '.join(ITEM_TYPES)}.")
    if item.item:
        problems.add(field, "nested", f"{named} has items inside it; check-in asks a flat list.")
    if not (item.text or "").strip():
        problems.add(field, "text", f"{named} needs the text of its question.")
    elif len(item.text) > MAX_TEXT:
        problems.add(field, "text", f"{named}'s text is over {MAX_TEXT} characters.")
    elif printable.problem(item.text):
        # Questions and the options chosen are printed on the signed forms: refused now, not at
        # each patient's signature.
        problems.add(field, "text", f"{named}'s text {printable.problem(item.text)}.")
    options = list(item.answerOption or [])
    if item.type == "choice":
        if not options or len(options) > MAX_OPTIONS:
            problems.add(field, "answerOption", f"{named} is a choice: give it 1 to {MAX_OPTIONS} answerOptions.")
        for option in options:
            coding = option.valueCoding
            if coding is None or not coding.code:
                problems.add(field, "answerOption", f"{named}: each answerOption is a valueCoding with a code.")
                break
            problem = printable.problem(str(coding.display or coding.code))
            if problem:
                problems.add(field, "answerOption", f"{named}: the option {coding.code!r} {problem}.")
                break
    elif options:
        problems.add(field, "answerOption", f"{named} is not a choice, so it has no answerOptions.")
    if item.answerValueSet:
        problems.add(field, "answerValueSet", f"{named}: list the options as answerOptions, not a value set.")
