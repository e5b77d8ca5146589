"""Telehealth: a video visit's join link, handed out only while the visit's window is open.

The window opens 15 minutes before the start (policy.VIDEO_OPENS_MINUTES) and closes at the end
(ends_at; else the start plus its minutes; else an hour after the start). The link is the one the
scheduling system sent with the visit (an SIU NTE of type VIDEO, or the FHIR virtualService
extension: interop/video_links.py), kept in the entry's content and never listed; else the
organization's template filled with the scheduler's id of the visit. It is never emailed. Every
link handed out is audited (``appointments.video.open``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from chalicelib.access.domain import Area
from chalicelib.access.service import patient_scope
from chalicelib.appointments import domain
from chalicelib.appointments.policy import VIDEO_OPENS_MINUTES, AppointmentPolicy, policy_of
from chalicelib.appointments.reminders import video_scheduler_id
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.errors import Conflict, NotFound
from chalicelib.interop.video_links import video_link
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE, zone
from chalicelib.records.visible import record_view

State = Literal["not_yet", "open", "ended"]
NO_LINK = "This visit has no video link."
# Visits that will not take place: no window, no link.
_CALLED_OFF = ("cancelled", "noshow", "entered-in-error")
_WITHOUT_END = timedelta(minutes=60)


@dataclass(frozen=True)
class Window:
    opens_at: datetime
    closes_at: datetime

    def state(self, now: datetime) -> State:
        if now < self.opens_at:
            return "not_yet"
        return "open" if now < self.closes_at else "ended"


def window_of(content: dict[str, Any], zone_name: str) -> Window | None:
    """The visit's join window, or None when it has no start time."""
    start = domain.moment(str(content.get("starts_at") or ""), zone_name)
    if start is None:
        return None
    end = domain.moment(str(content.get("ends_at") or ""), zone_name)
    minutes = content.get("minutes")
    if end is None or end <= start:
        whole = isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0
        end = start + (timedelta(minutes=int(minutes or 0)) if whole else _WITHOUT_END)
    return Window(start - timedelta(minutes=VIDEO_OPENS_MINUTES), end)


def is_video_visit(content: dict[str, Any]) -> bool:
    """The sender said it is held over video, or sent a join link for it."""
    return domain.mode_of(content) == "video" or bool(video_link(content.get("video_link")))


def shown(
    content: dict[str, Any], zone_name: str, now: datetime, policy: AppointmentPolicy, scheduler_id: str = ""
) -> dict[str, Any] | None:
    """The appointment's ``video`` field: null for a visit not held over video (or called off,
    or without a time); else its window, whether it is open, and whether a link is to be had
    (the one sent, or the template filled with the scheduler's id: what open_link would hand
    out). Never the link."""
    window = window_of(content, zone_name)
    if window is None or not is_video_visit(content) or _called_off(content):
        return None
    return {
        "opens_at": _in_zone(window.opens_at, zone_name),
        "closes_at": _in_zone(window.closes_at, zone_name),
        "state": window.state(now),
        "has_link": bool(_link(content, policy, scheduler_id)),
    }


def open_link(
    ports: Any, caller: Caller, origin: Origin, patient_id: str, appointment_id: str, now: datetime
) -> dict[str, str]:
    """The join link of the patient's video visit while its window is open (audited)."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS)
    stored = ports.records.current(scope.patient_id, appointment_id, kind="appointment")
    if (
        stored is None
        or stored.withdrawn
        or not stored.shown_to_patient(now)
        or not record_view(ports, scope).shows_item(stored)
    ):
        raise NotFound("No such appointment.")
    organization = _organization(ports, scope.patient_id)
    zone_name = (getattr(organization, "time_zone", "") or "") or DEFAULT_TIME_ZONE
    content = stored.content
    window = window_of(content, zone_name)
    if window is None or not is_video_visit(content):
        raise NotFound(NO_LINK)
    mark = ports.appointment_requests.visit_mark(scope.patient_id, appointment_id)
    if _called_off(content) or (mark is not None and mark.cancelled_at is not None):
        # (the patient's own cancel counts at once, before the scheduling system confirms it)
        raise Conflict("This visit was cancelled.", [{"field": "appointment", "issue": "cancelled"}])
    state = window.state(now)
    if state == "not_yet":
        opens = window.opens_at.astimezone(zone(zone_name))
        raise Conflict(
            f"The video visit opens on {opens:%B} {opens.day} at {_clock(opens)}, 15 minutes before it starts.",
            [{"field": "appointment", "issue": "not_open_yet"}],
        )
    if state == "ended":
        raise Conflict("This video visit has ended.", [{"field": "appointment", "issue": "ended"}])
    # (the scheduler's id as filing last saw it; a visit filed before reminders kept it may still
    # have it on the appointment requests' mark)
    link = _link(content, policy_of(organization), scheduler_id_of_visit(ports, scope.patient_id, appointment_id, mark))
    if not link:
        raise NotFound(NO_LINK)
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "appointments.video.open",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Appointment",
        resource_id=appointment_id,
    )
    return {"url": link, "closes_at": _in_zone(window.closes_at, zone_name)}


def needs_scheduler_id(content: dict[str, Any], policy: AppointmentPolicy) -> bool:
    """Whether the visit's link can only come from the organization's template (which names the
    scheduler's id): a video visit the scheduler sent no link for, in an organization with one."""
    return bool(policy.video_link_template) and is_video_visit(content) and not video_link(content.get("video_link"))


def scheduler_id_of_visit(ports: Any, patient_id: str, appointment_id: str, mark: Any) -> str:
    """The scheduler's id of the visit as filing last saw it; a visit filed before reminders
    kept it may still have it on the appointment requests' mark ("" when neither has it)."""
    return video_scheduler_id(ports, patient_id, appointment_id) or (mark.scheduler_value if mark is not None else "")


def _link(content: dict[str, Any], policy: AppointmentPolicy, scheduler_id: str) -> str:
    """The link the scheduler sent, else the organization's template filled with its id ("")."""
    return video_link(content.get("video_link")) or video_link(policy.video_link(scheduler_id))


def _called_off(content: dict[str, Any]) -> bool:
    return domain.status_of(str(content.get("status") or "")) in _CALLED_OFF


def _organization(ports: Any, patient_id: str) -> Any:
    patient = ports.patients.get(patient_id)
    if patient is None:  # merged away after the check: as for any unknown patient
        raise NotFound("No such patient.")
    return ports.directory.organization(patient.organization_id)


def _in_zone(moment: datetime, zone_name: str) -> str:
    return moment.astimezone(zone(zone_name)).isoformat()


def _clock(moment: datetime) -> str:
    """9:45 AM (the words a person reads; %-I is not portable)."""
    hour = moment.hour % 12 or 12
    return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
