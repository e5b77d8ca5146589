"""An organization's appointment policy: how late a patient may cancel online, when reminders go,
when check-in opens, and where video visits are held when the scheduling system sends no link.
Kept on the organization (OrganizationModel.appointment_policy, the JSON of ``as_json``); an
organization that never set one has the defaults below, which are what most clinics publish."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from chalicelib.errors import Problems, ValidationFailed

DEFAULT_CANCEL_CUTOFF_HOURS = 24
DEFAULT_REMINDER_HOURS = (72, 24)
DEFAULT_CHECKIN_OPENS_DAYS = 3
# A visit's join link shows from this long before its start until its end.
VIDEO_OPENS_MINUTES = 15

_PHONE = re.compile(r"[0-9+()\-. x]{3,40}")
# A template names the visit by {appointment_id} (the scheduling system's id) and nothing else:
# a link never carries the patient's name, birth date or record number.
_TEMPLATE_FIELDS = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class AppointmentPolicy:
    cancel_cutoff_hours: int = DEFAULT_CANCEL_CUTOFF_HOURS  # 0..336: online cancel until this long before the start
    reminder_hours: tuple[int, ...] = DEFAULT_REMINDER_HOURS  # 0..3 distinct, each 1..336, largest first
    checkin_opens_days: int = DEFAULT_CHECKIN_OPENS_DAYS  # 0..14: check-in opens this many days before the start
    office_phone: str = ""  # what the portal tells a patient to call after the cutoff ("" : the care team's)
    video_link_template: str = ""  # https://... with {appointment_id}; "" : only links the scheduler sends

    @classmethod
    def from_json(cls, value: Any) -> AppointmentPolicy:
        """A stored policy (None: the defaults) or an admin's request: every problem is refused at
        once, each naming its field."""
        if value is None:
            return cls()
        problems = Problems()
        if not isinstance(value, dict):
            problems.add("policy", "an object", "An appointment policy is an object.")
            problems.raise_if_any("The appointment policy is not valid.")
        known = {"cancel_cutoff_hours", "reminder_hours", "checkin_opens_days", "office_phone", "video_link_template"}
        unknown = sorted(set(value) - known)
        if unknown:
            problems.add(unknown[0], "not a setting", f"{unknown[0]} is not an appointment setting.")
        cutoff = value.get("cancel_cutoff_hours", DEFAULT_CANCEL_CUTOFF_HOURS)
        if not _whole(cutoff, 0, 336):
            problems.add("cancel_cutoff_hours", "0 to 336", "The cancellation cutoff is 0 to 336 hours.")
        reminders = value.get("reminder_hours", list(DEFAULT_REMINDER_HOURS))
        if (
            not isinstance(reminders, (list, tuple))
            or len(reminders) > 3
            or not all(_whole(h, 1, 336) for h in reminders)
            or len(set(reminders)) != len(reminders)
        ):
            problems.add(
                "reminder_hours",
                "up to 3 distinct, 1 to 336",
                "Reminders are up to 3 distinct times, 1 to 336 hours before.",
            )
        opens = value.get("checkin_opens_days", DEFAULT_CHECKIN_OPENS_DAYS)
        if not _whole(opens, 0, 14):
            problems.add("checkin_opens_days", "0 to 14", "Check-in opens 0 to 14 days before a visit.")
        phone = value.get("office_phone", "")
        if not isinstance(phone, str) or (phone.strip() and not _PHONE.fullmatch(phone.strip())):
            problems.add("office_phone", "a phone number", "The office phone is a phone number.")
        template = value.get("video_link_template", "")
        if not isinstance(template, str) or (template and not _valid_template(template)):
            problems.add(
                "video_link_template",
                "https URL with {appointment_id}",
                "The video link template is an https:// address with {appointment_id} and no other field.",
            )
        problems.raise_if_any("The appointment policy is not valid.")
        return cls(
            cancel_cutoff_hours=cutoff,
            reminder_hours=tuple(sorted(reminders, reverse=True)),
            checkin_opens_days=opens,
            office_phone=phone.strip(),
            video_link_template=template,
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "cancel_cutoff_hours": self.cancel_cutoff_hours,
            "reminder_hours": list(self.reminder_hours),
            "checkin_opens_days": self.checkin_opens_days,
            "office_phone": self.office_phone,
            "video_link_template": self.video_link_template,
        }

    def video_link(self, appointment_id: str) -> str:
        """The organization's link for a visit the scheduler sent no link for ("" without a template)."""
        if not self.video_link_template or not appointment_id:
            return ""
        return self.video_link_template.replace("{appointment_id}", quote(appointment_id, safe=""))


def _whole(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _valid_template(template: str) -> bool:
    if len(template) > 500 or not template.startswith("https://") or any(c.isspace() for c in template):
        return False
    return _TEMPLATE_FIELDS.findall(template) == ["appointment_id"]


def policy_of(organization: Any) -> AppointmentPolicy:
    """The policy an organization (accounts.domain.Organization, or None) keeps: the defaults
    when it has none, or when what is stored no longer reads (a stored policy is never a reason
    for a patient's page to fail)."""
    stored = getattr(organization, "appointment_policy", None)
    try:
        return AppointmentPolicy.from_json(stored)
    except ValidationFailed:  # (what from_json raises for a policy that no longer reads)
        return AppointmentPolicy()
