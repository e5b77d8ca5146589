"""Admins keep their organization's care teams; patients list the ones they may write to."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import Area
from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import AuditPorts, caller_actor, scope_actor, write_audit
from chalicelib.careteams.contract import CareTeamChange
from chalicelib.careteams.domain import MAX_TEAMS, CareTeam, same_name
from chalicelib.careteams.stores import CareTeams
from chalicelib.errors import Conflict, NotFound, Problems
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import new_id
from chalicelib.kernel.origin import Origin


class OrganizationNames(Protocol):
    """Organizations' names (identity's cached reader fits it). Named here, not imported: the
    identity package reaches proxy access, whose requests reach check-in and appointments, which
    list care teams, so an import back to identity would close a cycle."""

    def name(self, organization_id: str) -> str | None: ...


class CareTeamPorts(AuditPorts, Protocol):
    @property
    def care_teams(self) -> CareTeams: ...


class AdminPorts(CareTeamPorts, AccessPorts, Protocol):
    """Members are checked against the directory (``directory``, from AccessPorts)."""


class PatientPorts(CareTeamPorts, AccessPorts, Protocol):
    @property
    def organization_names(self) -> OrganizationNames: ...


def _shown(team: CareTeam) -> dict[str, Any]:
    return {
        "team_id": team.team_id,
        "name": team.name,
        "kind": team.kind,
        "description": team.description,
        "accepts_messages": team.accepts_messages,
        "phone": team.phone or None,
        "active": team.active,
        "member_ids": list(team.members),
        "created_at": team.created_at,
    }


def _by_name(teams: list[CareTeam]) -> list[CareTeam]:
    return sorted(teams, key=lambda t: (t.name.casefold(), t.created_at))


def _audit(
    ports: CareTeamPorts, origin: Origin, caller: Caller, event: str, action: Action, team_id: str = "", **kw: Any
) -> None:
    write_audit(
        ports, origin, caller_actor(caller), event, action=action, resource_type="CareTeam", resource_id=team_id, **kw
    )


def list_teams(ports: CareTeamPorts, caller: Caller, origin: Origin) -> dict[str, Any]:
    teams, _ = ports.care_teams.teams_of(caller.organization_id)
    _audit(ports, origin, caller, "care_teams.list", Action.READ, reason=f"count:{len(teams)}")
    return {"care_teams": [_shown(t) for t in _by_name(teams)]}


def add_team(
    ports: CareTeamPorts, caller: Caller, origin: Origin, change: CareTeamChange, now: datetime
) -> dict[str, Any]:
    teams, version = ports.care_teams.teams_of(caller.organization_id)
    if len(teams) >= MAX_TEAMS:
        raise Conflict(f"An organization has at most {MAX_TEAMS} care teams: deactivated ones count too.")
    _refuse_same_name(teams, change, "")
    team = CareTeam(
        team_id=new_id(),
        name=change.name,
        kind=change.kind,
        description=change.description,
        accepts_messages=change.accepts_messages,
        phone=change.phone or "",
        active=change.active,
        members=(),
        created_at=iso(now),
    )
    ports.care_teams.save_teams(caller.organization_id, [*teams, team], version)
    _audit(ports, origin, caller, "care_team.create", Action.CREATE, team.team_id)
    return _shown(team)


def change_team(
    ports: CareTeamPorts, caller: Caller, origin: Origin, team_id: str, change: CareTeamChange
) -> dict[str, Any]:
    teams, version = ports.care_teams.teams_of(caller.organization_id)
    current = _find(teams, team_id)
    _refuse_same_name(teams, change, team_id)
    changed = CareTeam(
        team_id=current.team_id,
        name=change.name,
        kind=change.kind,
        description=change.description,
        accepts_messages=change.accepts_messages,
        phone=change.phone or "",
        active=change.active,
        members=current.members,
        created_at=current.created_at,
    )
    ports.care_teams.save_teams(
        caller.organization_id, [changed if t.team_id == team_id else t for t in teams], version
    )
    _audit(
        ports, origin, caller, "care_team.update", Action.UPDATE, team_id, reason=None if change.active else "inactive"
    )
    return _shown(changed)


def set_members(
    ports: AdminPorts, caller: Caller, origin: Origin, team_id: str, account_ids: list[str]
) -> dict[str, Any]:
    """The whole member list, each a staff or admin account of the caller's organization. An
    account of another organization, a patient's or an unknown one is refused alike (the answer
    says nothing of which), every one named at once."""
    teams, version = ports.care_teams.teams_of(caller.organization_id)
    current = _find(teams, team_id)
    problems = Problems()
    for index, account_id in enumerate(account_ids):
        account = ports.directory.account(account_id)
        if account is None or account.organization_id != caller.organization_id or not account.role.is_workforce:
            problems.add(
                f"account_ids.{index}",
                "not a staff account of your organization",
                "This is not a staff account of your organization.",
            )
    problems.raise_if_any("Some members are not staff of your organization.")
    members = tuple(dict.fromkeys(account_ids))  # as listed, each once
    changed = current.with_members(members)
    ports.care_teams.save_teams(
        caller.organization_id, [changed if t.team_id == team_id else t for t in teams], version
    )
    _audit(ports, origin, caller, "care_team.members", Action.UPDATE, team_id, reason=f"count:{len(members)}")
    return _shown(changed)


def patient_teams(ports: PatientPorts, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    """The teams the patient may write to about this record: those of the organization holding
    it (a connected organization's record is reached by that connection's patient id)."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.MESSAGES)
    record = ports.patients.get(scope.patient_id)
    if record is None:  # the record went (merged away) after the check: as for any unknown patient
        raise NotFound("No such patient.")
    organization_id = record.organization_id
    teams, _ = ports.care_teams.teams_of(organization_id)
    organization_name = ports.organization_names.name(organization_id) or ""
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "care_teams.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="CareTeam",
    )
    return {
        "care_teams": [
            {
                "team_id": t.team_id,
                "name": t.name,
                "kind": t.kind,
                "description": t.description,
                "phone": t.phone or None,
                "organization_name": organization_name,
            }
            for t in _by_name(teams)
            if t.open_to_patients
        ]
    }


def _find(teams: list[CareTeam], team_id: str) -> CareTeam:
    for team in teams:
        if team.team_id == team_id:
            return team
    raise NotFound("No such care team.")


def _refuse_same_name(teams: list[CareTeam], change: CareTeamChange, team_id: str) -> None:
    """Two active teams of one name: a patient could not tell which they write to."""
    if change.active and any(t.active and t.team_id != team_id and same_name(t.name, change.name) for t in teams):
        problems = Problems()
        problems.add("name", "already the name of an active team", "An active care team already has this name.")
        problems.raise_if_any("The care team is not valid.")
