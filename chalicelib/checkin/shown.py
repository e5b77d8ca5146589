"""What check-in shows: the contract's CheckIn of a visit, and the ``check_in`` field each
appointment of the patient's list carries."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.service import AccessPorts
from chalicelib.appointments import domain as appointments
from chalicelib.appointments.policy import AppointmentPolicy, policy_of
from chalicelib.checkin.domain import CheckInRecord, RequestedChange
from chalicelib.checkin.stores import CheckIns
from chalicelib.checkin.visit import NOT_HAPPENING, Asked, Visit, in_zone, state_of, steps_of
from chalicelib.checkin.window import window
from chalicelib.records.domain import StoredResult


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


def appointment_check_in(
    policy: AppointmentPolicy,
    content: dict[str, Any],
    zone_name: str,
    now: datetime,
    completed_at: datetime | None = None,
    withdrawn: bool = False,
) -> dict[str, Any] | None:
    """An appointment's ``check_in`` field: None when check-in does not apply (cancelled, past,
    no start known), else its state and window."""
    starts_at = appointments.moment(str(content.get("starts_at") or ""), zone_name)
    status = appointments.status_of(str(content.get("status") or ""))
    if (
        starts_at is None
        or withdrawn
        or status in NOT_HAPPENING
        or appointments.when(str(content.get("starts_at") or ""), now, zone_name) == "past"
    ):
        return None
    state, opens_at, closes_at = window(policy, starts_at, now, zone_name)
    return {
        "state": "completed" if completed_at is not None else state,
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
        "completed_at": in_zone(completed_at, zone_name) if completed_at else None,
    }


class CheckInFieldPorts(AccessPorts, Protocol):
    @property
    def checkins(self) -> CheckIns: ...


def appointment_check_ins(
    ports: CheckInFieldPorts, patient_id: str, entries: list[StoredResult], zone_name: str, now: datetime
) -> dict[str, dict[str, Any] | None]:
    """{appointment id: its ``check_in`` field} of a page of the patient's appointments: the
    organization's policy read once and the check-ins of those still to come in one batch read."""
    patient = ports.patients.get(patient_id)
    policy = policy_of(ports.directory.organization(patient.organization_id) if patient else None)
    coming = [
        e for e in entries if appointments.when(str(e.content.get("starts_at") or ""), now, zone_name) == "upcoming"
    ]
    records = ports.checkins.many([(patient_id, e.result_id) for e in coming]) if coming else {}
    return {
        entry.result_id: appointment_check_in(
            policy,
            entry.content,
            zone_name,
            now,
            records[entry.result_id].completed_at if entry.result_id in records else None,
            entry.withdrawn,
        )
        for entry in entries
    }
