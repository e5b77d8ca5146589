"""Who acted, when someone acting for a patient under a proxy grant sends, signs or asks for
something: the proxy's own name and relationship, and the grant they acted under. What a proxy
does is kept with this, so that staff and the patient are never shown it as the patient's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from chalicelib.access.domain import PatientScope, Standing

# The relationship in the words a person reads it ("Luis Rivera (parent)"): a guardian is a
# guardian whether of a minor or an adult, and the grant keeps which.
RELATIONSHIP_WORDS = {
    "parent": "parent",
    "guardian_of_minor": "guardian",
    "guardian_of_adult": "guardian",
    "health_care_agent": "health care agent",
    "trusted_person": "trusted person",
}
UNNAMED = "Someone acting for the patient"  # a grant made before the proxy's name was kept


@dataclass(frozen=True)
class ActedBy:
    """A proxy who acted: ``name`` as the grant holds it, ``relationship`` the grant's (a
    ``proxies.domain.Relationship`` value), ``grant_id`` the grant acted under."""

    name: str
    relationship: str
    grant_id: str

    @property
    def relationship_words(self) -> str:
        return RELATIONSHIP_WORDS.get(self.relationship, self.relationship.replace("_", " "))

    @property
    def label(self) -> str:
        """ "Luis Rivera (parent)"."""
        return f"{self.name or UNNAMED} ({self.relationship_words})"

    def for_patient(self, patient_name: str) -> str:
        """ "Luis Rivera (parent) for Emma Rivera"."""
        return f"{self.label} for {patient_name}" if patient_name else self.label

    def as_json(self) -> dict[str, str]:
        """What a response shows (access/acting_contract.ActingPerson)."""
        return {"name": self.name or UNNAMED, "relationship": self.relationship, "label": self.label}

    def stored_json(self) -> dict[str, str]:
        """What a stored document keeps (read back by ``from_json``)."""
        return {"name": self.name, "relationship": self.relationship, "grant_id": self.grant_id}


def acted_by(grants: Any, scope: PatientScope) -> ActedBy | None:
    """Who is acting in ``scope``: the proxy of its grant, or None when the caller acts for
    themselves (the patient, or staff). ``grants`` is the proxy grants' store (``get(patient_id,
    grant_id)``); the scope was decided from the grant a moment ago, so it is there."""
    if scope.standing is not Standing.PROXY or not scope.grant_id:
        return None
    return acted_under(grants, scope.patient_id, scope.grant_id)


def acted_under(grants: Any, patient_id: str, grant_id: str) -> ActedBy | None:
    """The proxy of grant ``grant_id`` for this patient (None for no grant: the caller's own)."""
    if not grant_id:
        return None
    grant = grants.get(patient_id, grant_id)
    if grant is None:
        return ActedBy("", "", grant_id)
    relationship = getattr(grant.relationship, "value", grant.relationship)
    return ActedBy(grant.proxy_name, str(relationship), grant_id)


def stored(name: str | None, relationship: str | None, grant_id: str | None) -> ActedBy | None:
    """An ActedBy read back from a store's three attributes (None: the patient or staff acted)."""
    return ActedBy(name or "", relationship or "", grant_id) if grant_id else None


def from_json(value: object) -> ActedBy | None:
    if not isinstance(value, dict) or not value.get("grant_id"):
        return None
    return ActedBy(str(value.get("name") or ""), str(value.get("relationship") or ""), str(value["grant_id"]))
