"""What the medications and refills routes take and give (see kernel/contract.py).

A medication's ``refill.reason`` is a code the page puts in words; the 409 of a refused request
carries the same code as its detail's ``issue`` and the explanation in plain words.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints

from chalicelib.access.acting_contract import ActingPerson
from chalicelib.kernel.contract import QueryModel, RecordId, RequestModel, ResponseModel, WholeNumber, blank_is_absent

MAX_PHARMACY_NAME = 200
MAX_PHARMACY_PHONE = 40
MAX_PHARMACY_ADDRESS = 300
MAX_NOTE = 1000
MAX_REASON = 500

RefillStatus = Literal["requested", "approved", "denied"]
Decision = Literal["approved", "denied"]
Schedule = Literal["II", "III", "IV", "V"]
# Why a medication cannot be refilled online (refills.domain.Ineligible says each in words).
RefillReason = Literal[
    "controlled_substance",
    "expired",
    "no_refills",
    "not_refillable_online",
    "not_active",
    "reported_by_patient",
    "not_a_prescription",
    "patient_not_identified",
    "request_pending",
]


def _text(value: str) -> str:
    """Text staff read: no control, format or surrogate characters (they could hide or reorder
    what is shown); line breaks and tabs as typed."""
    for character in value:
        if character not in "\n\r\t" and unicodedata.category(character) in ("Cc", "Cf", "Cs"):
            raise ValueError("must not contain control or invisible characters")
    return value


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise ValueError("must be one line")
    return value


def _required(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


PharmacyName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_PHARMACY_NAME),
    AfterValidator(_text),
    AfterValidator(_one_line),
    AfterValidator(_required),
]
# Digits with the punctuation people write, and an optional extension (as care teams' phones).
PharmacyPhone = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=MAX_PHARMACY_PHONE,
        pattern=r"^\+?[0-9 ().-]{3,25}( ?([Ee][Xx][Tt]\.?|[Xx]) ?[0-9]{1,6})?$",
    ),
]
PharmacyAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_PHARMACY_ADDRESS), AfterValidator(_text)
]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_NOTE), AfterValidator(_text)]
Reason = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_REASON),
    AfterValidator(_text),
    AfterValidator(_required),
]


# -- the medication list --------------------------------------------------------------------------


class RefillEligibility(ResponseModel):
    can_request: bool = Field(description="Whether a refill may be requested online now.")
    reason: RefillReason | None = Field(
        description="Why not (null when it may): controlled_substance, expired (past the prescription's "
        "validity period), no_refills, not_refillable_online (the prescriber's mark), not_active, "
        "reported_by_patient (a medication the patient reported taking, not a prescription here), "
        "request_pending (a request waits for staff)."
    )
    schedule: Schedule | None = Field(description="The controlled substance schedule, when it is one.")
    pending_request_id: str | None = Field(description="The request that waits for staff, if any.")


class PatientMedication(ResponseModel):
    medication_id: str = Field(description="The record entry's id (the health summary's medication id).")
    name: str
    dosage: list[str]
    prescriber: str = Field(description='Who prescribed it, as the sender named them ("" when not sent).')
    authored_on: str = Field(description='When it was prescribed, as sent (a date or a time; "" when not sent).')
    status: str = Field(description="As the sender gave it: active, on-hold, stopped, completed, ...")
    refills_allowed: int | None = Field(description="Refills the prescription allows, when the sender said.")
    expires_on: str | None = Field(description="The last day of the prescription's validity period (YYYY-MM-DD).")
    refill: RefillEligibility


class PatientMedications(ResponseModel):
    medications: list[PatientMedication] = Field(description="Active ones first, then the rest; by name in each.")


# -- refill requests ------------------------------------------------------------------------------


class Pharmacy(RequestModel):
    name: PharmacyName = Field(description=f"The pharmacy (1 to {MAX_PHARMACY_NAME} characters).")
    phone: Annotated[PharmacyPhone | None, BeforeValidator(blank_is_absent)] = Field(
        None, description=f"Its phone number (at most {MAX_PHARMACY_PHONE} characters)."
    )
    address: Annotated[PharmacyAddress | None, BeforeValidator(blank_is_absent)] = Field(
        None, description=f"Its address (at most {MAX_PHARMACY_ADDRESS} characters)."
    )


class NewRefillRequest(RequestModel):
    """A refill of one of the patient's medications, to be sent to a pharmacy."""

    medication_id: RecordId = Field(description="A medication_id of GET /v1/patients/{patient_id}/medications.")
    pharmacy: Pharmacy
    note: Note = Field("", description=f"Anything the care team should know (at most {MAX_NOTE} characters).")


class ShownPharmacy(ResponseModel):
    name: str
    phone: str | None
    address: str | None


class RequestedMedication(ResponseModel):
    medication_id: str
    name: str


class RefillRequest(ResponseModel):
    request_id: str
    medication: RequestedMedication
    pharmacy: ShownPharmacy
    note: str
    status: RefillStatus
    requested_at: str
    decided_at: str | None
    decision_reason: str | None = Field(description="Why it was denied (null otherwise).")
    requested_by: ActingPerson | None = Field(
        description="Who asked, when someone acting for the patient under a proxy grant did; null when the patient did."
    )


class RefillRequestPage(ResponseModel):
    refill_requests: list[RefillRequest] = Field(description="Newest first.")
    next_cursor: str | None = Field(description="null on the last page.")


class RefillRequestsQuery(QueryModel):
    limit: Annotated[WholeNumber, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, StringConstraints(max_length=1024)] = ""


# -- the staff queue ------------------------------------------------------------------------------


class RefillPatient(ResponseModel):
    patient_id: str
    name: str
    birth_date: str = Field(description='YYYY-MM-DD ("" when the record has none).')


class MedicationDetail(ResponseModel):
    dosage: list[str]
    prescriber: str
    refills_allowed: int | None
    expires_on: str | None


class StaffRefillRequest(RefillRequest):
    patient: RefillPatient
    decided_by: str | None = Field(description="The display name of who decided, once decided.")
    medication_detail: MedicationDetail


class StaffRefillRequestPage(ResponseModel):
    refill_requests: list[StaffRefillRequest] = Field(
        description="Waiting ones oldest first (the longest waiting on top); decided ones newest decided first."
    )
    next_cursor: str | None = Field(description="null on the last page.")


class StaffRefillQueueQuery(QueryModel):
    status: RefillStatus = "requested"
    limit: Annotated[WholeNumber, Field(ge=1, le=100)] = 25
    cursor: Annotated[str, StringConstraints(max_length=1024)] = ""


class RefillDecision(RequestModel):
    """Approve or deny. A denial gives its reason, which the patient reads in the portal; an
    approval has none (the patient reads "approved" alone, and staff say more by phone)."""

    decision: Decision
    reason: Annotated[Reason | None, BeforeValidator(blank_is_absent)] = Field(
        None, description=f"Required when denied (1 to {MAX_REASON} characters); refused when approved."
    )
