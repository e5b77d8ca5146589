from __future__ import annotations

import enum
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.errors import ValidationFailed


class PortalStatus(enum.Enum):
    NOT_INVITED = "not_invited"
    INVITED = "invited"
    ACTIVE = "active"  # enrolled: an account signs in for this patient
    SUSPENDED = "suspended"  # paused by staff; may be reinstated
    TERMINATED = "terminated"  # ended by staff


@dataclass(frozen=True)
class Identifier:
    """An identifier and the authority that assigned it (HL7 PID-3.1 and PID-3.4; FHIR
    Identifier.value and .system). A patient is only ever matched on both together."""

    authority: str
    value: str
    type: str = "MR"

    def claim_key(self, organization_id: str) -> str:
        """Claims are per organization: two organizations may each hold a patient with the same
        shared-authority identifier (a national id ...), and neither learns of the other's."""
        return f"identifier#{organization_id}#{self.authority}|{self.value}"


@dataclass(frozen=True)
class Patient:
    patient_id: str
    organization_id: str
    identifiers: tuple[Identifier, ...]
    family_name: str
    given_names: tuple[str, ...]
    birth_date: str  # ISO date, "" when unknown
    sex: str
    email: str
    portal_status: PortalStatus
    account_id: str
    created_at: datetime
    version: int | None = None
    merged_into: str = ""  # A40: this record was merged into that patient (the survivor)
    # The patient's own choice: results of these categories wait for a clinician's review (staff
    # release them) or for release.policy.REVIEW_WAIT_LIMIT, whichever comes first.
    wait_for_review: tuple[str, ...] = ()
    # ... or to see results of these categories some days after they are filed: (category, days).
    wait_days: tuple[tuple[str, int], ...] = ()
    # The EHR recorded the patient's death (HL7 PID-29/30, FHIR Patient.deceased[x]): no invitation,
    # enrollment or sign-in from then on. ``deceased_on`` is the date when the sender gave one
    # (YYYY-MM-DD, or "" ); ``deceased_as_of`` is when the sender said so (MSH-7, meta.lastUpdated),
    # so that an older message delivered late cannot undo a newer statement.
    deceased: bool = False
    deceased_on: str = ""
    deceased_as_of: str = ""
    # While INVITED: when the live invitation's code stops working (epoch seconds), so that a lapsed
    # invitation shows as not invited without a write at expiry; 0 while an account waits for this
    # record (a pending connection), which has no end.
    invited_until: int = 0
    # A new address staff entered, waiting for its owner to confirm it (identity.contact_email);
    # ``email`` stays the one in use until then.
    pending_email: str = ""

    @property
    def shown_name(self) -> str:
        """The name as staff lists and a message's author show it: given names, then family name."""
        return " ".join([*self.given_names, self.family_name]).strip()

    @property
    def awaited(self) -> bool:
        """Whether a patient enrolled elsewhere added this record with its code and waits for it to
        say who it describes (identity.profile.add_connection; filing.connections)."""
        return self.portal_status is PortalStatus.INVITED and bool(self.account_id) and not self.invited_until

    def shown_status(self, now_epoch: int) -> PortalStatus:
        """The portal status staff are shown: an invitation whose code has expired leaves the
        patient not invited (staff may invite again), as a revoked or burned one does."""
        if self.portal_status is PortalStatus.INVITED and 0 < self.invited_until <= now_epoch:
            return PortalStatus.NOT_INVITED
        return self.portal_status


# Identifiers that name a person outside any clinic and can be used to impersonate them: a social
# security number (HL7 type SS; the SSA's OID and FHIR's us-ssn system), a social beneficiary or
# national insurance number (SB), a taxpayer number (TAX), a driver's licence (DL; US states'
# licence OIDs sit under 2.16.840.1.113883.4.3) and a passport (PPN; FHIR passport systems and
# the passport OIDs under 2.16.840.1.113883.4.330). None helps a patient read their record, so the
# portal never keeps, shows or logs them: the feed readers drop them on reading, and the archived
# original message is the only place they remain.
SENSITIVE_TYPES = frozenset({"SS", "SB", "TAX", "DL", "PPN"})
_SENSITIVE_AUTHORITY = re.compile(
    r"(urn:oid:)?2\.16\.840\.1\.113883\.4\.(1|3(\.\d+)*|330(\.\d+)*)"
    r"|https?://hl7\.org/fhir/sid/(us-ssn|passport-.*)"
    r"|(us-?)?ssa|ssn|us-?ssn",
    re.IGNORECASE,
)


def is_sensitive(authority: str, type_: str = "") -> bool:
    """Whether an identifier is one the portal never keeps (see SENSITIVE_TYPES): by its type code,
    or by an assigning authority that only issues such numbers, whatever type the sender gave."""
    return type_.strip().upper() in SENSITIVE_TYPES or bool(_SENSITIVE_AUTHORITY.fullmatch(authority.strip()))


# HL7 table 0203 codes for patient identifiers. Senders put them in the assigning authority's
# place ("12345^^^MR", "123-45-6789^^^SS"): there they say what kind of number it is, not who
# assigned it, so the number is read as one without an authority (and an SS as a social security
# number). Two- and three-letter codes only of kinds a patient carries, so that a real namespace
# ("AMC", "MRN") is never mistaken for one.
IDENTIFIER_TYPE_CODES = frozenset(
    {"MR", "MRT", "PI", "PT", "PN", "PRN", "AN", "VN", "EN", "RI", "HC", "JHN", "NI", "NH", "MA", "MC", "MB"}
    | SENSITIVE_TYPES
)
_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+")
_URI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")


def universal_id(text: str, kind: str = "") -> str:
    """An assigning authority that names itself the same to every sender (an OID, a URI, a UUID),
    written one way ("urn:oid:<oid>"), so that HL7's "2.16.840.1.113883.19.5" (CX.4.2 with
    CX.4.3 "ISO") and FHIR's "urn:oid:2.16.840.1.113883.19.5" are one authority; "" for a local
    name, which means something only to the sender that uses it. ``kind`` is HL7's universal id
    type (CX.4.3), when there is one: "L", "M" and "N" say the name is local."""
    text = text.strip()
    if not text or kind.upper() in ("L", "M", "N"):
        return ""
    bare = text[8:] if text.lower().startswith("urn:oid:") else text
    if _OID.fullmatch(bare):
        return f"urn:oid:{bare}"
    if kind.upper() in ("UUID", "GUID") and re.fullmatch(r"[0-9A-Fa-f-]{32,36}", text):
        return f"urn:uuid:{text.lower()}"
    if _URI_SCHEME.fullmatch(text) or kind.upper() in ("URI", "DNS"):
        return text
    return ""


_IDENTIFIER_PART = AUTHORITY = re.compile(r"[A-Za-z0-9 ._:/-]{1,64}")
SEXES = ("female", "male", "other", "unknown")


def identifier(authority: object, value: object, type_: object = "MR") -> Identifier:
    problems = []
    if not isinstance(authority, str) or not _IDENTIFIER_PART.fullmatch(authority):
        problems.append({"field": "authority", "issue": "1 to 64 letters, digits, spaces or . _ : / -"})
    if not isinstance(value, str) or not _IDENTIFIER_PART.fullmatch(value):
        problems.append({"field": "value", "issue": "1 to 64 letters, digits, spaces or . _ : / -"})
    if not isinstance(type_, str) or not re.fullmatch(r"[A-Z]{1,5}", type_):
        problems.append({"field": "type", "issue": "an HL7 identifier type code such as MR"})
    if problems:
        raise ValidationFailed("An identifier is not valid.", problems)
    assert isinstance(authority, str) and isinstance(value, str) and isinstance(type_, str)  # each checked above
    return Identifier(authority.strip(), value.strip(), type_)


def parse_birth_date(value: object, today: date, field: str = "birth_date") -> str:
    """A birth date as YYYY-MM-DD, from 1880 up to ``today`` (the caller's clock)."""
    try:
        parsed = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
    except ValueError:
        parsed = None
    if parsed is None or not date(1880, 1, 1) <= parsed <= today:
        raise ValidationFailed("A date of birth is a past date written YYYY-MM-DD.", [{"field": field}])
    return parsed.isoformat()


def fold_name(name: str) -> str:
    """A name as compared for identity proofing: case, accents, spaces, hyphens and apostrophes
    ignored ("O'Brien-Núñez" matches "obrien nunez")."""
    decomposed = unicodedata.normalize("NFKD", name)
    without_marks = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return re.sub(r"[\s'\u2019.-]+", "", without_marks).casefold()
