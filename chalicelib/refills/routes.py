"""Routes of medications and refills: the patient's medication list and refill requests, and the
staff's refill queue with its decisions."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.refills import service
from chalicelib.refills.contract import (
    NewRefillRequest,
    PatientMedications,
    RefillDecision,
    RefillRequest,
    RefillRequestPage,
    RefillRequestsQuery,
    StaffRefillQueueQuery,
    StaffRefillRequest,
    StaffRefillRequestPage,
)

refill_routes = Blueprint(__name__)

_REQUEST_ID = {"request_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}


def _request():
    return refill_routes.current_request


@route(
    refill_routes,
    "/v1/patients/{patient_id}/medications",
    access=Access.PATIENT,
    responses={200: PatientMedications},
)
def patient_medications(patient_id: str):
    """The patient's medications as the clinical feeds sent them, each with whether a refill may
    be requested online and, when not, why (a code). Active ones first, then the rest, by name. Audited."""
    ports = wiring.container()
    return service.medications(ports, *signed_in(_request()), patient_id, ports.clock.now())


@route(
    refill_routes,
    "/v1/patients/{patient_id}/refill-requests",
    access=Access.PATIENT,
    methods=("POST",),
    body=NewRefillRequest,
    responses={201: RefillRequest},
    errors=(409,),
    idempotent=True,
)
def request_refill(patient_id: str, body: NewRefillRequest):
    """Ask the care team for a refill of one of the patient's medications, to a pharmacy.

    409 when the medication cannot be refilled online: the detail says why in plain words and its
    `issue` carries the reason code (controlled_substance, expired, no_refills,
    not_refillable_online, not_active, reported_by_patient, request_pending). 404 for a medication
    not on the patient's list. The request leaves as a FHIR Task (requested) on the outbound queue.
    """
    ports = wiring.container()
    made = service.request_refill(ports, *signed_in(_request()), patient_id, body, ports.clock.now())
    return Response(body=made, status_code=201)


@route(
    refill_routes,
    "/v1/patients/{patient_id}/refill-requests",
    access=Access.PATIENT,
    query=RefillRequestsQuery,
    responses={200: RefillRequestPage},
)
def patient_refill_requests(patient_id: str, query: RefillRequestsQuery):
    """The patient's refill requests, newest first, a page at a time. Audited."""
    return service.patient_requests(wiring.container(), *signed_in(_request()), patient_id, query.limit, query.cursor)


@route(
    refill_routes,
    "/v1/patients/{patient_id}/refill-requests/{request_id}",
    access=Access.PATIENT,
    responses={200: RefillRequest},
    path_params=_REQUEST_ID,
)
def patient_refill_request(patient_id: str, request_id: str):
    """One of the patient's refill requests, with its decision once made. Audited."""
    return service.patient_request(wiring.container(), *signed_in(_request()), patient_id, request_id)


@route(
    refill_routes,
    "/v1/staff/refill-requests",
    access=Access.STAFF,
    query=StaffRefillQueueQuery,
    responses={200: StaffRefillRequestPage},
)
def refill_queue(query: StaffRefillQueueQuery):
    """The organization's refill requests of one status (requested by default): waiting ones
    oldest first, decided ones newest decided first. Audited."""
    return service.queue(wiring.container(), *signed_in(_request()), query.status, query.limit, query.cursor)


@route(
    refill_routes,
    "/v1/staff/refill-requests/{request_id}",
    access=Access.STAFF,
    responses={200: StaffRefillRequest},
    path_params=_REQUEST_ID,
)
def staff_refill_request(request_id: str):
    """One refill request of the organization, with the patient and the prescription. Audited."""
    return service.staff_request(wiring.container(), *signed_in(_request()), request_id)


@route(
    refill_routes,
    "/v1/staff/refill-requests/{request_id}/decision",
    access=Access.STAFF,
    methods=("POST",),
    body=RefillDecision,
    responses={200: StaffRefillRequest},
    errors=(409,),
    path_params=_REQUEST_ID,
    idempotent=True,
)
def decide_refill_request(request_id: str, body: RefillDecision):
    """Approve or deny a waiting refill request (a denial needs its reason); 409 once decided.

    The patient is emailed that there is an update (never the medication or the reason), and the
    decision leaves as the FHIR Task accepted or rejected on the outbound queue.
    """
    ports = wiring.container()
    return service.decide(ports, *signed_in(_request()), request_id, body, ports.clock.now())
