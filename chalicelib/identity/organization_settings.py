"""An organization's own settings, set by its admins: its time zone (kernel.zones), the zone its
feeds' times without an offset are read in; and its support address, where support requests are
announced (support/), which also puts it on the contact form's list."""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.identity.organization_contract import OrganizationSettingsChange
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.zones import is_zone_name


class SupportAddresses(Protocol):
    """Where support requests are announced (support/stores.SupportDesks; named here so that
    identity does not import the support package, which builds on identity's throttle)."""

    def desk_email(self, organization_id: str) -> str: ...

    def set_desk(self, organization_id: str, name: str, email: str) -> None: ...


class OrganizationSettingsPorts(AuditPorts, Protocol):
    @property
    def directory(self) -> Directory: ...

    @property
    def support_desks(self) -> SupportAddresses: ...


def organization_settings(ports: OrganizationSettingsPorts, caller: Caller) -> dict[str, Any]:
    organization = ports.directory.organization(caller.organization_id)
    if organization is None:  # (an admin's organization outlives the admin; this is a broken directory)
        raise NotFound("No such organization.")
    return {
        "organization_id": organization.organization_id,
        "name": organization.name,
        "time_zone": organization.time_zone,
        "support_email": ports.support_desks.desk_email(organization.organization_id),
    }


def set_organization_settings(
    ports: OrganizationSettingsPorts, caller: Caller, origin: Origin, request: OrganizationSettingsChange
) -> dict[str, Any]:
    name = request.time_zone.strip()
    if not is_zone_name(name):
        raise ValidationFailed(
            'That is not a time zone name: use one of the IANA database, such as "America/New_York".',
            [{"field": "time_zone", "issue": "not a time zone name"}],
        )
    ports.directory.set_time_zone(caller.organization_id, name)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "organization.time_zone_changed",
        action=Action.UPDATE,
        resource_type="Organization",
        resource_id=caller.organization_id,
    )
    if request.support_email is not None and request.support_email != ports.support_desks.desk_email(
        caller.organization_id
    ):
        organization = ports.directory.organization(caller.organization_id)
        ports.support_desks.set_desk(
            caller.organization_id, organization.name if organization else caller.organization_id, request.support_email
        )
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "organization.support_email_changed",
            action=Action.UPDATE,
            resource_type="Organization",
            resource_id=caller.organization_id,
        )
    return organization_settings(ports, caller)
