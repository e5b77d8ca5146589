"""Support requests over real HTTP against the local stack: a visitor signed out sends a request
(twice, as a double click does, with one Idempotency-Key); one request reaches the staff queue and
the organization's support mailbox (the local mailbox, through the notifications queue and the SES stand-in), and the
emails say nothing of what was written."""

from __future__ import annotations

import uuid

import pytest
import requests

from infra.local.seed import ORGANIZATION_ID, SUPPORT_EMAIL
from tests.e2e.conftest import E2E_ENVIRONMENT, RunningPortal, eventually

pytestmark = pytest.mark.e2e

STAFF_USER, STAFF_PASSWORD = "demo.staff", E2E_ENVIRONMENT["PORTAL_DEMO_STAFF_PASSWORD"]


def test_a_support_request_reaches_the_staff_queue_and_the_support_mailbox_once(portal: RunningPortal):
    http = requests.Session()
    description = f"My account is locked, case {uuid.uuid4().hex[:6]}"
    body = {
        "organization_id": ORGANIZATION_ID,
        "topic": "sign_in",
        "description": description,
        "email": "visitor@example.org",
    }
    key = str(uuid.uuid4())

    # WHEN a visitor, signed out, sends the form twice with one key (a double click)
    first = http.post(f"{portal.api_url}/v1/support-requests", json=body, headers={"Idempotency-Key": key}, timeout=30)
    again = http.post(f"{portal.api_url}/v1/support-requests", json=body, headers={"Idempotency-Key": key}, timeout=30)

    # THEN the second answers the first, and says it is a replay
    assert first.status_code == 201, first.text
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    reference = first.json()["reference"]

    # AND one email tells the support mailbox (through the notifications queue and its poller),
    # linking to the staff page, without what was written
    def notices() -> list[dict]:
        return [e for e in portal.mailbox() if SUPPORT_EMAIL in e["to"] and reference in e["text"]]

    assert len(eventually(notices)) == 1
    eventually(lambda: [e for e in portal.mailbox() if "visitor@example.org" in e["to"]])
    assert len(notices()) == 1  # (the acknowledgement went out after it: no second notice is coming)
    [notice] = notices()
    assert any(link.endswith(f"/staff/support/{first.json()['request_id']}") for link in notice["links"])
    assert description not in notice["text"] and "visitor@example.org" not in notice["text"]

    # AND staff find exactly one request with that reference in their queue
    signed_in = http.post(
        f"{portal.api_url}/v1/sessions", json={"username": STAFF_USER, "password": STAFF_PASSWORD}, timeout=30
    )
    assert signed_in.status_code == 201, signed_in.text
    staff = {"Authorization": f"Bearer {signed_in.json()['token']}"}
    queue = http.get(f"{portal.api_url}/v1/staff/support-requests?limit=100", headers=staff, timeout=30).json()
    assert [r["reference"] for r in queue["requests"]].count(reference) == 1
    opened = http.get(
        f"{portal.api_url}/v1/staff/support-requests/{first.json()['request_id']}", headers=staff, timeout=30
    )
    assert opened.json()["description"] == description
