"""Staff's view of check-in: the organization's visits of a day, each with its check-in, and one
visit's check-in in full (read-only).

The day's list is an index the feed keeps (``keep_visit_day``, a step of
filing.appointments.AFTER_FILING): one partition per organization and day in the records table,
so a day is one Query however many patients the organization has. A visit the scheduler moves to
another day leaves its old day; a cancelled one stays, shown as cancelled. Each visit's check-in
is then read in batches, never one call per visit.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, cast

from chalicelib.appointments import domain as appointments
from chalicelib.appointments.domain import AppointmentFiled
from chalicelib.appointments.policy import policy_of
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import caller_actor, write_audit
from chalicelib.checkin import forms as visit_forms
from chalicelib.checkin import service
from chalicelib.checkin.domain import CheckInRecord, DayVisit
from chalicelib.checkin.signatures import SignedKey
from chalicelib.checkin.window import NOT_HAPPENING, in_zone, window
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE, UnknownZone, zone

# -- the index, kept by the feed ------------------------------------------------------------------


def keep_visit_day(filed: AppointmentFiled) -> None:
    """The filed appointment on its organization's list of the day it starts (on the
    organization's calendar), as filed now; off the day it was on, if it moved. One without a
    start time is on no day's list. Idempotent (a redelivery writes the same row again)."""
    starts_at = appointments.moment(str(filed.content.get("starts_at") or ""), filed.time_zone)
    if starts_at is None:
        return
    try:
        local = starts_at.astimezone(zone(filed.time_zone))
    except UnknownZone:
        local = starts_at
    patient = filed.ports.patients.get(filed.patient_id)
    status = "cancelled" if filed.withdrawn else appointments.status_of(str(filed.content.get("status") or ""))
    filed.ports.checkins.file_visit(
        DayVisit(
            organization_id=filed.organization_id,
            day=local.date().isoformat(),
            appointment_id=filed.entry_id,
            patient_id=filed.patient_id,
            patient_name=patient.shown_name if patient else "",
            birth_date=patient.birth_date if patient else "",
            starts_at=local.isoformat(),
            type=str(filed.content.get("type") or ""),
            clinicians=tuple(str(c) for c in filed.content.get("with") or ()),
            status=status or "booked",
        )
    )


# -- staff's routes -------------------------------------------------------------------------------


def day_list(
    ports: service.CheckInPorts, caller: Caller, origin: Origin, day: date | None, now: datetime
) -> dict[str, Any]:
    """The caller's organization's visits of the day (today on its calendar when not given), by
    start time, each with its check-in. Audited (it names patients)."""
    organization = ports.directory.organization(caller.organization_id)
    zone_name = (organization.time_zone if organization else "") or DEFAULT_TIME_ZONE
    try:
        today = now.astimezone(zone(zone_name)).date()
    except UnknownZone:
        today = now.date()
    wanted = (day or today).isoformat()
    policy = policy_of(organization)
    visits = ports.checkins.day(caller.organization_id, wanted)
    records = ports.checkins.many([(v.patient_id, v.appointment_id) for v in visits])
    required = _forms_required(ports, caller.organization_id, visits)
    signed = _forms_signed(ports, visits, records, required)
    shown = []
    for visit in sorted(visits, key=lambda v: (_moment(v, zone_name), v.appointment_id)):
        record = records.get(visit.appointment_id)
        needed = required.get(visit.type.strip().casefold(), ())
        shown.append(
            {
                "appointment_id": visit.appointment_id,
                "patient": {"patient_id": visit.patient_id, "name": visit.patient_name, "birth_date": visit.birth_date},
                "starts_at": visit.starts_at,
                "type": visit.type,
                "clinicians": list(visit.clinicians),
                "status": visit.status,
                "check_in": {
                    "state": _state(visit, record, policy, zone_name, now),
                    "completed_at": in_zone(record.completed_at, zone_name) if record and record.completed_at else None,
                    "forms_signed": signed[visit.appointment_id],
                    "forms_required": len(needed),
                    "answered": bool(record and record.answers is not None),
                    "change_requested": bool(record and record.changes_requested),
                },
            }
        )
        if record is not None and record.completed_at is not None and record.completed_forms is not None:
            # A completed check-in counts the forms it was completed with (each signed), as its
            # own page lists them (checkin/kept.py), not what the visit type asks now.
            summary = cast(dict[str, Any], shown[-1]["check_in"])
            summary["forms_signed"] = summary["forms_required"] = len(record.completed_forms)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "checkins.day_read",
        action=Action.READ,
        resource_type="Appointment",
        reason=f"{wanted} count:{len(shown)}",
    )
    return {"date": wanted, "time_zone": zone_name, "visits": shown}


def staff_check_in(
    ports: service.CheckInPorts, caller: Caller, origin: Origin, patient_id: str, appointment_id: str, now: datetime
) -> dict[str, Any]:
    """One visit's check-in as the patient sees it (with the change they asked for), for staff of
    the patient's organization (another's: not found). Audited."""
    return service.check_in(ports, caller, origin, patient_id, appointment_id, now)


def _moment(visit: DayVisit, zone_name: str) -> datetime:
    at = appointments.moment(visit.starts_at, zone_name)
    return at if at is not None else datetime.max.replace(tzinfo=timezone.utc)


def _state(visit: DayVisit, record: CheckInRecord | None, policy: Any, zone_name: str, now: datetime) -> str:
    if record is not None and record.completed_at is not None:
        return "completed"
    starts_at = appointments.moment(visit.starts_at, zone_name)
    if starts_at is None or visit.status in NOT_HAPPENING:
        return "closed"
    return window(policy, starts_at, now, zone_name)[0]


def _forms_required(
    ports: service.CheckInPorts, organization_id: str, visits: list[DayVisit]
) -> dict[str, tuple[tuple[str, int], ...]]:
    """{visit type as folded: (form id, current version) of each form it asks now}, read once
    per type of the day."""
    required: dict[str, tuple[tuple[str, int], ...]] = {}
    for visit in visits:
        key = visit.type.strip().casefold()
        if key in required:
            continue
        visit_type = visit_forms.visit_type_for(ports, organization_id, visit.type)
        forms = visit_forms.current_forms(ports, organization_id, visit_type.form_ids) if visit_type else []
        required[key] = tuple((form.form_id, form.version) for form in forms)
    return required


def _forms_signed(
    ports: service.CheckInPorts,
    visits: list[DayVisit],
    records: dict[str, CheckInRecord],
    required: dict[str, tuple[tuple[str, int], ...]],
) -> dict[str, int]:
    """{appointment id: how many of the forms its type asks the patient signed, each at its
    current version (a signature of an older one does not count: the patient reads it again)}.
    The keys of those signatures are known (patient, visit, form, version), so the day's are read
    in batches of known keys, not a Query per visit. A completed check-in signed them all
    (completing needs it): only check-ins under way are read."""
    counted: dict[str, int] = {}
    wanted: list[SignedKey] = []
    for visit in visits:
        needed = required.get(visit.type.strip().casefold(), ())
        record = records.get(visit.appointment_id)
        if record is not None and record.completed_at is not None:
            counted[visit.appointment_id] = len(needed)
            continue
        counted[visit.appointment_id] = 0
        wanted += [(visit.patient_id, visit.appointment_id, form_id, version) for form_id, version in needed]
    for _, appointment_id, _, _ in ports.signed_forms.signed_of(wanted) if wanted else set():
        counted[appointment_id] += 1
    return counted
