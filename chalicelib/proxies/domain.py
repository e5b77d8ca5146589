"""The rules of proxy access, after New York's and Albany Medical Center's:

- A parent or a permanent legal guardian of a minor has access only until the minor turns 12.
  What is recorded from the 12th birthday on does not appear; what was there before stays. Broad
  parental access from 12 to 18 is not offered, so such a request is refused.
- For an adult, only a court-ordered guardian or a health-care agent under a power of attorney
  qualifies, with the legal documents uploaded; an adult who can decide consents first.
- A patient may grant access to someone they trust (their consent is the grant).
- Every grant to act for an adult has an end date (one year by default, renewable); sensitive care
  (an admin's code lists, a sender's confidentiality flag) is never shown to a proxy.

Pure: no storage, clock or network. The shapes follow FHIR's (RelatedPerson for the proxy's
relationship, Consent with its provisions for the grant, QuestionnaireResponse for the request).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from chalicelib.access.domain import PROXY_AREAS, Area, PatientScope, Standing

# The age from which a parent's access ends (New York: what a minor of 12 or more records is
# theirs to share).
MINOR_CUTOFF_AGE = 12
ADULT_AGE = 18
# An adult's grant ends after this long unless given another end date (renewable).
ADULT_GRANT_DAYS = 365


class Relationship(enum.Enum):
    """Why the requester may act for the patient; the FHIR v3 RoleCode each maps to is in
    ``ROLE_CODES`` (RelatedPerson.relationship)."""

    PARENT = "parent"  # of a minor under 12
    GUARDIAN_OF_MINOR = "guardian_of_minor"  # permanent legal guardian of a minor under 12
    GUARDIAN_OF_ADULT = "guardian_of_adult"  # court-ordered guardian of an adult
    HEALTH_CARE_AGENT = "health_care_agent"  # agent under a health-care power of attorney
    TRUSTED_PERSON = "trusted_person"  # someone an adult patient chose (the patient's consent)


ROLE_CODES = {
    Relationship.PARENT: ("PRN", "parent"),
    Relationship.GUARDIAN_OF_MINOR: ("GUARD", "guardian"),
    Relationship.GUARDIAN_OF_ADULT: ("GUARD", "guardian"),
    Relationship.HEALTH_CARE_AGENT: ("HPOWATT", "healthcare power of attorney"),
    Relationship.TRUSTED_PERSON: ("FRND", "unrelated friend"),  # v3 RoleCode; the person's own words go in text
}

FOR_MINORS = frozenset({Relationship.PARENT, Relationship.GUARDIAN_OF_MINOR})
FOR_ADULTS = frozenset({Relationship.GUARDIAN_OF_ADULT, Relationship.HEALTH_CARE_AGENT, Relationship.TRUSTED_PERSON})


class DocumentKind(enum.Enum):
    """A legal document a request carries."""

    BIRTH_CERTIFICATE = "birth_certificate"
    COURT_ORDER = "court_order"
    LETTERS_OF_GUARDIANSHIP = "letters_of_guardianship"
    POWER_OF_ATTORNEY = "power_of_attorney"  # a health-care proxy form
    OTHER = "other"


# What each relationship must upload, at least one of each set. A parent uploads something that
# shows it (staff may ask for more); a guardian the court's order or letters; an agent the power of
# attorney. A trusted person is chosen by the patient and uploads nothing.
REQUIRED_DOCUMENTS: dict[Relationship, tuple[frozenset[DocumentKind], ...]] = {
    Relationship.PARENT: (frozenset({DocumentKind.BIRTH_CERTIFICATE, DocumentKind.COURT_ORDER, DocumentKind.OTHER}),),
    Relationship.GUARDIAN_OF_MINOR: (frozenset({DocumentKind.COURT_ORDER, DocumentKind.LETTERS_OF_GUARDIANSHIP}),),
    Relationship.GUARDIAN_OF_ADULT: (frozenset({DocumentKind.COURT_ORDER, DocumentKind.LETTERS_OF_GUARDIANSHIP}),),
    Relationship.HEALTH_CARE_AGENT: (frozenset({DocumentKind.POWER_OF_ATTORNEY}),),
    Relationship.TRUSTED_PERSON: (),
}


class GrantStatus(enum.Enum):
    INVITED = "invited"  # a patient chose a trusted person, who has not accepted yet (no account named)
    AWAITING_CONSENT = "awaiting_consent"  # approved by staff; the adult patient has not consented yet
    ACTIVE = "active"  # in force between its start and end (reads check the dates themselves)
    ENDED = "ended"  # reached its end date (or the minor's 12th birthday ended it for good)
    REVOKED = "revoked"  # by the patient
    TERMINATED = "terminated"  # by staff
    DECLINED = "declined"  # the adult patient refused consent


# The end reason of a grant's copy left under a record merged into another: the grant itself
# moved to the surviving record (same id), so the copy left behind is over and changes nothing.
MERGED = "merged"


class Access(enum.Enum):
    FULL = "full"  # read and act (send messages, request visits and refills, check in, sign)
    READ_ONLY = "read_only"


@dataclass(frozen=True)
class ProxyGrant:
    """One person's standing to act for one patient (a FHIR Consent, scope patient-privacy, with
    provisions for its areas, and a RelatedPerson for the relationship)."""

    grant_id: str
    patient_id: str  # acted for
    organization_id: str  # the patient's
    proxy_account_id: str  # the account acting
    relationship: Relationship
    access: Access
    areas: frozenset[Area]
    starts_at: datetime
    ends_at: datetime | None  # None only for a minor's grant, whose end is the cutoff
    # A parent's grant: the start of the 12th birthday in the organization's zone. What is dated
    # from then on is invisible; the grant itself stays (it shows what came before) until staff end it.
    visible_until: datetime | None
    status: GrantStatus
    created_at: datetime
    request_id: str = ""  # the request it answered ("" for a grant the patient gave)
    proxy_name: str = ""  # how the patient's list names the proxy (as the proxy gave it)
    patient_name: str = ""  # how the proxy's switcher names the patient ("Emma")
    consented_at: datetime | None = None
    ended_at: datetime | None = None  # revoked, terminated or declined: when
    ended_by: str = ""  # account id
    end_reason: str = ""
    version: int | None = None

    def in_force(self, now: datetime) -> bool:
        """Active and between its start and end: checked on every read, so nothing depends on a
        timer having fired."""
        return (
            self.status is GrantStatus.ACTIVE and self.starts_at <= now and (self.ends_at is None or now < self.ends_at)
        )

    def past_cutoff(self, now: datetime) -> bool:
        """A parent's grant from the child's 12th birthday on: what came before stays readable,
        but acting for a child of 12 or more (writing to the care team, booking, signing, choosing
        how results are released) is no longer the parent's."""
        return self.visible_until is not None and now >= self.visible_until

    def scope(self, now: datetime) -> PatientScope:
        """What a grant in force lets its holder see and do now (the caller checks ``in_force``
        and the area): read-only when the grant says so or once past its cutoff."""
        return PatientScope(
            self.patient_id,
            Standing.PROXY,
            visible_until=self.visible_until,
            hide_sensitive=True,
            read_only=self.access is Access.READ_ONLY or self.past_cutoff(now),
            grant_id=self.grant_id,
        )


def twelfth_birthday(birth_date: str, zone: str) -> datetime | None:
    """The first moment of the 12th birthday on the organization's clock (a 29 February birthday
    falls on 1 March in a common year); None without a birth date."""
    return birthday_at(birth_date, MINOR_CUTOFF_AGE, zone)


def birthday_at(birth_date: str, age: int, zone: str) -> datetime | None:
    if not birth_date:
        return None
    born = date.fromisoformat(birth_date)
    try:
        day = born.replace(year=born.year + age)
    except ValueError:  # 29 February
        day = date(born.year + age, 3, 1)
    return datetime.combine(day, time(0, 0), tzinfo=ZoneInfo(zone))


def age_on(birth_date: str, today: date) -> int | None:
    if not birth_date:
        return None
    born = date.fromisoformat(birth_date)
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def minor_on(birth_date: str, zone: str, now: datetime) -> bool:
    """Under 18 at ``now`` on the organization's calendar. A birth date the record gives only in
    part (a year, a month) or not at all tells nothing: not a minor by this check."""
    try:
        adult = birthday_at(birth_date, ADULT_AGE, zone)
    except ValueError:
        return False
    return adult is not None and now < adult


def default_adult_end(now: datetime) -> datetime:
    return now + timedelta(days=ADULT_GRANT_DAYS)


def refusal_for_age(relationship: Relationship, birth_date: str, zone: str, now: datetime) -> str:
    """Why this relationship cannot be asked for a patient of this age ("" when it can), in a
    sentence that fits the case: a minor's parent or guardian for a child of 12 to 17 (broad
    parental access from 12 to 18 is not offered), or for an adult (who has their own access); an
    adult's guardian, agent or trusted person for someone under 18."""
    cutoff = twelfth_birthday(birth_date, zone)
    adult = birthday_at(birth_date, ADULT_AGE, zone)
    if relationship in FOR_MINORS:
        if cutoff is None:
            return (
                "Parents and guardians of a minor can have portal access only until the child turns 12, "
                "and this record has no birth date. Please contact the office."
            )
        if adult is not None and now >= adult:
            return (
                "This patient is an adult, so a parent or a guardian of a minor cannot have access to their "
                "record. The patient can choose someone they trust, or a court-appointed guardian or "
                "health-care agent can ask."
            )
        if now >= cutoff:
            return (
                "Parents and guardians of a minor can have portal access only until the child turns 12. "
                "Please contact the office about access for a child of 12 to 17."
            )
        return ""
    if adult is not None and now < adult:
        if cutoff is not None and now < cutoff:
            return (
                "This kind of access is for patients 18 or older. For a child under 12, ask as a parent "
                "or a guardian of a minor."
            )
        return "This kind of access is for patients 18 or older. For a child of 12 to 17, please contact the office."
    return ""


def missing_documents(relationship: Relationship, uploaded: set[DocumentKind]) -> list[str]:
    """The kinds of document this relationship still needs, in words ("" when none)."""
    missing = []
    for one_of in REQUIRED_DOCUMENTS[relationship]:
        if not one_of & uploaded:
            missing.append(" or ".join(sorted(k.value.replace("_", " ") for k in one_of)))
    return missing


def grant_areas(relationship: Relationship, asked: frozenset[Area] | None) -> frozenset[Area]:
    """The areas a grant covers: what was asked for (never the access log), else all a proxy may have."""
    return frozenset(asked or PROXY_AREAS) & PROXY_AREAS
