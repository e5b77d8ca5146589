"""The patient's side of an app's authorization request: what the consent page shows, and the
patient's answer (the code, or access_denied, back to the app).

``GET /oauth2/authorize`` is validated by Authlib (client, exact redirect URI, response type,
scope, PKCE S256, ``aud``) and kept as a pending request for ten minutes; the browser goes to the
portal's consent page, which signs the person in (second factor included) and reads the request
here. A request is answered once: approving or denying takes it.

Whose record may be shared: the caller's own (and records of the app's organization connected to
their account), and the records of patients they act for under a proxy grant in force, limited to
the grant's areas (``proxy_types``). A read-only grant may still authorize an app: reading is all
an app does through the portal, and the app reads through the same check as the proxy would, so
the grant's cutoff and areas keep deciding on every call. Only patients of the app's organization
are offered: an app is registered by, and answers to, one organization.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol
from urllib.parse import parse_qs, urlencode

from authlib.oauth2 import OAuth2Error

from chalicelib.access.domain import Area
from chalicelib.access.service import AccessPorts, grants_in_force
from chalicelib.apps.domain import (
    RESOURCE_AREAS,
    RESOURCE_TYPES,
    AppAuthorization,
    AppClient,
    AppStatus,
    AuthorizationStatus,
    InvalidScope,
    Scopes,
    parse_scopes,
    resource_areas,
)
from chalicelib.apps.oauth.objects import Grantee, HttpCall, PortalRequest
from chalicelib.apps.oauth.server import OAuthPorts, PortalAuthorizationServer
from chalicelib.apps.oauth.tokens import REQUEST_SECONDS, OAuthRecord, RecordKind
from chalicelib.audit.domain import Actor, Outcome
from chalicelib.audit.trail import audit_event, caller_actor, write_audit
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin

START_AGAIN = "This request is unknown, expired or answered already: ask the app to start again."
CONSENT_PAGE = "/apps/authorize"


class _Names(Protocol):
    def name(self, organization_id: str) -> str | None: ...


class ConsentPorts(OAuthPorts, AccessPorts, Protocol):
    @property
    def organization_names(self) -> _Names: ...


@dataclass(frozen=True)
class OfferedPatient:
    patient_id: str
    name: str
    relationship: str  # "self", or the proxy grant's relationship
    organization_name: str
    resource_types: tuple[str, ...]
    grant_id: str = ""


@dataclass(frozen=True)
class Offer:
    request_id: str
    client: AppClient
    scopes: Scopes
    patients: tuple[OfferedPatient, ...]
    expires_at: datetime
    query: dict[str, list[str]]

    @property
    def resource_types(self) -> list[str]:
        return [t for t in RESOURCE_TYPES if t in self.scopes.resource_types]


def proxy_types(asked: Collection[str], areas: Collection[Area]) -> tuple[str, ...]:
    """What a proxy may share: the types of the grant's areas (an Observation is a result or a
    vital sign: either area lets it be shared, and each one is still checked by its own area when
    read), and the record's frame (the patient, authors, organization) only beside some of those."""
    data = [t for t in RESOURCE_TYPES if t in asked and not resource_areas(t).isdisjoint(areas)]
    if not data:
        return ()
    return tuple(t for t in RESOURCE_TYPES if t in asked and (t in data or RESOURCE_AREAS[t] is None))


def consent_page(public_base_url: str, **params: str) -> str:
    return f"{public_base_url.rstrip('/')}{CONSENT_PAGE}?{urlencode(params)}"


def authorize(ports: OAuthPorts, call: HttpCall, public_base_url: str) -> str:
    """Where ``GET /oauth2/authorize`` sends the browser: the consent page with the kept request;
    back to the app with ``error=`` when the app and its redirect URI are known but the request is
    wrong; the consent page with ``problem=`` when they are not (never an unregistered URI)."""
    server = PortalAuthorizationServer(ports, public_base_url)
    try:
        grant = server.get_consent_grant(call)
    except OAuth2Error as error:
        if error.redirect_uri:
            return str(dict(error()[2])["Location"])
        return consent_page(public_base_url, problem=str(error.error))
    except ValueError:
        # Authlib quotes a wrong value (a response type, a redirect URI) in its error's description,
        # and refuses to build one holding characters outside printable ASCII: the request is bad.
        return consent_page(public_base_url, problem="invalid_request")
    now = ports.clock.now()
    request_id = uuid.uuid4().hex
    query = urlencode([(name, value) for name, values in call.query.items() for value in values])
    ports.apps.put_record(
        OAuthRecord(
            RecordKind.REQUEST,
            request_id,
            now,
            int(now.timestamp()) + REQUEST_SECONDS,
            {"query": query, "client_id": grant.request.client.get_client_id()},
        )
    )
    return consent_page(public_base_url, request=request_id)


def offer(ports: ConsentPorts, caller: Caller, request_id: str) -> Offer:
    """What the consent page shows: the app, what it asks for, whose records may be shared."""
    if not isinstance(request_id, str) or not 0 < len(request_id) <= 64:
        raise NotFound(START_AGAIN)
    now = ports.clock.now()
    record = ports.apps.record(RecordKind.REQUEST, request_id)
    if record is None or not record.live(now):
        raise NotFound(START_AGAIN)
    client = ports.apps.client(record.get("client_id"))
    if client is None or client.status is not AppStatus.ACTIVE:
        raise NotFound(START_AGAIN)
    query = parse_qs(record.get("query"), keep_blank_values=True)
    try:
        scopes = parse_scopes((query.get("scope") or [""])[0])
    except InvalidScope:
        raise NotFound(START_AGAIN) from None
    return Offer(
        request_id=request_id,
        client=client,
        scopes=scopes,
        patients=tuple(_patients(ports, caller, client, scopes)),
        expires_at=datetime.fromtimestamp(record.expires_at, timezone.utc),
        query=query,
    )


def _name(patient: object) -> str:
    given = " ".join(getattr(patient, "given_names", ()) or ())
    return " ".join(part for part in (given, getattr(patient, "family_name", "")) if part)


def _patients(ports: ConsentPorts, caller: Caller, client: AppClient, scopes: Scopes) -> list[OfferedPatient]:
    organization = client.organization_id
    organization_name = ports.organization_names.name(organization) or ""
    asked = tuple(t for t in RESOURCE_TYPES if t in scopes.resource_types)
    offered: list[OfferedPatient] = []
    own = [caller.patient_id] if caller.patient_id else []
    account = ports.directory.account(caller.account_id)
    if account is not None:
        own += [c.patient_id for c in account.connections if c.status == "active" and c.patient_id not in own]
    for patient_id in own:
        patient = ports.patients.get(patient_id)
        if patient is not None and patient.organization_id == organization:
            offered.append(OfferedPatient(patient_id, _name(patient), "self", organization_name, asked))
    for grant in grants_in_force(ports, caller.account_id):
        if grant.organization_id != organization or any(o.patient_id == grant.patient_id for o in offered):
            continue
        types = proxy_types(asked, grant.areas)
        if types:
            offered.append(
                OfferedPatient(
                    grant.patient_id,
                    str(getattr(grant, "patient_name", "") or ""),
                    str(getattr(getattr(grant, "relationship", None), "value", "") or "proxy"),
                    organization_name,
                    types,
                    grant_id=str(getattr(grant, "grant_id", "")),
                )
            )
    return offered


def _answer(
    ports: ConsentPorts, offer_: Offer, public_base_url: str, grantee: Grantee | None, scope: str | None
) -> str:
    """Authlib's redirect back to the app: with a code for ``grantee``, or access_denied."""
    server = PortalAuthorizationServer(ports, public_base_url)
    query = dict(offer_.query)
    if scope is not None:
        query["scope"] = [scope]
    request = PortalRequest(HttpCall("GET", public_base_url.rstrip("/") + "/oauth2/authorize", query=query))
    try:
        grant = server.get_consent_grant(request)
    except OAuth2Error as error:
        if error.redirect_uri:
            return str(dict(error()[2])["Location"])
        raise NotFound(START_AGAIN) from None
    answer = server.create_authorization_response(request, grant_user=grantee, grant=grant)
    return str(answer.location)


def approve(
    ports: ConsentPorts,
    caller: Caller,
    origin: Origin,
    request_id: str,
    patient_id: str,
    resource_types: Collection[str],
    public_base_url: str,
) -> str:
    """The patient's (or proxy's) yes: an authorization for the types left checked, and the
    app's redirect with its code."""
    offered = offer(ports, caller, request_id)
    patient = next((p for p in offered.patients if p.patient_id == patient_id), None)
    if patient is None:
        raise NotFound("No such patient.")
    chosen = frozenset(resource_types)
    refused = sorted(chosen - set(patient.resource_types))
    if refused:
        raise ValidationFailed(
            "Some resource types were not offered for this record.",
            [{"field": "resource_types", "issue": f"not offered: {', '.join(refused)}"}],
        )
    if ports.apps.take_record(RecordKind.REQUEST, request_id) is None:
        raise NotFound(START_AGAIN)
    now = ports.clock.now()
    client = offered.client
    scope = offered.scopes.text(chosen)
    authorization = AppAuthorization(
        authorization_id=uuid.uuid4().hex,
        client_id=client.client_id,
        organization_id=client.organization_id,
        patient_id=patient_id,
        account_id=caller.account_id,
        resource_types=chosen,
        scope=scope,
        status=AuthorizationStatus.PENDING,  # connected once the app exchanges the code
        created_at=now,
        offline=offered.scopes.offline,
        proxy_grant_id=patient.grant_id,
        app_name=client.name,
    )
    actor = Actor(account_id=caller.account_id, role=caller.role, proxy_grant_id=patient.grant_id)
    event = audit_event(
        ports,
        origin,
        actor,
        "app.authorize",
        patient_id=patient_id,
        resource_type="Consent",
        resource_id=authorization.authorization_id,
    )
    ports.apps.add_authorization(authorization, event)
    issuer = PortalAuthorizationServer(ports, public_base_url).issuer
    fhir_user = f"{issuer}/RelatedPerson/{patient.grant_id}" if patient.grant_id else f"{issuer}/Patient/{patient_id}"
    grantee = Grantee(
        authorization=authorization,
        caller_patient_id=caller.patient_id,
        caller_organization_id=caller.organization_id,
        fhir_user=fhir_user,
        nonce=(offered.query.get("nonce") or [""])[0][:200],
    )
    return _answer(ports, offered, public_base_url, grantee, scope)


def deny(ports: ConsentPorts, caller: Caller, origin: Origin, request_id: str, public_base_url: str) -> str:
    """The patient's no: the app hears access_denied (with its state)."""
    offered = offer(ports, caller, request_id)
    if ports.apps.take_record(RecordKind.REQUEST, request_id) is None:
        raise NotFound(START_AGAIN)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "app.deny",
        Outcome.SUCCESS,
        resource_type="Consent",
        resource_id=offered.client.client_id,
    )
    return _answer(ports, offered, public_base_url, None, None)
