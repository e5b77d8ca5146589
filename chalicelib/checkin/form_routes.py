"""Routes of check-in's forms: the forms and visit types admins keep, a patient's signing of a
form for a visit, and the signed PDF's download for the patient and for staff."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response
from chalice.app import Request

from chalicelib import wiring
from chalicelib.checkin import forms, signing
from chalicelib.checkin.contract import (
    FORM_ID_PATTERN,
    VISIT_TYPE_ID_PATTERN,
    FormActive,
    FormList,
    FormTemplate,
    NewForm,
    NewFormVersion,
    SignedForm,
    SignedFormDownload,
    SignForm,
    VisitType,
    VisitTypeChange,
    VisitTypeList,
)
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE

checkin_form_routes = Blueprint(__name__)

_FORM_ID = {"form_id": {"type": "string", "pattern": FORM_ID_PATTERN}}
_VISIT_TYPE_ID = {"visit_type_id": {"type": "string", "pattern": VISIT_TYPE_ID_PATTERN, "maxLength": 60}}
_DOCUMENT_ID = {"document_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}


def _request() -> Request:
    return checkin_form_routes.current_request


def _zone(caller: Caller) -> str:
    """The admin's organization's time zone, to show times in."""
    organization = wiring.container().directory.organization(caller.organization_id)
    return (organization.time_zone if organization else "") or DEFAULT_TIME_ZONE


def _admin_name(caller: Caller) -> str:
    account = wiring.container().directory.account(caller.account_id)
    return (account.username if account is not None else "") or "admin"


# -- admin: forms ---------------------------------------------------------------------------------


@route(checkin_form_routes, "/v1/admin/forms", access=Access.ADMIN, responses={200: FormList})
def list_forms() -> Any:
    """The organization's check-in forms, active or not, by title, each at its current version."""
    caller, origin = signed_in(_request())
    return forms.list_forms(wiring.container(), caller, origin, _zone(caller))


@route(
    checkin_form_routes,
    "/v1/admin/forms",
    access=Access.ADMIN,
    methods=("POST",),
    body=NewForm,
    responses={201: FormTemplate},
    idempotent=True,
)
def add_form(body: NewForm) -> Any:
    """Add a form: its version 1, active. Its text is kept as written (line ends made \\n and
    trailing spaces trimmed), and `sha256` is what a patient's signature names."""
    ports = wiring.container()
    caller, origin = signed_in(_request())
    made = forms.add_form(ports, caller, origin, body, ports.clock.now(), _admin_name(caller), _zone(caller))
    return Response(body=made, status_code=201)


@route(
    checkin_form_routes,
    "/v1/admin/forms/{form_id}",
    access=Access.ADMIN,
    responses={200: FormTemplate},
    path_params=_FORM_ID,
)
def get_form(form_id: str) -> Any:
    """One form at its current version, with every version's SHA-256. Another organization's: 404."""
    caller, origin = signed_in(_request())
    return forms.get_form(wiring.container(), caller, origin, form_id, _zone(caller))


@route(
    checkin_form_routes,
    "/v1/admin/forms/{form_id}/versions",
    access=Access.ADMIN,
    methods=("POST",),
    body=NewFormVersion,
    responses={201: FormTemplate},
    errors=(404, 409),
    path_params=_FORM_ID,
    idempotent=True,
)
def add_form_version(form_id: str, body: NewFormVersion) -> Any:
    """A new version of the form (title and text): patients sign it from now on, and a patient who
    read the previous one is asked to read it again (409 on signing). Versions are never edited or
    deleted. 409 when another admin added a version at the same moment."""
    ports = wiring.container()
    caller, origin = signed_in(_request())
    made = forms.add_version(
        ports, caller, origin, form_id, body, ports.clock.now(), _admin_name(caller), _zone(caller)
    )
    return Response(body=made, status_code=201)


@route(
    checkin_form_routes,
    "/v1/admin/forms/{form_id}/active",
    access=Access.ADMIN,
    methods=("PUT",),
    body=FormActive,
    responses={200: FormTemplate},
    errors=(404, 409),
    path_params=_FORM_ID,
)
def set_form_active(form_id: str, body: FormActive) -> Any:
    """Make a form active or inactive: an inactive form is no longer asked for at check-in (what
    was signed stays signed)."""
    ports = wiring.container()
    caller, origin = signed_in(_request())
    return forms.set_active(ports, caller, origin, form_id, body, ports.clock.now(), _zone(caller))


# -- admin: visit types ---------------------------------------------------------------------------


@route(checkin_form_routes, "/v1/admin/visit-types", access=Access.ADMIN, responses={200: VisitTypeList})
def list_visit_types() -> Any:
    """The organization's visit types by name, "*" (any other visit) last."""
    caller, origin = signed_in(_request())
    return forms.list_visit_types(wiring.container(), caller, origin, _zone(caller))


@route(
    checkin_form_routes,
    "/v1/admin/visit-types/{visit_type_id}",
    access=Access.ADMIN,
    methods=("PUT",),
    body=VisitTypeChange,
    responses={200: VisitType},
    path_params=_VISIT_TYPE_ID,
)
def put_visit_type(visit_type_id: str, body: VisitTypeChange) -> Any:
    """Create or replace a visit type (its id a slug of a-z, 0-9 and "-"): the forms and the
    questionnaire a visit of this type asks for at check-in. The name is matched case-insensitively
    with the appointment's type as the scheduler sent it; "*" is any visit not otherwise listed.
    400 names each unknown form and each questionnaire item check-in cannot ask
    (`questionnaire.item.<n>`)."""
    ports = wiring.container()
    caller, origin = signed_in(_request())
    return forms.put_visit_type(
        ports, caller, origin, visit_type_id, body, ports.clock.now(), _admin_name(caller), _zone(caller)
    )


# -- signing --------------------------------------------------------------------------------------


@route(
    checkin_form_routes,
    "/v1/patients/{patient_id}/appointments/{appointment_id}/check-in/forms/{form_id}/sign",
    access=Access.PATIENT,
    methods=("POST",),
    body=SignForm,
    responses={201: SignedForm},
    errors=(404, 409),
    path_params=_FORM_ID,
    idempotent=True,
)
def sign_form(patient_id: str, appointment_id: str, form_id: str, body: SignForm) -> Any:
    """Sign one of the visit's forms, at the version (and SHA-256) the patient read.

    Records the typed name, the drawn signature (if any), the time, the request's source IP and the
    form's version and SHA-256; renders the signed PDF and stores it under object lock in the
    signed-documents bucket, its SHA-256 on the record; it is then one of the patient's documents.
    A DocumentReference leaves on the outbound queue. 409: the form changed since it was read
    ("This form changed; read it again", issue `stale`), it was signed already (`already_signed`),
    or check-in is not open (`appointment`: `not_open_yet`, `closed` or `cancelled`, also when the
    patient cancelled the visit in the portal). 400 naming `typed_name`, `signature_png`,
    `answers.<link_id>` or `form`, with the issue `unprintable` for text the PDF's font cannot
    print (else `invalid`); 400 naming `typed_name` when it is not the patient's name on record
    (first given and family name, in either order, middle names or their initials optional;
    case, accents, spaces and punctuation do not count). 404: not the patient's visit, or a form
    the visit does not ask for."""
    ports = wiring.container()
    caller, origin = signed_in(_request())
    made = signing.sign(ports, caller, origin, patient_id, appointment_id, form_id, body, ports.clock.now())
    return Response(body=made, status_code=201)


@route(
    checkin_form_routes,
    "/v1/patients/{patient_id}/signed-forms/{document_id}",
    access=Access.PATIENT,
    responses={200: SignedFormDownload},
    path_params=_DOCUMENT_ID,
)
def patient_signed_form(patient_id: str, document_id: str) -> Any:
    """One of the patient's signed forms, with a link to its PDF good for 5 minutes. Audited."""
    caller, origin = signed_in(_request())
    return signing.patient_signed_form(wiring.container(), caller, origin, patient_id, document_id)


@route(
    checkin_form_routes,
    "/v1/staff/patients/{patient_id}/signed-forms/{document_id}",
    access=Access.STAFF,
    responses={200: SignedFormDownload},
    path_params=_DOCUMENT_ID,
)
def staff_signed_form(patient_id: str, document_id: str) -> Any:
    """A signed form of a patient of the organization, with a link to its PDF good for 5 minutes.
    Another organization's patient: 404. Audited."""
    caller, origin = signed_in(_request())
    return signing.staff_signed_form(wiring.container(), caller, origin, patient_id, document_id)
