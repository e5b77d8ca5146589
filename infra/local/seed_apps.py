"""The demo health app: a public SMART app ("Health Tracker Demo") registered for the demo
organization, with the redirect URIs a developer's app (or fhirclient in the end-to-end test)
listens on at port 8765. Local stage only, written as an admin's registration would leave it."""

from __future__ import annotations

from chalicelib.apps.domain import AppClient, AppStatus, ClientKind
from chalicelib.wiring import Container

DEMO_APP_CLIENT_ID = "demo-health-tracker"
DEMO_APP_NAME = "Health Tracker Demo"
DEMO_APP_REDIRECT_URIS = ("http://localhost:8765/callback", "http://127.0.0.1:8765/callback")


def seed_demo_apps(container: Container, organization_id: str) -> bool:
    """The demo app; False when it is registered already (a seed run twice keeps what is there)."""
    if container.apps.client(DEMO_APP_CLIENT_ID) is not None:
        return False
    container.apps.add_client(
        AppClient(
            client_id=DEMO_APP_CLIENT_ID,
            organization_id=organization_id,
            name=DEMO_APP_NAME,
            redirect_uris=DEMO_APP_REDIRECT_URIS,
            kind=ClientKind.PUBLIC,
            status=AppStatus.ACTIVE,
            created_at=container.clock.now(),
            description="Tracks your blood pressure and lab results over time (a demo app).",
            privacy_policy_url="https://example.org/health-tracker/privacy",
        )
    )
    return True
