"""Routes of trusted persons: a patient invites someone they trust to see their record, and that
person takes the invitation up from their own account. (Staff's invitation of someone with no
record is in staff_routes.py; enrolling with either code is POST /v1/enrollments.)"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import wiring
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.identity import trusted_persons
from chalicelib.identity.trusted_contract import InvitationRedemption, TrustedPersonInvitation
from chalicelib.proxies.grant_contract import ProxyGrantView

proxy_invitation_routes = Blueprint(__name__)


def _request() -> Request:
    return proxy_invitation_routes.current_request


@route(
    proxy_invitation_routes,
    "/v1/patients/{patient_id}/proxies",
    access=Access.PATIENT,
    methods=("POST",),
    body=TrustedPersonInvitation,
    responses={201: ProxyGrantView},
    errors=(404, 409),
)
def invite_trusted_person(patient_id: str, body: TrustedPersonInvitation) -> Response:
    """Give someone you trust access to your record: a one-time link goes to their address.

    The patient's own record only. The grant is kept at once (status `invited`, the patient's
    consent recorded) and becomes `active` when the person takes it up, signed in or by opening
    an account with the link's code; until then it may be revoked as any grant. `ends_at` is the
    last day of access, from today to a year ahead (left out: a year from today). 409
    `too_many_invitations` when ten wait to be taken up. Audited.
    """
    ports = wiring.container()
    made = trusted_persons.invite(ports, *signed_in(_request()), patient_id, body, ports.clock.now())
    return Response(body=made, status_code=201)


@route(
    proxy_invitation_routes,
    "/v1/proxy-invitations/redeem",
    access=Access.PATIENT,
    methods=("POST",),
    body=InvitationRedemption,
    responses={200: ProxyGrantView},
    errors=(409, 429),
)
def redeem_proxy_invitation(body: InvitationRedemption) -> dict[str, Any]:
    """Take up a trusted person's invitation: its grant becomes active with the caller as proxy.

    400 (field `invitation_code`) for a code that is mistyped, used, expired or withdrawn; 409
    `own_record` from the account of the patient who sent it, `already_proxy` when the caller can
    see that record already. Audited.
    """
    ports = wiring.container()
    return trusted_persons.redeem(ports, *signed_in(_request()), body, ports.clock.now())
