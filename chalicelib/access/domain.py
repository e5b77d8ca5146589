"""What a caller may see of one patient's record."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Standing(enum.Enum):
    """Why the caller may reach this record."""

    SELF = "self"  # the patient's own record
    CONNECTION = "connection"  # the patient's record at another organization connected to their account
    STAFF = "staff"  # staff or an admin of the patient's organization
    PROXY = "proxy"  # a parent, guardian, agent or trusted person acting under a grant in force


class Area(enum.Enum):
    """The part of a record a route reads or acts on: a proxy's grant names the areas it covers
    (an adult's grant may cover appointments and messages but not results). Every call of
    ``patient_scope`` names one, so the one check decides, never a route."""

    RESULTS = "results"  # results, their files and trends, upcoming releases, release preferences
    DOCUMENTS = "documents"  # clinical documents and signed forms
    HEALTH_SUMMARY = "health_summary"  # allergies, problems, medications list, immunizations, vitals
    MESSAGES = "messages"  # message threads, attachments, the care teams one may write to
    APPOINTMENTS = "appointments"  # visits, requests, check-in, video links
    MEDICATIONS = "medications"  # medications and refill requests
    ACCESS_LOG = "access_log"  # who saw the record: the patient's own (a proxy never reads it)
    PROXIES = "proxies"  # who may act for the patient: the patient's own (a proxy never reads it)


# What a grant covers when it does not say: everything a proxy may have (never the access log nor
# the list of the patient's proxies).
PROXY_AREAS = frozenset(a for a in Area if a not in (Area.ACCESS_LOG, Area.PROXIES))


@dataclass(frozen=True)
class PatientScope:
    """One patient's record as one caller may see it.

    ``visible_until``: the caller sees only what is dated before this moment (None: the whole
    record); a parent's grant sets it to the child's 12th birthday, so what is recorded from then on
    never appears, while what was there before stays. ``hide_sensitive``: items in a sensitive
    category (an admin's code lists, or a sender's confidentiality flag R or V) are never shown (a
    proxy, whatever the grant). ``read_only``: the caller may read but not act (send, cancel,
    request, sign). ``grant_id``: the proxy grant used, audited with the acting account."""

    patient_id: str
    standing: Standing
    visible_until: datetime | None = None
    hide_sensitive: bool = False
    read_only: bool = False
    grant_id: str = ""
    # The patient record, when deciding had to read it (staff, proxy): a caller that needs the
    # record takes it from here instead of reading it a second time.
    record: object | None = field(default=None, compare=False, repr=False)

    def shows(self, dated: datetime | None, sensitive: bool = False) -> bool:
        """Whether an item dated ``dated`` (its clinical date: collected, effective, sent, visit
        start; None when it has none) and so marked is visible in this scope. An undated item is
        hidden from a scope with a cutoff: it cannot be shown to be from before it."""
        if sensitive and self.hide_sensitive:
            return False
        if self.visible_until is None:
            return True
        return dated is not None and dated < self.visible_until
