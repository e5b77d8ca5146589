"""Routes of the authorization server (OAuth's own, outside /v1: they follow RFC 6749 and SMART,
forms in and OAuth's error shape out), the SMART discovery document, and the portal's health apps
API: the consent page's and connected apps (the admins' registry is in ``admin_routes``)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from pydantic import ConfigDict, Field

from chalicelib import wiring
from chalicelib.apps.domain import RESOURCE_TYPES, AppClient, ClientKind
from chalicelib.apps.oauth import connected, consent
from chalicelib.apps.oauth.contract import (
    AppList,
    AppRead,
    Approve,
    AppSummary,
    ConnectedApp,
    ConnectedApps,
    ConsentRequest,
    Empty,
    IntrospectionAnswer,
    KeySet,
    OAuthError,
    OfferedPatient,
    Redirect,
    SmartConfiguration,
    TokenActionForm,
    TokenAnswer,
    TokenForm,
)
from chalicelib.apps.oauth.discovery import smart_configuration_of
from chalicelib.apps.oauth.id_token import public_jwk
from chalicelib.apps.oauth.objects import HttpCall, OAuthAnswer
from chalicelib.apps.oauth.server import PortalAuthorizationServer
from chalicelib.http.caller import origin_of, signed_in
from chalicelib.http.routing import REDIRECT, Access, route
from chalicelib.kernel.clock import iso
from chalicelib.kernel.contract import QueryModel

oauth_routes = Blueprint(__name__)
OAUTH_ERRORS: dict[int, Any] = {400: OAuthError, 401: OAuthError}


def _request():
    return oauth_routes.current_request


def _base_url() -> str:
    return wiring.settings().public_base_url


def _call(form: dict[str, list[str]] | None = None) -> HttpCall:
    request = _request()
    query = {name: request.query_params.getlist(name) for name in (request.query_params or {})}
    return HttpCall(
        method=request.method,
        uri=_base_url() + (request.context or {}).get("resourcePath", ""),
        headers=dict(request.headers),
        query=query,
        form=form or {},
    )


def _answer(answer: OAuthAnswer) -> Response:
    headers: dict[str, str | list[str]] = {
        name: value for name, value in answer.headers.items() if name.lower() != "content-type"
    }
    return Response(body=answer.body if answer.body != "" else {}, status_code=answer.status, headers=headers)


def _server() -> PortalAuthorizationServer:
    return PortalAuthorizationServer(wiring.container(), _base_url(), origin_of(_request()))


# -- OAuth ----------------------------------------------------------------------------------------


class AuthorizeQuery(QueryModel):
    """SMART App Launch's authorization request (standalone launch)."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    response_type: str | None = Field(default=None, max_length=20, description='"code"')
    client_id: str | None = Field(default=None, max_length=100)
    redirect_uri: str | None = Field(default=None, max_length=500, description="Exactly as registered.")
    scope: str | None = Field(default=None, max_length=2000, description="e.g. launch/patient openid fhirUser ...")
    state: str | None = Field(default=None, max_length=500)
    aud: str | None = Field(default=None, max_length=500, description="This FHIR server's base URL.")
    code_challenge: str | None = Field(default=None, max_length=128)
    code_challenge_method: str | None = Field(default=None, max_length=10, description='"S256" only')
    nonce: str | None = Field(default=None, max_length=200)


@route(
    oauth_routes,
    "/oauth2/authorize",
    access=Access.PUBLIC,
    query=AuthorizeQuery,
    responses={302: None},
    media={302: REDIRECT},
)
def oauth_authorize(query: AuthorizeQuery):
    """Start an app's authorization: to the portal's consent page (or back to the app with an error).

    A wrong client or redirect URI is never redirected to: the browser goes to the consent page
    with ?problem=<code> instead."""
    location = consent.authorize(wiring.container(), _call(), _base_url())
    return Response(body="", status_code=302, headers={"Location": location, "Content-Type": "text/plain"})


@route(
    oauth_routes,
    "/oauth2/token",
    access=Access.PUBLIC,
    methods=("POST",),
    form=TokenForm,
    responses={200: TokenAnswer, **OAUTH_ERRORS},
)
def oauth_token(form: dict[str, list[str]]):
    """Exchange a code (with its PKCE verifier), or a refresh token (which rotates), for tokens."""
    return _answer(_server().create_token_response(_call(form)))


@route(
    oauth_routes,
    "/oauth2/introspect",
    access=Access.PUBLIC,
    methods=("POST",),
    form=TokenActionForm,
    responses={200: IntrospectionAnswer, **OAUTH_ERRORS},
)
def oauth_introspect(form: dict[str, list[str]]):
    """RFC 7662: a confidential app asks whether one of its own tokens is active."""
    return _answer(_server().create_endpoint_response("introspection", _call(form)))


@route(
    oauth_routes,
    "/oauth2/revoke",
    access=Access.PUBLIC,
    methods=("POST",),
    form=TokenActionForm,
    responses={200: Empty, **OAUTH_ERRORS},
)
def oauth_revoke(form: dict[str, list[str]]):
    """RFC 7009: an app ends one of its tokens (a refresh token: every token of its authorization)."""
    return _answer(_server().create_endpoint_response("revocation", _call(form)))


@route(oauth_routes, "/oauth2/jwks", access=Access.PUBLIC, responses={200: KeySet})
def oauth_jwks():
    """The public key id_tokens are signed with (RS256)."""
    return {"keys": [public_jwk(wiring.container().id_token_key)]}


@route(
    oauth_routes,
    "/fhir/R4/.well-known/smart-configuration",
    access=Access.PUBLIC,
    responses={200: SmartConfiguration},
)
def smart_configuration():
    """SMART App Launch's discovery document of this FHIR server."""
    return smart_configuration_of(_base_url())


# -- the consent page's API -----------------------------------------------------------------------


def app_summary(app: AppClient) -> dict[str, Any]:
    return AppSummary(
        client_id=app.client_id,
        name=app.name,
        description=app.description,
        logo_url=app.logo_url or None,
        privacy_policy_url=app.privacy_policy_url or None,
        kind=app.kind.value,
    ).model_dump()


@route(
    oauth_routes,
    "/v1/app-authorizations/requests/{request_id}",
    access=Access.PATIENT,
    responses={200: ConsentRequest},
)
def consent_request(request_id: str):
    """What an app asks for, and whose records the caller may share with it."""
    caller, _ = signed_in(_request())
    offer = consent.offer(wiring.container(), caller, request_id)
    return ConsentRequest(
        request_id=offer.request_id,
        app=AppSummary(**app_summary(offer.client)),
        resource_types=offer.resource_types,  # type: ignore[arg-type]
        not_granted=list(offer.scopes.not_granted),
        offline=offer.scopes.offline,
        openid=offer.scopes.openid,
        patients=[
            OfferedPatient(
                patient_id=p.patient_id,
                name=p.name,
                relationship=p.relationship,
                organization_name=p.organization_name,
                resource_types=list(p.resource_types),  # type: ignore[arg-type]
            )
            for p in offer.patients
        ],
        expires_at=iso(offer.expires_at),
    ).model_dump()


@route(
    oauth_routes,
    "/v1/app-authorizations/requests/{request_id}/approve",
    access=Access.PATIENT,
    methods=("POST",),
    body=Approve,
    responses={200: Redirect},
)
def consent_approve(request_id: str, body: Approve):
    """Let the app read the chosen record's checked resource types: where to send the browser."""
    redirect_to = consent.approve(
        wiring.container(), *signed_in(_request()), request_id, body.patient_id, body.resource_types, _base_url()
    )
    return {"redirect_to": redirect_to}


@route(
    oauth_routes,
    "/v1/app-authorizations/requests/{request_id}/deny",
    access=Access.PATIENT,
    methods=("POST",),
    responses={200: Redirect},
)
def consent_deny(request_id: str):
    """Refuse the app: where to send the browser (the app hears access_denied)."""
    return {"redirect_to": consent.deny(wiring.container(), *signed_in(_request()), request_id, _base_url())}


# -- connected apps -------------------------------------------------------------------------------


@route(oauth_routes, "/v1/apps", access=Access.PATIENT, responses={200: AppList})
def recognisable_apps():
    """The health apps the organizations of the caller's records registered."""
    caller, _ = signed_in(_request())
    return {"apps": [app_summary(app) for app in connected.recognisable(wiring.container(), caller)]}


@route(oauth_routes, "/v1/patients/{patient_id}/apps", access=Access.PATIENT, responses={200: ConnectedApps})
def connected_apps(patient_id: str):
    """The apps that may read this record: who authorized each, when, what it read."""
    listed = connected.connected_apps(wiring.container(), *signed_in(_request()), patient_id)
    apps = []
    for item in listed:
        authorization = item.authorization
        app = item.client
        summary = (
            app_summary(app)
            if app is not None
            else {
                "client_id": authorization.client_id,
                "name": authorization.app_name,
                "description": "",
                "logo_url": None,
                "privacy_policy_url": None,
                "kind": ClientKind.PUBLIC.value,
            }
        )
        apps.append(
            ConnectedApp(
                authorization_id=authorization.authorization_id,
                app=AppSummary(**summary),
                authorized_at=iso(authorization.created_at),
                authorized_by="proxy" if item.by_proxy else "you",
                authorized_by_name=item.by_name or None,
                resource_types=[t for t in RESOURCE_TYPES if t in authorization.resource_types],  # type: ignore[misc]
                offline=authorization.offline,
                last_used_at=iso(authorization.last_used_at) if authorization.last_used_at else None,
                reads=[
                    AppRead(resource_type=r.resource_type, count=r.count, last_at=iso(r.last_at)) for r in item.reads
                ],
            ).model_dump()
        )
    return {"apps": apps}


@route(
    oauth_routes,
    "/v1/patients/{patient_id}/apps/{authorization_id}/revoke",
    access=Access.PATIENT,
    methods=("POST",),
    responses={204: None},
)
def revoke_connected_app(patient_id: str, authorization_id: str):
    """End an app's access to this record: its tokens are refused from the next call on."""
    connected.revoke(wiring.container(), *signed_in(_request()), patient_id, authorization_id)
    return Response(body="", status_code=204)
