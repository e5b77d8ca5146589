"""What check-in shows: the contract's CheckIn of a visit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.checkin.domain import CheckInRecord, RequestedChange
from chalicelib.checkin.visit import Asked, Visit, state_of, steps_of
from chalicelib.checkin.window import in_zone


def shown(visit: Visit, record: CheckInRecord | None, asked: Asked, now: datetime) -> dict[str, Any]:
    """The contract's CheckIn: the same for the patient and for staff (who read the change asked
    for to act on it)."""
    state, opens_at, closes_at = state_of(visit, record, now)
    patient = visit.patient
    change = record.change if record else None
    questionnaire = asked.questionnaire
    return {
        "appointment_id": visit.appointment_id,
        "state": state,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "completed_at": in_zone(record.completed_at, visit.zone_name) if record and record.completed_at else None,
        "details": {
            "name": patient.shown_name,
            "birth_date": patient.birth_date,
            # The record keeps no address, phone or insurance of its own yet: what the feeds send
            # of them would be shown here (getattr: a record without them shows none).
            "address": str(getattr(patient, "address", "") or ""),
            "phone": str(getattr(patient, "phone", "") or ""),
            "email": patient.email,
            "insurance": getattr(patient, "insurance", None) or None,
            "confirmed_at": in_zone(record.confirmed_at, visit.zone_name) if record and record.confirmed_at else None,
            "change_requested": bool(record and record.changes_requested),
            "requested_change": shown_change(change, visit.zone_name) if change else None,
        },
        "questionnaire": {
            "questionnaire_id": questionnaire.questionnaire_id,
            "title": questionnaire.title,
            "items": [
                {
                    "link_id": item.link_id,
                    "text": item.text,
                    "type": item.type,
                    "required": item.required,
                    "options": [{"code": o.code, "display": o.display} for o in item.options],
                }
                for item in questionnaire.items
            ],
        }
        if questionnaire
        else None,
        "answers": [{"link_id": link_id, "value": value} for link_id, value in record.answers]
        if record and record.answers is not None
        else None,
        "answered_at": in_zone(record.answered_at, visit.zone_name) if record and record.answered_at else None,
        "forms": asked.forms,
        "steps": steps_of(record, asked),
    }


def shown_change(change: RequestedChange, zone_name: str) -> dict[str, Any]:
    shown = change.as_json()
    shown["requested_at"] = in_zone(change.requested_at, zone_name) if change.requested_at else None
    return shown
