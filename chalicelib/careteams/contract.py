"""What the care-team routes take and give (see kernel/contract.py)."""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from chalicelib.careteams.domain import MAX_DESCRIPTION, MAX_MEMBERS, MAX_NAME, PHONE
from chalicelib.kernel.contract import RecordId, RequestModel, ResponseModel, blank_is_absent

TeamKind = Literal["department", "clinic", "provider_pool"]


def _shown_text(value: str) -> str:
    """Text patients read in a list: no control, format or surrogate characters (they could hide
    or reorder what is shown), spaces as typed; line breaks only in a description."""
    for character in value:
        if character not in "\n" and unicodedata.category(character) in ("Cc", "Cf", "Cs"):
            raise ValueError("must not contain control or invisible characters")
    return value


def _one_line(value: str) -> str:
    if "\n" in value:
        raise ValueError("must be one line")
    return value


def _phone(value: str) -> str:
    if not PHONE.fullmatch(value):
        raise ValueError("must be a phone number: digits, spaces, + ( ) - . and an optional extension")
    return value


TeamName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME),
    AfterValidator(_shown_text),
    AfterValidator(_one_line),
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_DESCRIPTION), AfterValidator(_shown_text)
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40), AfterValidator(_phone)]


class CareTeamChange(RequestModel):
    """A team as the admin writes it: every field, each time (a PUT replaces what it names)."""

    name: TeamName = Field(description="What patients see in the list of teams to write to.")
    kind: TeamKind = Field(description="A department, a clinic, or a provider's pool.")
    description: Description = Field("", description="A sentence that helps a patient choose this team.")
    accepts_messages: bool = Field(description="Whether patients may write to this team.")
    phone: Annotated[Phone | None, BeforeValidator(blank_is_absent)] = Field(
        None, description='The number patients may call ("call the office"); null for none.'
    )
    active: bool = Field(
        True, description="False deactivates the team: patients no longer see it; its conversations keep its name."
    )


class CareTeamMembers(RequestModel):
    account_ids: Annotated[list[RecordId], Field(max_length=MAX_MEMBERS)] = Field(
        description="The staff and admin accounts of the organization who answer for the team (the whole list)."
    )


class CareTeam(ResponseModel):
    team_id: RecordId
    name: str
    kind: TeamKind
    description: str
    accepts_messages: bool
    phone: str | None
    active: bool
    member_ids: list[str] = Field(description="The staff accounts who answer for the team.")
    created_at: str = Field(description="When the team was added (ISO 8601).")


class CareTeams(ResponseModel):
    care_teams: list[CareTeam] = Field(description="The organization's teams, active or not, by name.")


class PatientCareTeam(ResponseModel):
    """A team the patient may write to, as the patient sees it (no members)."""

    team_id: RecordId
    name: str
    kind: TeamKind
    description: str
    phone: str | None
    organization_name: str = Field(description="The organization the team belongs to.")


class PatientCareTeams(ResponseModel):
    care_teams: list[PatientCareTeam] = Field(
        description="The active teams that accept messages of the organization holding this record, by name."
    )
