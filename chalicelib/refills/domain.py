"""Medications as the refill rules see them, the rules themselves, and refill requests (standard
library only: the rules are pure, so they are unit-tested without storage or a clock)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.access.acting import ActedBy

SCHEDULES = ("II", "III", "IV", "V")
# A mark the rules cannot read as II to V (schedule I or VI of HL7 table 0477, a state's own, a
# typo): still a controlled substance, its schedule unknown. A sender who marks a medication at all
# means it is controlled, so an unreadable mark refuses the online refill rather than allowing it.
UNKNOWN_SCHEDULE = "?"
# How senders write a schedule: HL7 table 0477's codes in roman numerals or digits, with or without
# "C", "C-", "CS-", "Schedule " before them and a narcotic's "N" ("II-N", "2N", "CII-N", "Schedule
# II (narcotic)") after them.
_SCHEDULE = re.compile(
    r"(?:schedule|cs|c)?[\s-]*(ii|iii|iv|v|[2-5])[\s-]*(?:n|\(?non[\s-]*narcotic\)?|\(?narcotic\)?)?",
    re.IGNORECASE,
)
_DIGITS = {"2": "II", "3": "III", "4": "IV", "5": "V"}


def schedule_of(text: str) -> str:
    """A sender's schedule as "II" ... "V"; "" when there is no mark; UNKNOWN_SCHEDULE when there
    is one the rules cannot read ("I", "VI", "controlled" ...)."""
    text = text.strip().rstrip(".")
    if not text:
        return ""
    match = _SCHEDULE.fullmatch(text)
    if not match:
        return UNKNOWN_SCHEDULE
    found = match.group(1).upper()
    return _DIGITS.get(found, found)


class Status(enum.Enum):
    REQUESTED = "requested"
    APPROVED = "approved"
    DENIED = "denied"


class Reason(enum.Enum):
    """Why a medication cannot be refilled online, in the order the rules look."""

    REPORTED_BY_PATIENT = "reported_by_patient"
    NOT_ACTIVE = "not_active"
    CONTROLLED_SUBSTANCE = "controlled_substance"
    NOT_REFILLABLE_ONLINE = "not_refillable_online"
    EXPIRED = "expired"
    NO_REFILLS = "no_refills"
    NOT_A_PRESCRIPTION = "not_a_prescription"
    PATIENT_NOT_IDENTIFIED = "patient_not_identified"
    REQUEST_PENDING = "request_pending"


@dataclass(frozen=True)
class Medication:
    """A medication entry of the patient's record, as the feeds filed it."""

    medication_id: str
    name: str
    status: str  # as sent: active, on-hold, stopped, completed, ...
    dosage: tuple[str, ...] = ()
    prescriber: str = ""
    authored_on: str = ""
    refills_allowed: int | None = None
    expires_on: str = ""  # YYYY-MM-DD: the validity period's last day, "" when none was sent
    schedule: str = ""  # the sender's mark ("II" ... "V"), "" when none
    rxnorm: tuple[str, ...] = ()  # its RxNorm codes
    not_refillable_online: bool = False  # the sender's mark
    reported_by_patient: bool = False
    intent: str = ""  # FHIR's MedicationRequest.intent ("order" for every HL7 order)
    do_not_perform: bool = False  # an instruction not to take it
    prescription_system: str = ""  # the clinical system's id of the prescription, when sent
    prescription_value: str = ""

    @classmethod
    def from_entry(cls, medication_id: str, content: dict[str, Any]) -> Medication:
        """A stored medication entry's content (interop.fhir.entries writes it)."""
        concept = content.get("medication") or {}
        prescription = content.get("prescription") or {}
        refills = content.get("refills_allowed")
        rxnorm = content.get("rxnorm") or ""
        return cls(
            medication_id=medication_id,
            name=str(concept.get("display") or concept.get("code") or ""),
            status=str(content.get("status") or ""),
            dosage=tuple(str(d) for d in content.get("dosage") or ()),
            prescriber=str(content.get("prescriber") or ""),
            authored_on=str(content.get("authored_on") or ""),
            refills_allowed=refills if isinstance(refills, int) and not isinstance(refills, bool) else None,
            expires_on=str(content.get("expires_on") or ""),
            schedule=schedule_of(str(content.get("schedule") or "")),
            rxnorm=(str(rxnorm),) if rxnorm else (),
            not_refillable_online=content.get("not_refillable_online") is True,
            reported_by_patient=content.get("reported_by_patient") is True,
            intent=str(content.get("intent") or ""),
            do_not_perform=content.get("do_not_perform") is True,
            prescription_system=str(prescription.get("system") or ""),
            prescription_value=str(prescription.get("value") or ""),
        )

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def prescribed(self) -> bool:
        """An order to dispense: not a plan, a proposal or an instruction not to take it. Entries
        filed before the intent was kept have none, and every one of them was an order."""
        return (not self.intent or self.intent in ORDER_INTENTS) and not self.do_not_perform


# FHIR R4's MedicationRequest intents that are a prescription (plan, proposal, option and
# reflex-order are not: nothing was ordered to be dispensed).
ORDER_INTENTS = frozenset({"order", "original-order", "filler-order", "instance-order"})


@dataclass(frozen=True)
class Controlled:
    """The portal's list of common controlled substances (refills/controlled.py reads it)."""

    by_rxcui: dict[str, str]  # RxNorm ingredient code -> schedule
    by_name: dict[str, str]  # ingredient or brand name, lower case -> schedule

    def schedule(self, medication: Medication) -> str:
        """The strictest schedule the list gives the medication, by code or by a listed name as a
        whole word of its name ("hydromorphone" is not read as "morphine")."""
        found = [self.by_rxcui[code] for code in medication.rxnorm if code in self.by_rxcui]
        words = set(re.findall(r"[a-z]+", medication.name.lower()))
        found += [schedule for name, schedule in self.by_name.items() if name in words]
        return min(found, key=SCHEDULES.index) if found else ""


def _strictest(found: list[str]) -> str:
    """The strictest of some schedules; a known one beats an unknown mark (it says more)."""
    known = [s for s in found if s in SCHEDULES]
    if known:
        return min(known, key=SCHEDULES.index)
    return UNKNOWN_SCHEDULE if found else ""


@dataclass(frozen=True)
class Eligibility:
    can_request: bool
    reason: Reason | None = None
    schedule: str = ""  # "II" ... "V" when it is a controlled substance
    pending_request_id: str = ""


def schedule_of_medication(medication: Medication, controlled: Controlled) -> str:
    """The sender's mark, else the portal's list: either makes it a controlled substance; the
    stricter wins when both say."""
    return _strictest([s for s in (medication.schedule, controlled.schedule(medication)) if s])


def eligibility(
    medication: Medication,
    controlled: Controlled,
    today: date,
    pending_request_id: str = "",
    *,
    identified: bool = True,
) -> Eligibility:
    """Whether a refill of ``medication`` may be requested online on ``today`` (the organization's
    date), and when not the first reason why. ``identified``: whether the patient can be named to
    the clinical systems (an MRN under the organization's authority); a request they cannot tie
    to a chart is refused rather than kept where no one could act on it. A medication a request
    already waits for says so last: the other reasons say what the patient can do (call), this
    one only that they wait. ``schedule`` is "" for an unknown mark (the contract's null)."""
    schedule = schedule_of_medication(medication, controlled)
    shown_schedule = "" if schedule == UNKNOWN_SCHEDULE else schedule

    def no(reason: Reason) -> Eligibility:
        return Eligibility(False, reason, shown_schedule, pending_request_id)

    if medication.reported_by_patient:
        return no(Reason.REPORTED_BY_PATIENT)
    if not medication.prescribed:
        return no(Reason.NOT_A_PRESCRIPTION)
    if not medication.active:
        return no(Reason.NOT_ACTIVE)
    if schedule:
        return no(Reason.CONTROLLED_SUBSTANCE)
    if medication.not_refillable_online:
        return no(Reason.NOT_REFILLABLE_ONLINE)
    if expired(medication, today):
        return no(Reason.EXPIRED)
    if medication.refills_allowed == 0:
        return no(Reason.NO_REFILLS)
    if not identified:
        return no(Reason.PATIENT_NOT_IDENTIFIED)
    if pending_request_id:
        return no(Reason.REQUEST_PENDING)
    return Eligibility(True, None, shown_schedule, "")


def expired(medication: Medication, today: date) -> bool:
    """Past the last day of its validity period (a prescription is good through that day)."""
    try:
        return bool(medication.expires_on) and date.fromisoformat(medication.expires_on) < today
    except ValueError:
        return False  # (entries keep only a valid date: interop.fhir.entries)


def explanation(reason: Reason, schedule: str = "") -> str:
    """The refusal of a request, in plain words (the 409's message; the page says the same from
    the reason's code)."""
    if reason is Reason.CONTROLLED_SUBSTANCE and not schedule:
        return (
            "This medication is a controlled substance; refills cannot be requested online. Please call your care team."
        )
    if reason is Reason.CONTROLLED_SUBSTANCE:
        return (
            f"This medication is a controlled substance (Schedule {schedule}); refills cannot be requested "
            "online. Please call your care team."
        )
    return _EXPLANATIONS[reason]


_EXPLANATIONS = {
    Reason.REPORTED_BY_PATIENT: "This is a medication you told us you take, not a prescription from your care team; "
    "ask the prescriber who gave it to you for a refill.",
    Reason.NOT_ACTIVE: "This prescription is no longer active; refills cannot be requested for it. "
    "Please call your care team if you still need it.",
    Reason.NOT_REFILLABLE_ONLINE: "Your prescriber has asked that refills of this medication are not requested "
    "online. Please call your care team.",
    Reason.EXPIRED: "This prescription has expired; refills cannot be requested for it. "
    "Please call your care team or book a visit for a new prescription.",
    Reason.NO_REFILLS: "This prescription has no refills left. "
    "Please call your care team or book a visit for a new prescription.",
    Reason.NOT_A_PRESCRIPTION: "This is not a prescription to refill: your care team recorded it as a plan, a "
    "suggestion or an instruction not to take it. Please call your care team if you have questions.",
    Reason.PATIENT_NOT_IDENTIFIED: "Your care team's systems cannot yet match your portal account to your chart, "
    "so refills cannot be requested online. Please call your care team.",
    Reason.REQUEST_PENDING: "A refill request for this medication is already waiting for your care team.",
}


PENDING = _EXPLANATIONS[Reason.REQUEST_PENDING]
DECIDED = "This refill request has been decided already."


@dataclass(frozen=True)
class Pharmacy:
    name: str
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class MedicationDetail:
    dosage: tuple[str, ...] = ()
    prescriber: str = ""
    refills_allowed: int | None = None
    expires_on: str = ""


@dataclass(frozen=True)
class RefillRequest:
    request_id: str
    patient_id: str
    organization_id: str
    medication_id: str
    medication_name: str  # as the medication was named when it was requested
    pharmacy: Pharmacy
    note: str
    status: Status
    requested_at: datetime
    requested_by: str  # the account that asked (the patient, or someone acting for them)
    decided_at: datetime | None = None
    decided_by: str = ""  # the staff account
    decided_by_name: str = ""  # its display name when it decided
    decision_reason: str = ""
    # The patient as the clinical systems knew them when they asked (the MRN's authority and
    # value): the decision's Task names them so even if the MRN has since changed or gone.
    subject_system: str = ""
    subject_value: str = ""
    # What staff see beside the request, as it was when asked: the queue shows a page of
    # requests from these alone, without reading each patient and medication again.
    patient_name: str = ""
    patient_birth_date: str = ""
    detail: MedicationDetail | None = None
    acted_by: ActedBy | None = None  # asked by someone acting for the patient (requested_by is their account)

    @property
    def waiting(self) -> bool:
        return self.status is Status.REQUESTED
