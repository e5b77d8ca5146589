"""The organization's time zone, as every proxy rule reads it (a child's 12th birthday, a last day
of access, a request's age check): one lookup, so no two of them can disagree on the day."""

from __future__ import annotations

from typing import Protocol

from chalicelib.accounts.stores import Directory
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE


class ZonePorts(Protocol):
    @property
    def directory(self) -> Directory: ...


def organization_zone(ports: ZonePorts, organization_id: str) -> str:
    """The organization's IANA zone name; the deployment's default when it has none recorded."""
    organization = ports.directory.organization(organization_id) if organization_id else None
    return (organization.time_zone if organization is not None else "") or DEFAULT_TIME_ZONE
