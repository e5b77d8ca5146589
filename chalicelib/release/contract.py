"""What the release routes take and give (see kernel/contract.py): what is on its way to a patient,
staff holds and early releases, the organization's release policy and the patient's own release
preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.kernel.contract import RequestModel, ResponseModel
from chalicelib.records.contract import DocumentFields, DocumentType, ResultCategory, ResultFields
from chalicelib.release.policy import MAX_DELAY_SECONDS

# release.policy.HOLD_REASONS (tests/unit/test_records_contract.py holds them together)
HoldReason = Literal["clinician_review", "patient_request", "legal_hold", "harm_exception", "other"]
# A result the patient chose to wait for a clinician's review of (release.policy.REVIEW_WAIT).
WaitReason = Literal["patient_waits_for_review"]
Kind = Literal["result", "document"]
DocumentCategory = Literal["document:discharge-summary", "document:visit-summary", "document:report", "document:note"]

MAX_POLICY_ENTRIES = 200


# -- what is on its way ---------------------------------------------------------------------------


class UpcomingItem(ResponseModel):
    """A result or document filed but not shown yet, without its values."""

    result_id: str = Field(description="The result's id, or the document's.")
    kind: Kind
    type: DocumentType | None = Field(description="A document's type; null for a result.")
    category: ResultCategory | DocumentCategory
    name: str | None
    release_at: datetime | None = Field(description="When it will be shown; null while staff hold it.")
    waiting_for_review: bool = Field(
        description="Held by staff, or waiting for a clinician's review the patient chose to wait for "
        "(then shown at release_at at the latest)."
    )


class Upcoming(ResponseModel):
    upcoming: list[UpcomingItem]


# -- staff: holds and early releases --------------------------------------------------------------


class _Release(ResponseModel):
    released_at: datetime | None = Field(description="When it is or was shown to the patient; null while held.")
    held: bool = Field(description="Held back by staff (or waiting for a review the patient asked for).")
    held_reason: HoldReason | WaitReason | None


class StaffResult(ResultFields, _Release):
    """A result as the patient would see it in a list, and where its release stands."""


class StaffDocument(DocumentFields, _Release):
    """A document as the patient would see it in a list, and where its release stands."""


class StaffResults(ResponseModel):
    results: list[StaffResult] = Field(description="Newest first, released or not (at most 50).")
    documents: list[StaffDocument] = Field(description="Newest first, released or not (at most 50).")


class HoldRequest(RequestModel):
    reason: HoldReason = Field(description="Why it is held back (an exception the Cures Act allows), as a code.")


class Held(ResponseModel):
    result_id: str
    kind: Kind
    held: Literal[True]
    held_reason: HoldReason


class Released(ResponseModel):
    result_id: str
    kind: Kind
    released_at: datetime


# -- the organization's release policy ------------------------------------------------------------

# A key's grammar (category:<category>, document:<type> or code:<system>|<code>) is the policy's
# own rule, checked with its explanation by release.policy; here only its length is bounded.
PolicyKey = Annotated[str, StringConstraints(min_length=1, max_length=210)]
DelaySeconds = Annotated[int, Field(ge=0, le=MAX_DELAY_SECONDS)]

_DELAYS = (
    "Seconds to wait before showing a result, by `category:<lab|pathology|imaging|other>`, "
    "`document:<discharge-summary|visit-summary|report|note>` or `code:<system>|<code>` (a code's "
    "own delay wins over its category's). Anything not named is shown at once; `{}` shows everything at once."
)


class ReleasePolicyChange(RequestModel):
    """The whole policy: it replaces the one before."""

    delays: dict[PolicyKey, DelaySeconds] = Field(max_length=MAX_POLICY_ENTRIES, description=_DELAYS)


class ReleasePolicy(ResponseModel):
    delays: dict[str, int] = Field(description=_DELAYS)


# -- the patient's release preferences ------------------------------------------------------------


class ReleasePreferencesChange(RequestModel):
    wait_for_review: list[ResultCategory] = Field(
        max_length=4, description="Categories whose new results wait for a clinician's review."
    )
    longest_wait_days: int | None = Field(
        None, description="Read-only: accepted so that a GET answer may be sent back as it is, and ignored."
    )


class ReleasePreferences(ResponseModel):
    wait_for_review: list[ResultCategory] = Field(
        description="Categories whose new results wait for a clinician's review (staff release them)."
    )
    longest_wait_days: int = Field(description="How long a result waits for that review at most.")
