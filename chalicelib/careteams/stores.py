"""The port the care-team services use (data/care_teams.py implements it)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.careteams.domain import CareTeam


class CareTeams(Protocol):
    def teams_of(self, organization_id: str) -> tuple[list[CareTeam], int | None]:
        """The organization's teams, oldest first, and the version to write them back under
        (None: none written yet)."""
        ...

    def save_teams(self, organization_id: str, teams: list[CareTeam], version: int | None) -> None:
        """Write the whole list, on condition nobody wrote since ``version`` (Conflict if so)."""
        ...
