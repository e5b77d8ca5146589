"""An organization's release policy, set by its admins: delays per category, document type or
test code, each naming the information-blocking exception it relies on (see release.policy)."""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.release.contract import ReleasePolicyChange
from chalicelib.release.policy import SAY_BEING_REVIEWED, ReleasePolicy


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
    # Withholding a result from a patient is information blocking unless an exception covers it:
    # a new delay says which one (a stored one that names none is read as before, until saved).
    unexplained = policy.unexplained()
    if unexplained:
        raise ValidationFailed(
            "Each delay must name the information-blocking exception it relies on.",
            [
                {"field": f"delays.{key}.exception", "issue": "required for a delay: the exception it relies on"}
                for key in unexplained
            ],
        )
    ports.directory.set_release_policy(caller.organization_id, policy.as_json())
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "release_policy.changed",
        action=Action.UPDATE,
        resource_type="Organization",
        resource_id=caller.organization_id,
        # the exceptions the delays now rest on, as codes (the audit reason is short: counts by code)
        # (and the choice to show nothing of legal and harm holds, when made: the default is not said)
        reason=_exceptions_reason(policy)
        + ("" if policy.held_items == SAY_BEING_REVIEWED else ";held_items:show_nothing"),
    )
    return policy.as_json()


def _exceptions_reason(policy: ReleasePolicy) -> str:
    counts: dict[str, int] = {}
    for key, seconds in policy.delays.items():
        if seconds:
            counts[policy.exceptions[key]] = counts.get(policy.exceptions[key], 0) + 1
    return ",".join(f"{code}:{n}" for code, n in sorted(counts.items())) or "none"
