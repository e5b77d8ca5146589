"""An organization's sensitive code lists, read and replaced by its admins (audited)."""

from __future__ import annotations

from typing import Any, Protocol

from chalicelib.access.sensitivity import SensitiveLists, lists_of
from chalicelib.access.sensitivity_contract import SensitiveCodesChange
from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin


class SensitivityPorts(AuditPorts, Protocol):
    @property
    def directory(self) -> Directory: ...


def sensitive_codes(ports: SensitivityPorts, caller: Caller, origin: Origin) -> dict[str, Any]:
    organization = ports.directory.organization(caller.organization_id)
    if organization is None:
        raise NotFound("No such organization.")
    return lists_of(organization).as_json()


def set_sensitive_codes(
    ports: SensitivityPorts, caller: Caller, origin: Origin, body: SensitiveCodesChange
) -> dict[str, Any]:
    if ports.directory.organization(caller.organization_id) is None:
        raise NotFound("No such organization.")
    lists = SensitiveLists.from_json(body.model_dump())  # 400 naming a category given twice
    ports.directory.set_sensitive_codes(caller.organization_id, lists.as_json())
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "sensitive_codes.update",
        action=Action.UPDATE,
        resource_type="Organization",
        resource_id=caller.organization_id,
        reason=f"count:{sum(len(c.codes) for c in lists.categories)}",
    )
    return lists.as_json()
