"""Routes of the care-team directory: admins keep their organization's teams; a patient lists
the teams they may write to about a record."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.careteams import service
from chalicelib.careteams.contract import CareTeam, CareTeamChange, CareTeamMembers, CareTeams, PatientCareTeams
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route

care_team_routes = Blueprint(__name__)


def _request():
    return care_team_routes.current_request


@route(care_team_routes, "/v1/admin/care-teams", access=Access.ADMIN, responses={200: CareTeams})
def list_care_teams():
    """The organization's care teams, active or not, by name, with their members."""
    return service.list_teams(wiring.container(), *signed_in(_request()))


@route(
    care_team_routes,
    "/v1/admin/care-teams",
    access=Access.ADMIN,
    methods=("POST",),
    body=CareTeamChange,
    responses={201: CareTeam},
    errors=(409,),
)
def add_care_team(body: CareTeamChange):
    """Add a care team. 400 when an active team has the same name; 409 when another admin
    changed the teams at the same time (try again)."""
    ports = wiring.container()
    return Response(service.add_team(ports, *signed_in(_request()), body, ports.clock.now()), status_code=201)


@route(
    care_team_routes,
    "/v1/admin/care-teams/{team_id}",
    access=Access.ADMIN,
    methods=("PUT",),
    body=CareTeamChange,
    responses={200: CareTeam},
    errors=(404, 409),
)
def change_care_team(team_id: str, body: CareTeamChange):
    """Change a care team, or deactivate it (`active: false`). Teams are never deleted, so that
    conversations keep the team they went to."""
    return service.change_team(wiring.container(), *signed_in(_request()), team_id, body)


@route(
    care_team_routes,
    "/v1/admin/care-teams/{team_id}/members",
    access=Access.ADMIN,
    methods=("PUT",),
    body=CareTeamMembers,
    responses={200: CareTeam},
    errors=(404, 409),
)
def set_care_team_members(team_id: str, body: CareTeamMembers):
    """Replace the team's members: staff and admin accounts of the organization only (400 names
    each other one)."""
    return service.set_members(wiring.container(), *signed_in(_request()), team_id, body.account_ids)


@route(
    care_team_routes,
    "/v1/patients/{patient_id}/care-teams",
    access=Access.PATIENT,
    responses={200: PatientCareTeams},
)
def patient_care_teams(patient_id: str):
    """The care teams the patient may write to about this record: the active teams that accept
    messages of the organization holding it, by name, with the organization's name."""
    return service.patient_teams(wiring.container(), *signed_in(_request()), patient_id)
