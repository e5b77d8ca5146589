"""The questionnaire a patient answered, as kept with their answers on the check-in record
(data/checkins.py), so the check-in shows what was answered even after the visit type changes
(checkin/kept.py). Standard library only."""

from __future__ import annotations

from typing import Any

from chalicelib.checkin.domain import Item, Option, Questionnaire


def questionnaire_json(questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        "questionnaire_id": questionnaire.questionnaire_id,
        "title": questionnaire.title,
        "canonical": questionnaire.canonical,
        "items": [
            {
                "link_id": item.link_id,
                "text": item.text,
                "type": item.type,
                "required": item.required,
                "options": [{"code": o.code, "display": o.display, "system": o.system} for o in item.options],
            }
            for item in questionnaire.items
        ],
    }


def questionnaire_from_json(value: Any) -> Questionnaire | None:
    if not isinstance(value, dict):
        return None
    return Questionnaire(
        questionnaire_id=str(value.get("questionnaire_id") or ""),
        title=str(value.get("title") or ""),
        canonical=str(value.get("canonical") or ""),
        items=tuple(
            Item(
                link_id=str(item["link_id"]),
                text=str(item.get("text") or ""),
                type=str(item.get("type") or ""),
                required=bool(item.get("required")),
                options=tuple(
                    Option(str(o["code"]), str(o.get("display") or ""), str(o.get("system") or ""))
                    for o in item.get("options") or ()
                ),
            )
            for item in value.get("items") or ()
        ),
    )
