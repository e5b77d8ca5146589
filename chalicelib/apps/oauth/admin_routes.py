"""The admins' registry of health apps: an organization's admins register apps, change them, give
a confidential app a new secret, and disable one (``registry`` holds the rules; these routes only
translate). Apart from ``routes`` so that each module stays small."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.apps.domain import AppClient, ClientKind
from chalicelib.apps.oauth import registry
from chalicelib.apps.oauth.contract import AppRegistration, RegisteredApp, RegisteredApps
from chalicelib.apps.oauth.routes import app_summary
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.kernel.clock import iso

admin_app_routes = Blueprint(__name__)


def _request():
    return admin_app_routes.current_request


def _registered(app: AppClient, secret: str = "") -> dict[str, Any]:
    return RegisteredApp(
        **app_summary(app),
        redirect_uris=list(app.redirect_uris),
        status=app.status.value,
        created_at=iso(app.created_at),
        client_secret=secret or None,
    ).model_dump(exclude_none=False)


def _fields(body: AppRegistration) -> registry.AppFields:
    return registry.AppFields(
        name=body.name,
        description=body.description,
        redirect_uris=tuple(dict.fromkeys(body.redirect_uris)),
        logo_url=body.logo_url or "",
        privacy_policy_url=body.privacy_policy_url or "",
        kind=ClientKind(body.kind),
    )


@route(admin_app_routes, "/v1/admin/apps", access=Access.ADMIN, responses={200: RegisteredApps})
def admin_apps():
    """The health apps the admin's organization registered."""
    caller, _ = signed_in(_request())
    return {"apps": [_registered(app) for app in registry.registered(wiring.container(), caller)]}


@route(
    admin_app_routes,
    "/v1/admin/apps",
    access=Access.ADMIN,
    methods=("POST",),
    body=AppRegistration,
    responses={201: RegisteredApp},
)
def admin_register_app(body: AppRegistration):
    """Register an app; a confidential app's secret is in the answer, this once."""
    app, secret = registry.register(wiring.container(), *signed_in(_request()), _fields(body))
    return Response(body=_registered(app, secret), status_code=201)


@route(
    admin_app_routes,
    "/v1/admin/apps/{client_id}",
    access=Access.ADMIN,
    methods=("PUT",),
    body=AppRegistration,
    responses={200: RegisteredApp},
    errors=(409,),
)
def admin_change_app(client_id: str, body: AppRegistration):
    """Change an app's name, words and redirect URIs (its kind stays as registered)."""
    return _registered(registry.change(wiring.container(), *signed_in(_request()), client_id, _fields(body)))


@route(
    admin_app_routes,
    "/v1/admin/apps/{client_id}/secret",
    access=Access.ADMIN,
    methods=("POST",),
    responses={200: RegisteredApp},
    errors=(409,),
)
def admin_new_app_secret(client_id: str):
    """A new secret for a confidential app (the old one stops working): shown this once."""
    app, secret = registry.new_secret(wiring.container(), *signed_in(_request()), client_id)
    return _registered(app, secret)


@route(
    admin_app_routes,
    "/v1/admin/apps/{client_id}/disable",
    access=Access.ADMIN,
    methods=("POST",),
    responses={200: RegisteredApp},
    errors=(409,),
)
def admin_disable_app(client_id: str):
    """Withdraw an app: its tokens are refused at once and every authorization it held is revoked."""
    return _registered(registry.disable(wiring.container(), *signed_in(_request()), client_id))
