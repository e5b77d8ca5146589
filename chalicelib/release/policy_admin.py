"""An organization's release policy, set by its admins: delays per category, document type or
test code (see release.policy)."""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.release.contract import ReleasePolicyChange
from chalicelib.release.policy import ReleasePolicy


class PolicyAdminPorts(AuditPorts, Protocol):
    """The organization's release policy, kept with the organization in the directory."""

    @property
    def directory(self) -> Directory: ...


def release_policy(ports: PolicyAdminPorts, caller: Caller) -> dict[str, Any]:
    organization = ports.directory.organization(caller.organization_id)
    return ReleasePolicy.from_json(organization.release_policy if organization else None).as_json()


def set_release_policy(
    ports: PolicyAdminPorts, caller: Caller, origin: Origin, request: ReleasePolicyChange
) -> dict[str, Any]:
    # (the request bounds the policy's size; from_json checks what its keys may name)
    policy = ReleasePolicy.from_json(request.model_dump())
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
