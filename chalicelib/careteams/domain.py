"""A care team and the rules on its fields (standard library only)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

KINDS = ("department", "clinic", "provider_pool")
MAX_TEAMS = 200  # per organization: real ones have tens
MAX_MEMBERS = 200  # per team
MAX_NAME = 100
MAX_DESCRIPTION = 500
# What a patient dials: digits with the usual separators, optionally an extension.
PHONE = re.compile(r"\+?[0-9 ().-]{3,25}( ?(ext\.?|x) ?[0-9]{1,6})?", re.IGNORECASE)


@dataclass(frozen=True)
class CareTeam:
    team_id: str
    name: str
    kind: str  # one of KINDS
    description: str
    accepts_messages: bool
    phone: str  # "" when the team shows none
    active: bool
    members: tuple[str, ...]  # staff account ids of the organization
    created_at: str  # ISO time

    @property
    def open_to_patients(self) -> bool:
        return self.active and self.accepts_messages

    def as_json(self) -> dict[str, Any]:
        return {
            "team_id": self.team_id,
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "accepts_messages": self.accepts_messages,
            "phone": self.phone,
            "active": self.active,
            "members": list(self.members),
            "created_at": self.created_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CareTeam:
        return cls(
            team_id=str(data["team_id"]),
            name=str(data["name"]),
            kind=str(data["kind"]),
            description=str(data.get("description") or ""),
            accepts_messages=bool(data.get("accepts_messages")),
            phone=str(data.get("phone") or ""),
            active=bool(data.get("active", True)),
            members=tuple(str(m) for m in data.get("members") or ()),
            created_at=str(data.get("created_at") or ""),
        )

    def with_members(self, members: tuple[str, ...]) -> CareTeam:
        return replace(self, members=members)


def same_name(a: str, b: str) -> bool:
    """Two teams a patient could not tell apart in a list."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()
