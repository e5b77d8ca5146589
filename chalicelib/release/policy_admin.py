"""An organization's release policy, set by its admins: delays per category, document type or
test code (see release.policy)."""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.release.policy import ReleasePolicy


class PolicyAdminPorts(AuditPorts, Protocol):
    """The organization's release policy, kept with the organization in the directory."""

    @property
    def directory(self) -> Directory: ...


def release_policy(ports: PolicyAdminPorts, caller: Caller) -> dict[str, Any]:
    organization = ports.directory.organization(caller.organization_id)
    return ReleasePolicy.from_json(organization.release_policy if organization else None).as_json()


def set_release_policy(ports: PolicyAdminPorts, caller: Caller, origin: Origin, body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):  # (from_json reads "no policy stored" as immediate: a PUT must say so)
        raise ValidationFailed(
            'The body is {"delays": {...}}; {"delays": {}} releases everything at once.', [{"field": "delays"}]
        )
    policy = ReleasePolicy.from_json(body)
    ports.directory.set_release_policy(caller.organization_id, policy.as_json())
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "release_policy.changed",
        action=Action.UPDATE,
        resource_type="Organization",
        resource_id=caller.organization_id,
    )
    return policy.as_json()
