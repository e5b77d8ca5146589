"""Routes of release: what is on its way to a patient and the patient's own release preferences,
staff holds and early releases, and the organization's release policy (admins)."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.http.caller import signed_in, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.release import holds, policy_admin, preferences, upcoming
from chalicelib.release.contract import (
    Held,
    HoldRequest,
    Released,
    ReleasePolicy,
    ReleasePolicyChange,
    ReleasePreferences,
    ReleasePreferencesChange,
    StaffResults,
    Upcoming,
)

release_routes = Blueprint(__name__)


def _request():
    return release_routes.current_request


@route(release_routes, "/v1/patients/{patient_id}/upcoming-releases", access=Access.PATIENT, responses={200: Upcoming})
def upcoming_releases(patient_id: str):
    """What is filed but not shown yet, and when it will be (without values)."""
    ports = wiring.container()
    return upcoming.upcoming(ports, *signed_in(_request()), patient_id, ports.clock.now())


@route(release_routes, "/v1/staff/patients/{patient_id}/results", access=Access.STAFF, responses={200: StaffResults})
def staff_results(patient_id: str):
    """A patient's results and documents, released or not, with where their release stands."""
    return holds.list_for_staff(wiring.container(), *signed_in(_request()), patient_id)


@route(
    release_routes,
    "/v1/staff/results/{result_id}/hold",
    access=Access.STAFF,
    methods=("POST",),
    body=HoldRequest,
    responses={200: Held},
    errors=(409,),
)
def hold_result(result_id: str, body: HoldRequest):
    """Hold back a result or document not yet shown, until staff release it.

    409 when it is shown already, or when the id names more than one record.
    """
    ports = wiring.container()
    return holds.hold(ports, *signed_in(_request()), result_id, body, ports.clock.now())


@route(
    release_routes,
    "/v1/staff/results/{result_id}/release",
    access=Access.STAFF,
    methods=("POST",),
    responses={200: Released},
    errors=(409,),
)
def release_result(result_id: str):
    """Show a held or delayed result or document now (the patient is told by email).

    Safe to repeat: releasing what is shown already answers the same, and tells nobody again.
    409 when the id names more than one record.
    """
    ports = wiring.container()
    return holds.release(ports, *signed_in(_request()), result_id, ports.clock.now())


@route(release_routes, "/v1/admin/release-policy", access=Access.ADMIN, responses={200: ReleasePolicy})
def get_release_policy():
    """The organization's release policy."""
    return policy_admin.release_policy(wiring.container(), signed_in_caller(_request()))


@route(
    release_routes,
    "/v1/admin/release-policy",
    access=Access.ADMIN,
    methods=("PUT",),
    body=ReleasePolicyChange,
    responses={200: ReleasePolicy},
    errors=(404, 409),
)
def put_release_policy(body: ReleasePolicyChange):
    """Replace the organization's release policy; it applies to what is filed from now on.

    409 when another admin changed the organization at the same time (try again).
    """
    return policy_admin.set_release_policy(wiring.container(), *signed_in(_request()), body)


@route(
    release_routes,
    "/v1/patients/{patient_id}/release-preferences",
    access=Access.PATIENT,
    responses={200: ReleasePreferences},
)
def release_preferences(patient_id: str):
    """The patient's release preferences."""
    return preferences.release_preferences(wiring.container(), *signed_in(_request()), patient_id)


@route(
    release_routes,
    "/v1/patients/{patient_id}/release-preferences",
    access=Access.PATIENT,
    methods=("PUT",),
    body=ReleasePreferencesChange,
    responses={200: ReleasePreferences},
    errors=(409,),
)
def set_release_preferences(patient_id: str, body: ReleasePreferencesChange):
    """Choose, per category, when new results are shown: at once, after a clinician's review, or after some days.

    409 when the patient's record changed at the same time (try again).
    """
    return preferences.set_release_preferences(wiring.container(), *signed_in(_request()), patient_id, body)


@route(
    release_routes,
    "/v1/staff/patients/{patient_id}/release-preferences",
    access=Access.STAFF,
    responses={200: ReleasePreferences},
)
def staff_release_preferences(patient_id: str):
    """The patient's own release preferences, as they chose them (staff read them; only the patient sets them)."""
    return preferences.release_preferences(wiring.container(), *signed_in(_request()), patient_id)
