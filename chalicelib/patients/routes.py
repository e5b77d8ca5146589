"""Routes of patient records for clinic staff: register a patient, find one, see and change their
portal access."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.identity import contact_email, patient_emails, portal_access
from chalicelib.notifications.contract import PatientEmails
from chalicelib.patients import service as patients
from chalicelib.patients.contract import (
    ContactEmailChange,
    ContactEmailChanged,
    PatientMatches,
    PatientPortal,
    PatientRegistered,
    PatientRegistration,
    PatientSearch,
    PortalAccessChange,
    PortalAccessChanged,
)

patient_routes = Blueprint(__name__)


def _request():
    return patient_routes.current_request


@route(
    patient_routes,
    "/v1/staff/patients",
    access=Access.STAFF,
    methods=("POST",),
    body=PatientRegistration,
    responses={201: PatientRegistered},
    errors=(409,),
)
def register_patient(body: PatientRegistration):
    """Register a patient the clinical feeds have not sent (yet).

    409 when another patient of the organization holds one of the identifiers.
    """
    ports = wiring.container()
    return Response(patients.register(ports, *signed_in(_request()), body, ports.clock.now()), status_code=201)


# A POST, not GET ?mrn=: a medical record number is PHI and must not sit in a URL (access logs,
# traces, browser history).
@route(
    patient_routes,
    "/v1/staff/patients/search",
    access=Access.STAFF,
    methods=("POST",),
    body=PatientSearch,
    responses={200: PatientMatches},
)
def find_patient(body: PatientSearch):
    """Find patients of the organization: by medical record number, by any identifier, or by
    family name and birth date (up to 10), with their portal status.

    A POST so that what is searched for, which is PHI, never sits in a URL.
    """
    ports = wiring.container()
    return patients.search(ports, *signed_in(_request()), body, ports.clock.now())


@route(patient_routes, "/v1/staff/patients/{patient_id}", access=Access.STAFF, responses={200: PatientPortal})
def patient_portal_status(patient_id: str):
    """A patient of the organization with their portal status: account, invitations."""
    ports = wiring.container()
    return portal_access.portal_status(ports, *signed_in(_request()), patient_id, ports.clock.now())


@route(patient_routes, "/v1/staff/patients/{patient_id}/emails", access=Access.STAFF, responses={200: PatientEmails})
def patient_email_deliveries(patient_id: str):
    """The emails the portal asked for about a patient and their portal account, newest first:
    what kind, when, what became of each, and what staff can do about one that failed. Never an
    address, subject or body."""
    ports = wiring.container()
    return patient_emails.patient_emails(ports, *signed_in(_request()), patient_id, ports.clock.now())


@route(
    patient_routes,
    "/v1/staff/patients/{patient_id}/portal-access",
    access=Access.STAFF,
    methods=("POST",),
    body=PortalAccessChange,
    responses={200: PortalAccessChanged},
    errors=(409,),
)
def change_portal_access(patient_id: str, body: PortalAccessChange):
    """Change a patient's portal access (suspend, reinstate, terminate, unlock, reset_second_factor, follow_merge).

    409 when the patient has no portal account, it is managed by another organization, or the
    change does not apply to its state.
    """
    return portal_access.change_portal_access(wiring.container(), *signed_in(_request()), patient_id, body)


@route(
    patient_routes,
    "/v1/staff/patients/{patient_id}/email",
    access=Access.STAFF,
    methods=("PUT",),
    body=ContactEmailChange,
    responses={202: ContactEmailChanged},
    errors=(409,),
)
def change_contact_email(patient_id: str, body: ContactEmailChange):
    """Change the email address on a patient's record (where invitations go).

    The new address waits as `pending_email` and a confirmation link is emailed to it; the
    current one stays in use until the link is followed. The patient's portal account keeps its
    own sign-in address (the account holder changes it). 409 when it is the record's address already.
    """
    ports = wiring.container()
    return Response(
        contact_email.change_contact_email(ports, *signed_in(_request()), patient_id, body.email, ports.clock.now()),
        status_code=202,
    )
