"""Routes of SMART Health Links: the patient's (make, list, show again, uses, revoke) and the
public manifest request a viewer sends (``POST /shl/{manifest_id}``: no session, any origin)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.apps.health_links import manifest, sharing
from chalicelib.apps.health_links.contract import (
    HealthLinks,
    LinkUses,
    Manifest,
    ManifestRequest,
    NewHealthLink,
    SharedHealthLink,
    WrongPasscode,
)
from chalicelib.errors import error_body
from chalicelib.http.caller import origin_of, signed_in
from chalicelib.http.routing import Access, route
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin

health_link_routes = Blueprint(__name__)
LINKS = "/v1/patients/{patient_id}/health-links"


def _request():
    return health_link_routes.current_request


def _summary(ports: wiring.Container, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    """The International Patient Summary of what this caller may see of the patient."""
    from chalicelib.apps.health_links.summary import patient_summary
    from chalicelib.apps.oauth.server import fhir_base

    base_url = fhir_base(ports.settings.public_base_url)
    return patient_summary(ports, caller, origin, patient_id, base_url=base_url, now=ports.clock.now())


@route(
    health_link_routes,
    LINKS,
    access=Access.PATIENT,
    methods=("POST",),
    body=NewHealthLink,
    responses={201: SharedHealthLink},
)
def create_health_link(patient_id: str, body: NewHealthLink):
    """Share a summary of the record (an International Patient Summary) through a SMART Health Link.

    The summary holds what the caller may see now; the link carries its key, which the portal
    keeps only encrypted. Anyone holding the link (or its QR code) can open it until it expires
    or is revoked; a passcode, when given, is asked too.

    Not idempotent on purpose: a kept answer (http/idempotency.py keeps it 24 hours) would hold
    the link's key in clear. A double click makes two links, both listed, either one revocable.
    """
    ports = wiring.container()
    caller, origin = signed_in(_request())
    shared = sharing.create_link(
        ports,
        caller,
        origin,
        patient_id,
        body,
        ports.clock.now(),
        ports.settings.public_base_url,
        lambda: _summary(ports, caller, origin, patient_id),
    )
    return Response(body=shared, status_code=201)


@route(health_link_routes, LINKS, access=Access.PATIENT, responses={200: HealthLinks})
def list_health_links(patient_id: str):
    """The record's SMART Health Links (a proxy: those they made), newest first, without their keys."""
    ports = wiring.container()
    return sharing.list_links(ports, *signed_in(_request()), patient_id, ports.clock.now())


@route(
    health_link_routes,
    LINKS + "/{link_id}",
    access=Access.PATIENT,
    responses={200: SharedHealthLink},
    errors=(409,),
)
def show_health_link(patient_id: str, link_id: str):
    """A working link again, with its QR code (409 once it no longer works)."""
    ports = wiring.container()
    caller, origin = signed_in(_request())
    return sharing.show_link(
        ports, caller, origin, patient_id, link_id, ports.clock.now(), ports.settings.public_base_url
    )


@route(health_link_routes, LINKS + "/{link_id}/uses", access=Access.PATIENT, responses={200: LinkUses})
def health_link_uses(patient_id: str, link_id: str):
    """Who opened the link, when, and how it went (the newest first)."""
    ports = wiring.container()
    return sharing.link_uses(ports, *signed_in(_request()), patient_id, link_id)


@route(
    health_link_routes,
    LINKS + "/{link_id}/revoke",
    access=Access.PATIENT,
    methods=("POST",),
    responses={204: None},
)
def revoke_health_link(patient_id: str, link_id: str):
    """Stop the link: it answers nothing from now on, and its file is deleted."""
    ports = wiring.container()
    sharing.revoke_link(ports, *signed_in(_request()), patient_id, link_id, ports.clock.now())
    return Response(body="", status_code=204)


@route(
    health_link_routes,
    "/shl/{manifest_id}",
    access=Access.PUBLIC,
    methods=("POST",),
    body=ManifestRequest,
    responses={200: Manifest, 401: WrongPasscode},
    path_params={"manifest_id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{43}$"}},
)
def health_link_manifest(manifest_id: str, body: ManifestRequest):
    """A SMART Health Link's manifest (the HL7 spec's manifest request): the encrypted summary's
    location (for one minute) or the file itself when `embeddedLengthMax` allows.

    No sign-in and any origin may call it: the link is the permission. 404 for a link that does
    not work (unknown, expired, revoked, locked); 401 with `remainingAttempts` for a wrong passcode.
    """
    ports = wiring.container()
    try:
        return manifest.open_manifest(
            ports,
            origin_of(_request()),
            manifest_id,
            body.recipient,
            body.passcode,
            body.embeddedLengthMax,
            ports.clock.now(),
        )
    except manifest.PasscodeRefused as refused:
        answer = {**error_body(refused.code, refused.message), "remainingAttempts": refused.remaining}
        return Response(body=answer, status_code=401)
