"""A grant as the API shows it (grant_contract.ProxyGrantView): one shape for the patient's list,
staff's review and the proxy's own list."""

from __future__ import annotations

from typing import Any

from chalicelib.kernel.clock import iso
from chalicelib.proxies.domain import GrantStatus, ProxyGrant

# What the proxy's own list says of a grant staff ended: staff's reason is written for the patient
# and the clinic (it may tell of a court order or what the patient said), not for the proxy.
ENDED_BY_CLINIC = "ended_by_clinic"


def proxy_grant_view(grant: ProxyGrant) -> dict[str, Any]:
    """The grant as its proxy sees it: staff's own words for ending it become a fixed code."""
    shown = grant_view(grant)
    if grant.status is GrantStatus.TERMINATED:
        shown["end_reason"] = ENDED_BY_CLINIC
    return shown


def grant_view(grant: ProxyGrant) -> dict[str, Any]:
    """The grant as the patient and staff see it."""
    return {
        "grant_id": grant.grant_id,
        "patient_id": grant.patient_id,
        "proxy_name": grant.proxy_name,
        "patient_name": grant.patient_name,
        "relationship": grant.relationship.value,
        "access": grant.access.value,
        "areas": sorted(a.value for a in grant.areas),
        "status": grant.status.value,
        "starts_at": iso(grant.starts_at),
        "ends_at": iso(grant.ends_at) if grant.ends_at else None,
        "visible_until": iso(grant.visible_until) if grant.visible_until else None,
        "created_at": iso(grant.created_at),
        "consented_at": iso(grant.consented_at) if grant.consented_at else None,
        "ended_at": iso(grant.ended_at) if grant.ended_at else None,
        "end_reason": grant.end_reason,
        "request_id": grant.request_id,
        # A grant staff approved answers a request; one without is the patient's own choice.
        "given_by": "staff" if grant.request_id else "patient",
    }
