"""The forms patients sign at check-in and the visit types that say which forms and which
questionnaire a visit asks for, kept per organization by its admins.

A form's versions are never edited or deleted: a new text is a new version, which patients sign
from then on, while every signed PDF names the version (and its SHA-256) it was signed under.
Check-in asks for a visit's forms through ``visit_type_for`` and ``current_forms``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import Action, AuditEvent
from chalicelib.audit.trail import AuditPorts, audit_event, caller_actor
from chalicelib.checkin import printable
from chalicelib.checkin.contract import VISIT_TYPE_ID_PATTERN, FormActive, NewForm, NewFormVersion, VisitTypeChange
from chalicelib.checkin.questionnaire import checked_questionnaire
from chalicelib.checkin.signatures import in_zone
from chalicelib.errors import Conflict, NotFound, Problems
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID, new_id
from chalicelib.kernel.origin import Origin

ANY_VISIT = "*"
MAX_FORMS = 200  # of one organization: what a list reads at most
MAX_VISIT_TYPES = 200


@dataclass(frozen=True)
class FormVersion:
    version: int
    sha256: str
    created_at: datetime
    created_by: str  # the display name of the admin who wrote it
    # A form read for its list carries the current version's text only: older versions' texts
    # stay on their own items (data/forms.py), read when a signed PDF's version is asked for.
    title: str = ""
    body: str = ""


@dataclass(frozen=True)
class FormTemplate:
    form_id: str
    organization_id: str
    kind: str
    active: bool
    updated_at: datetime
    versions: tuple[FormVersion, ...]  # oldest first; the last is current

    @property
    def current(self) -> FormVersion:
        return self.versions[-1]

    @property
    def version(self) -> int:
        return self.current.version

    @property
    def title(self) -> str:
        return self.current.title

    @property
    def body(self) -> str:
        return self.current.body

    @property
    def sha256(self) -> str:
        return self.current.sha256


@dataclass(frozen=True)
class VisitType:
    visit_type_id: str
    organization_id: str
    name: str
    form_ids: tuple[str, ...]
    questionnaire: dict[str, Any] | None
    updated_at: datetime
    updated_by: str = ""

    @property
    def matches_any(self) -> bool:
        return self.name == ANY_VISIT


class CheckinForms(Protocol):
    """What forms and visit types need of storage (data/forms.py implements it over DynamoDB)."""

    def forms_of(self, organization_id: str) -> list[FormTemplate]: ...

    def form(self, organization_id: str, form_id: str) -> FormTemplate | None: ...

    def version(self, organization_id: str, form_id: str, version: int) -> FormVersion | None:
        """One kept version, with its title and text (a form as a patient signed it)."""
        ...

    def add_form(self, form: FormTemplate, audit: AuditEvent | None = None) -> None:
        """The form and its version 1, with the audit event, in one transaction."""
        ...

    def add_version(self, form: FormTemplate, audit: AuditEvent | None = None) -> None:
        """The form's new current version (kept beside the old ones), on condition the stored
        current version is the one before it: Conflict when another admin added one meanwhile."""
        ...

    def set_active(self, form: FormTemplate, audit: AuditEvent | None = None) -> None:
        """The form's ``active`` and ``updated_at``, on condition it exists."""
        ...

    def visit_types(self, organization_id: str) -> list[VisitType]: ...

    def put_visit_type(self, visit_type: VisitType, audit: AuditEvent | None = None) -> None: ...


class FormPorts(AuditPorts, Protocol):
    @property
    def checkin_forms(self) -> CheckinForms: ...


def form_sha256(title: str, body: str) -> str:
    """What the patient signs: the UTF-8 of the title, a blank line and the body."""
    return hashlib.sha256(f"{title}\n\n{body}".encode()).hexdigest()


def normalized_body(body: str) -> str:
    """Line breaks as \\n and no trailing spaces on a line: two texts that read the same hash the same."""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


# -- what check-in asks for -----------------------------------------------------------------------


def visit_type_for(ports: FormPorts, organization_id: str, appointment_type: str) -> VisitType | None:
    """The visit type whose name is the appointment's type (compared case-insensitively, spaces
    around ignored), else the organization's "*", else None (nothing is asked)."""
    wanted = appointment_type.strip().casefold()
    fallback = None
    for visit_type in ports.checkin_forms.visit_types(organization_id):
        if visit_type.matches_any:
            fallback = visit_type
        elif wanted and visit_type.name.strip().casefold() == wanted:
            return visit_type
    return fallback


def current_forms(ports: FormPorts, organization_id: str, form_ids: list[str] | tuple[str, ...]) -> list[FormTemplate]:
    """The forms of ``form_ids`` that are active, at their current version, in the order given
    (an unknown or inactive one is skipped: it is no longer asked for)."""
    if not form_ids:
        return []
    known = {form.form_id: form for form in ports.checkin_forms.forms_of(organization_id)}
    found = [known.get(form_id) for form_id in dict.fromkeys(form_ids)]
    return [form for form in found if form is not None and form.active]


# -- admin: forms ---------------------------------------------------------------------------------


def list_forms(ports: FormPorts, caller: Caller, origin: Origin, zone_name: str) -> dict[str, Any]:
    forms = sorted(ports.checkin_forms.forms_of(caller.organization_id), key=lambda f: (f.title.casefold(), f.form_id))
    return {"forms": [shown_form(form, zone_name) for form in forms]}


def get_form(ports: FormPorts, caller: Caller, origin: Origin, form_id: str, zone_name: str) -> dict[str, Any]:
    return shown_form(_form(ports, caller, form_id), zone_name)


def add_form(
    ports: FormPorts, caller: Caller, origin: Origin, body: NewForm, now: datetime, by: str, zone_name: str
) -> dict[str, Any]:
    text = normalized_body(body.body)
    _check_body(text, body.title)
    form = FormTemplate(
        form_id=new_id(),
        organization_id=caller.organization_id,
        kind=body.kind,
        active=True,
        updated_at=now,
        versions=(FormVersion(1, form_sha256(body.title, text), now, by, body.title, text),),
    )
    ports.checkin_forms.add_form(form, _audit(ports, origin, caller, "form.created", Action.CREATE, form.form_id))
    return shown_form(form, zone_name)


def add_version(
    ports: FormPorts,
    caller: Caller,
    origin: Origin,
    form_id: str,
    body: NewFormVersion,
    now: datetime,
    by: str,
    zone_name: str,
) -> dict[str, Any]:
    form = _form(ports, caller, form_id)
    text = normalized_body(body.body)
    _check_body(text, body.title)
    version = FormVersion(form.version + 1, form_sha256(body.title, text), now, by, body.title, text)
    changed = dataclasses.replace(form, updated_at=now, versions=(*form.versions, version))
    audit = _audit(ports, origin, caller, "form.version_added", Action.UPDATE, form_id, reason=f"v{version.version}")
    ports.checkin_forms.add_version(changed, audit)
    return shown_form(changed, zone_name)


def set_active(
    ports: FormPorts, caller: Caller, origin: Origin, form_id: str, body: FormActive, now: datetime, zone_name: str
) -> dict[str, Any]:
    form = _form(ports, caller, form_id)
    if form.active == body.active:  # already so: nothing changes, nothing is written
        return shown_form(form, zone_name)
    changed = dataclasses.replace(form, active=body.active, updated_at=now)
    event = "form.activated" if body.active else "form.deactivated"
    ports.checkin_forms.set_active(changed, _audit(ports, origin, caller, event, Action.UPDATE, form_id))
    return shown_form(changed, zone_name)


# -- admin: visit types ---------------------------------------------------------------------------


def list_visit_types(ports: FormPorts, caller: Caller, origin: Origin, zone_name: str) -> dict[str, Any]:
    kept = ports.checkin_forms.visit_types(caller.organization_id)
    kept.sort(key=lambda v: (v.matches_any, v.name.casefold(), v.visit_type_id))
    return {"visit_types": [shown_visit_type(v, zone_name) for v in kept]}


def put_visit_type(
    ports: FormPorts,
    caller: Caller,
    origin: Origin,
    visit_type_id: str,
    body: VisitTypeChange,
    now: datetime,
    by: str,
    zone_name: str,
) -> dict[str, Any]:
    problems = Problems()
    if not re.fullmatch(VISIT_TYPE_ID_PATTERN, visit_type_id):
        problems.add("visit_type_id", "not a slug", "A visit type's id is 1 to 60 of a-z, 0-9 and -.")
    known = {form.form_id for form in ports.checkin_forms.forms_of(caller.organization_id)}
    for index, form_id in enumerate(body.form_ids):
        if form_id not in known:
            problems.add(f"form_ids.{index}", "unknown", "There is no such form in your organization.")
    if len(set(body.form_ids)) != len(body.form_ids):
        problems.add("form_ids", "duplicate", "Each form may be listed once.")
    folded = body.name.casefold()
    for other in ports.checkin_forms.visit_types(caller.organization_id):
        if other.visit_type_id != visit_type_id and other.name.casefold() == folded:
            # Two types of one name would make which forms a visit asks for a matter of chance.
            problems.add("name", "taken", f"The visit type {other.visit_type_id} already has this name.")
    questionnaire = problems.gather(checked_questionnaire, body.questionnaire, prefix="questionnaire")
    problems.raise_if_any("The visit type is not valid.")
    visit_type = VisitType(
        visit_type_id=visit_type_id,
        organization_id=caller.organization_id,
        name=body.name,
        form_ids=tuple(body.form_ids),
        questionnaire=questionnaire,
        updated_at=now,
        updated_by=by,
    )
    audit = _audit(ports, origin, caller, "visit_type.saved", Action.UPDATE, visit_type_id, resource="VisitType")
    ports.checkin_forms.put_visit_type(visit_type, audit)
    return shown_visit_type(visit_type, zone_name)


# -- shown ----------------------------------------------------------------------------------------


def shown_form(form: FormTemplate, zone_name: str) -> dict[str, Any]:
    return {
        "form_id": form.form_id,
        "title": form.title,
        "kind": form.kind,
        "version": form.version,
        "body": form.body,
        "sha256": form.sha256,
        "active": form.active,
        "updated_at": in_zone(form.updated_at, zone_name),
        "versions": [
            {
                "version": v.version,
                "sha256": v.sha256,
                "created_at": in_zone(v.created_at, zone_name),
                "created_by": v.created_by,
            }
            for v in form.versions
        ],
    }


def shown_visit_type(visit_type: VisitType, zone_name: str) -> dict[str, Any]:
    return {
        "visit_type_id": visit_type.visit_type_id,
        "name": visit_type.name,
        "form_ids": list(visit_type.form_ids),
        "questionnaire": visit_type.questionnaire,
        "updated_at": in_zone(visit_type.updated_at, zone_name),
    }


# -- helpers --------------------------------------------------------------------------------------


def _form(ports: FormPorts, caller: Caller, form_id: str) -> FormTemplate:
    # Read from the caller's organization's partition: another organization's form is not there.
    found = ports.checkin_forms.form(caller.organization_id, form_id) if RECORD_ID.fullmatch(form_id) else None
    if found is None:
        raise NotFound("No such form.")
    return found


def _check_body(text: str, title: str) -> None:
    problems = Problems()
    if not text.strip():
        problems.add("body", "required", "The form needs its text.")
    # The title and text are printed on every signed copy: what the PDF cannot print is refused
    # now, while the admin can reword it, rather than failing each patient's signature later.
    for field, value, named in (("title", title, "The title"), ("body", text, "The text")):
        problem = printable.problem(value)
        if problem:
            problems.add(field, problem, f"{named} {problem}.")
    problems.raise_if_any("The form cannot be printed as written.")


def _audit(
    ports: FormPorts,
    origin: Origin,
    caller: Caller,
    event_type: str,
    action: Action,
    resource_id: str,
    *,
    resource: str = "FormTemplate",
    reason: str = "",
) -> AuditEvent:
    # A form is a template, not a patient's record: the event names the admin and the form only.
    return audit_event(
        ports,
        origin,
        caller_actor(caller),
        event_type,
        action=action,
        resource_type=resource,
        resource_id=resource_id,
        reason=reason,
    )


def conflict_of_versions() -> Conflict:
    return Conflict("Another admin changed this form at the same time; look again.")
