"""Care teams in the organizations table (CareTeamsModel: one item per organization)."""

from __future__ import annotations

from pynamodb.exceptions import DoesNotExist, PynamoDBException

from chalicelib.careteams.domain import CareTeam
from chalicelib.data.dynamo import conditional_failure
from chalicelib.data.models import CareTeamsModel
from chalicelib.errors import Conflict, DependencyUnavailable

_UNAVAILABLE = "The directory is unavailable."


def _key(organization_id: str) -> str:
    return f"care-teams#{organization_id}"


class DynamoCareTeams:
    def teams_of(self, organization_id: str) -> tuple[list[CareTeam], int | None]:
        try:
            item = CareTeamsModel.get(_key(organization_id), consistent_read=True)
        except DoesNotExist:
            return [], None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return [CareTeam.from_json(t) for t in item.teams or []], item.version

    def save_teams(self, organization_id: str, teams: list[CareTeam], version: int | None) -> None:
        item = CareTeamsModel(_key(organization_id), teams=[t.as_json() for t in teams])
        if version is not None:  # PynamoDB writes on condition the stored version is this one (or none is)
            item.version = version
        try:
            item.save()
        except PynamoDBException as error:
            if conditional_failure(error):
                raise Conflict("Another admin changed the care teams at the same time; look again.") from error
            raise DependencyUnavailable(_UNAVAILABLE) from error
