"""What the trusted-person routes take (proxy_invitation_routes.py): a patient invites someone
they trust to see their record, and that person takes the invitation up. Both answer the grant
as every grant route does (proxies.grant_contract.ProxyGrantView)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.kernel.contract import Day, Email, PersonName, RequestModel, Secret
from chalicelib.proxies.grant_contract import AreaName, GrantAccess


class TrustedPersonInvitation(RequestModel):
    """Someone the patient trusts, to see (and, with full access, act on) the areas chosen of the
    patient's record until ``ends_at``. The patient's consent is this request."""

    name: PersonName = Field(description="How the patient's list names the person (their own words).")
    email: Email = Field(description="Where the one-time link goes.")
    relationship: Literal["trusted_person"]
    access: GrantAccess = Field(description="full: read and act (send messages, request visits); read_only: read.")
    areas: list[AreaName] = Field(
        min_length=1, max_length=6, description="What the person may see; never the access log nor this list."
    )
    ends_at: Day | None = Field(
        None,
        description=(
            "The last day of access (the organization's calendar): from tomorrow to one year ahead. "
            "Left out: one year from today."
        ),
    )


class InvitationRedemption(RequestModel):
    code: Secret = Field(description="The code from the invitation's link (`/proxy-invitation#code=...`).")
