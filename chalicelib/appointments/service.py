"""The patient's appointments, read from the entries the feeds filed (records store, kind
"appointment"), through the one access check, audited as a read."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.service import patient_scope
from chalicelib.appointments import domain
from chalicelib.appointments.check_in_window import CompletedCheckIns, check_in_fields
from chalicelib.appointments.contract import AppointmentsQuery
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import caller_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import moment_key
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.records.stores import RecordReadPorts


class AppointmentPorts(RecordReadPorts, Protocol):
    @property
    def checkins(self) -> CompletedCheckIns: ...


def list_appointments(
    ports: AppointmentPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    query: AppointmentsQuery,
    now: datetime,
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id)
    zone_name = _zone_of(ports, scope.patient_id)
    # Entries are kept by their start (as a moment), so one Query gives either side of now in order.
    at = moment_key(now)
    entries, cursor = ports.records.page(
        scope.patient_id,
        "",
        now,
        query.limit,
        query.cursor,
        prefix="appointment#",
        listed_from=at if query.when == "upcoming" else "",
        listed_to=at if query.when == "past" else "",
        oldest_first=query.when == "upcoming",
    )
    check_ins = check_in_fields(ports, scope.patient_id, entries, zone_name, now)
    appointments = [_appointment(e.result_id, e.content, zone_name, check_ins.get(e.result_id)) for e in entries]
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "appointments.list",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Appointment",
        reason=f"count:{len(appointments)}",
    )
    return {"appointments": appointments, "time_zone": zone_name, "next_cursor": cursor or None}


def _zone_of(ports: RecordReadPorts, patient_id: str) -> str:
    patient = ports.patients.get(patient_id)
    if patient is None:  # merged away after the check: as for any unknown patient
        raise NotFound("No such patient.")
    organization = ports.directory.organization(patient.organization_id)
    return (organization.time_zone if organization else "") or DEFAULT_TIME_ZONE


def _appointment(
    entry_id: str, content: dict[str, Any], zone_name: str, check_in: dict[str, Any] | None = None
) -> dict[str, Any]:
    minutes = content.get("minutes")
    return {
        "id": entry_id,
        "status": domain.status_of(str(content.get("status") or "")),
        "starts_at": domain.in_zone(str(content.get("starts_at") or ""), zone_name),
        "ends_at": domain.in_zone(str(content.get("ends_at") or ""), zone_name),
        "minutes": minutes if isinstance(minutes, int) else None,
        "time_zone": zone_name,
        "type": str(content.get("type") or ""),
        "description": str(content.get("description") or ""),
        "services": list(content.get("services") or []),
        "specialties": list(content.get("specialties") or []),
        "instructions": str(content.get("instructions") or ""),
        "clinicians": list(content.get("with") or []),
        "places": list(content.get("locations") or []),
        "mode": domain.mode_of(content),
        "check_in": check_in,  # appointments.check_in_window.check_in_field
    }
