"""Stable FHIR ids of what the portal holds: the same item always gets the same id, so an app
that read an Observation yesterday finds it again today, and a Bundle built twice is the same.

The portal's own ids (a patient's, a filed item's: 32 hex digits) are FHIR ids as they are. An
Observation of a result is the result's id and its line (``<result id>-<line>``), so the FHIR API
finds the filed result it belongs to by its id alone (``observation_of``). Things the portal knows
only by name (a performing lab, a prescriber) get the digest of that name within the organization,
``lab-...`` and ``pr-...``: an id says nothing of the name, and two organizations' "Dr. Lee" are
two Practitioners. A Provenance is its source message's, by the digest of the message's key.
"""

from __future__ import annotations

import hashlib
import re

# FHIR's id: 1 to 64 letters, digits, "-" and ".".
FHIR_ID = re.compile(r"[A-Za-z0-9.-]{1,64}")
_OBSERVATION_ID = re.compile(r"(?P<item>[0-9a-f]{32})-(?P<line>\d{1,4})")


def fhir_id(value: str, prefix: str = "id") -> str:
    """``value`` when it is a FHIR id already, else ``<prefix>-`` and its digest."""
    if FHIR_ID.fullmatch(value):
        return value
    return f"{prefix}-{_digest(value)}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


def observation_id(item_id: str, line: int) -> str:
    """The Observation of line ``line`` (from 0) of the result ``item_id``."""
    return f"{item_id}-{line}"


def observation_of(observation: str) -> tuple[str, int] | None:
    """The result id and line an Observation id names, None when it names no result's line (a
    vital sign's Observation is its entry's id alone)."""
    match = _OBSERVATION_ID.fullmatch(observation)
    return (match["item"], int(match["line"])) if match else None


def practitioner_id(organization_id: str, name: str) -> str:
    return f"pr-{_digest(organization_id, 'practitioner', name.strip().casefold())}"


def lab_id(organization_id: str, name: str) -> str:
    return f"lab-{_digest(organization_id, 'lab', name.strip().casefold())}"


def provenance_id(organization_id: str, source: str) -> str:
    return f"prov-{_digest(organization_id, 'source', source)}"
