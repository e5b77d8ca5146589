"""Routes of the patient's check-in for a visit, and staff's view of a day's check-ins."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint
from chalice.app import Request

from chalicelib import wiring
from chalicelib.checkin import service, visits
from chalicelib.checkin.checkin_contract import CheckIn, ConfirmDetails, DayQuery, DayVisits, GiveAnswers
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route

checkin_routes = Blueprint(__name__)

_APPOINTMENT_ID = {"appointment_id": {"type": "string", "pattern": "^[0-9a-f]{32}$"}}
_CHECK_IN = "/v1/patients/{patient_id}/appointments/{appointment_id}/check-in"


def _request() -> Request:
    return checkin_routes.current_request


@route(
    checkin_routes,
    _CHECK_IN,
    access=Access.PATIENT,
    responses={200: CheckIn},
    path_params=_APPOINTMENT_ID,
)
def patient_check_in(patient_id: str, appointment_id: str) -> dict[str, Any]:
    """The check-in for one of the patient's visits: its state and window, the details on record,
    the visit type's questionnaire and forms, and which steps are done. Also outside the window
    (the state says so; nothing can be changed then). Another patient's visit: 404. Audited."""
    ports = wiring.container()
    return service.check_in(ports, *signed_in(_request()), patient_id, appointment_id, ports.clock.now())


@route(
    checkin_routes,
    _CHECK_IN + "/details",
    access=Access.PATIENT,
    methods=("POST",),
    body=ConfirmDetails,
    responses={200: CheckIn},
    errors=(409,),
    path_params=_APPOINTMENT_ID,
    idempotent=True,
)
def confirm_check_in_details(patient_id: str, appointment_id: str, body: ConfirmDetails) -> dict[str, Any]:
    """Confirm the details on record. `changes` (address, phone, email, insurance, a note) are
    never written into the chart: they become an item on staff's worklist (task
    review_details_change) and `details.change_requested` is true. `changes` given with every
    field empty is a 400 naming `changes` ("Fill in at least one change, or confirm your
    details."): send `changes: null` to confirm.

    409 outside the window, or for a visit that will not happen: `details[0]` is `{"field":
    "appointment", "issue": ...}`, the issue not_open_yet (the message says when it opens),
    closed (the visit started), cancelled, or completed (finished already)."""
    ports = wiring.container()
    return service.confirm_details(ports, *signed_in(_request()), patient_id, appointment_id, body, ports.clock.now())


@route(
    checkin_routes,
    _CHECK_IN + "/answers",
    access=Access.PATIENT,
    methods=("POST",),
    body=GiveAnswers,
    responses={200: CheckIn},
    errors=(409,),
    path_params=_APPOINTMENT_ID,
    idempotent=True,
)
def answer_check_in_questions(patient_id: str, appointment_id: str, body: GiveAnswers) -> dict[str, Any]:
    """Answer the visit type's questionnaire (answering again replaces the answers). Each answer
    is checked against its item: required items, types, options, text the signed PDF can print; a
    problem is a 400 naming `answers.<link_id>`. Kept as a FHIR QuestionnaireResponse and sent to the clinical systems on
    the outbound queue. 409 `no_questionnaire` when the visit asks none.

    409 outside the window, or for a visit that will not happen: `details[0]` is `{"field":
    "appointment", "issue": ...}`, the issue not_open_yet (the message says when it opens),
    closed (the visit started), cancelled, or completed (finished already)."""
    ports = wiring.container()
    return service.answer(ports, *signed_in(_request()), patient_id, appointment_id, body, ports.clock.now())


@route(
    checkin_routes,
    _CHECK_IN + "/complete",
    access=Access.PATIENT,
    methods=("POST",),
    responses={200: CheckIn},
    errors=(409,),
    path_params=_APPOINTMENT_ID,
    idempotent=True,
)
def complete_check_in(patient_id: str, appointment_id: str) -> dict[str, Any]:
    """Finish the check-in: state completed. 409 naming each step not done yet (`details` entries
    `{"field": "details"|"questionnaire"|"forms", "issue": "not_done"}`). Finishing again answers
    the completed check-in.

    409 outside the window, or for a visit that will not happen: `details[0]` is `{"field":
    "appointment", "issue": ...}`, the issue not_open_yet (the message says when it opens),
    closed (the visit started), cancelled, or completed (finished already)."""
    ports = wiring.container()
    return service.complete(ports, *signed_in(_request()), patient_id, appointment_id, ports.clock.now())


@route(
    checkin_routes,
    "/v1/staff/check-ins",
    access=Access.STAFF,
    query=DayQuery,
    responses={200: DayVisits},
)
def staff_check_ins(query: DayQuery) -> dict[str, Any]:
    """The organization's visits of a day (`date`, on its calendar; today by default) by start
    time, each with its check-in: state, forms signed of those asked, whether the questions are
    answered and whether the patient asked for a change of details. Cancelled visits stay listed
    with their status. Audited."""
    ports = wiring.container()
    return visits.day_list(ports, *signed_in(_request()), query.date, ports.clock.now())


@route(
    checkin_routes,
    "/v1/staff/patients/{patient_id}/appointments/{appointment_id}/check-in",
    access=Access.STAFF,
    responses={200: CheckIn},
    path_params=_APPOINTMENT_ID,
)
def staff_patient_check_in(patient_id: str, appointment_id: str) -> dict[str, Any]:
    """One visit's check-in, read-only, with the change of details the patient asked for. A
    patient of another organization: 404. Audited."""
    ports = wiring.container()
    return visits.staff_check_in(ports, *signed_in(_request()), patient_id, appointment_id, ports.clock.now())
