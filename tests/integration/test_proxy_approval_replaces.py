"""Approving a request from someone who already holds a grant in force for the patient replaces
it: staff widen (or narrow) a parent's access by approving their new request, and the old grant
ends, marked replaced, in the same write as the new one is made."""

from __future__ import annotations

from chalicelib import wiring
from chalicelib.proxies.domain import Access, GrantStatus
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrolled,
    enrollment,
    register_and_invite,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.test_proxy_requests import PDF, ana, ask, emma, sign, upload, years_before  # noqa: F401


def approved_request(api, clock, token: str, staff_token: str, access: str) -> dict:
    made = ask(api, token, years_before(clock.now().date(), 8), access=access)
    assert made.status_code == 201, made.json_body
    request_id = made.json_body["request_id"]
    upload(api, token, request_id, PDF)
    assert sign(api, token, request_id).status_code == 200
    call(api, "POST", f"/v1/staff/proxy-requests/{request_id}/match", {"mrn": "MRN-3003"}, staff_token)
    return call(
        api,
        "POST",
        f"/v1/staff/proxy-requests/{request_id}/approve",
        {"access": access, "patient_can_consent": False},
        staff_token,
    )


def test_approving_a_wider_request_ends_the_narrower_grant_as_replaced(clock, seeded, ana, emma, staff_token):
    _, token = ana
    # GIVEN Ana holds read-only access to Emma
    first = approved_request(seeded, clock, token, staff_token, "read_only")
    assert first.status_code == 200, first.json_body
    old_id = first.json_body["grant"]["grant_id"]

    # WHEN she asks again for full access and staff approve it
    second = approved_request(seeded, clock, token, staff_token, "full")

    # THEN the approval is made, and she holds one grant in force: the full one
    assert second.status_code == 200, second.json_body
    grants = {g.grant_id: g for g in wiring.container().proxy_grants.of_patient(emma)}
    old, new = grants[old_id], grants[second.json_body["grant"]["grant_id"]]
    assert new.access is Access.FULL and new.in_force(clock.now())
    assert old.status is GrantStatus.ENDED and old.end_reason == "replaced" and old.ended_at == clock.now()
    assert [g.grant_id for g in grants.values() if g.in_force(clock.now())] == [new.grant_id]
    # AND the proxy's own list says the same (both copies of the old grant changed)
    held = wiring.container().proxy_grants.of_proxy(new.proxy_account_id)
    assert {g.grant_id: g.status for g in held} == {old_id: GrantStatus.ENDED, new.grant_id: GrantStatus.ACTIVE}
