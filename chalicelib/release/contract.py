"""What the release routes take and give (see kernel/contract.py): what is on its way to a patient,
staff holds and early releases, the organization's release policy and the patient's own release
preferences."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.kernel.contract import RequestModel, ResponseModel
from chalicelib.records.contract import DocumentFields, DocumentType, ResultCategory, ResultFields
from chalicelib.release.policy import MAX_DELAY_SECONDS, MAX_WAIT_DAYS

# release.policy.HOLD_REASONS (tests/unit/test_records_contract.py holds them together)
HoldReason = Literal["clinician_review", "patient_request", "legal_hold", "harm_exception", "other"]
# A result the patient chose to wait for: a clinician's review of it (release.policy.REVIEW_WAIT),
# or some days (release.policy.DAYS_WAIT).
WaitReason = Literal["patient_waits_for_review", "patient_waits_days"]
# release.policy.EXCEPTIONS: the information-blocking exception (45 CFR 171) a policy delay rests on.
BlockingException = Literal["preventing_harm", "privacy", "security", "infeasibility", "health_it_performance"]
Kind = Literal["result", "document"]
DocumentCategory = Literal["document:discharge-summary", "document:visit-summary", "document:report", "document:note"]

MAX_POLICY_ENTRIES = 200


# -- what is on its way ---------------------------------------------------------------------------


class UpcomingItem(ResponseModel):
    """A result or document filed but not shown yet, without its values."""

    result_id: str = Field(description="The result's id, or the document's.")
    kind: Kind
    type: DocumentType | None = Field(description="A document's type; null for a result.")
    category: ResultCategory | DocumentCategory | None = Field(description="Null when `being_reviewed`.")
    name: str | None
    release_at: datetime | None = Field(description="When it will be shown; null while staff hold it.")
    waiting_for_review: bool = Field(
        description="Held by staff, or waiting for a clinician's review the patient chose to wait for "
        "(then shown at release_at at the latest)."
    )
    being_reviewed: bool = Field(
        False,
        description="Held by staff for a legal reason or to prevent harm: only that something is being "
        "reviewed is said (its name, type and category are null), never what.",
    )


class Upcoming(ResponseModel):
    upcoming: list[UpcomingItem]


# -- staff: holds and early releases --------------------------------------------------------------


class _Release(ResponseModel):
    released_at: datetime | None = Field(description="When it is or was shown to the patient; null while held.")
    held: bool = Field(description="Held back by staff (or waiting for a review the patient asked for).")
    held_reason: HoldReason | WaitReason | None
    delayed_by_policy: bool = Field(
        description="Delayed by the organization's release policy (then delay_exception says on what ground)."
    )
    delay_exception: BlockingException | None = Field(
        description="The information-blocking exception the policy delay rests on; null when none was "
        "named (a policy saved before exceptions were recorded) or when the policy did not delay it."
    )


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
    "How long to wait before showing a result, by `category:<lab|pathology|imaging|other>`, "
    "`document:<discharge-summary|visit-summary|report|note>` or `code:<system>|<code>` (a code's "
    "own delay wins over its category's). Anything not named is shown at once; `{}` shows everything at once. "
    "A critical result is never delayed by the policy."
)
_EXCEPTION = (
    "The information-blocking exception (45 CFR 171) the delay relies on: preventing_harm (171.201), "
    "privacy (171.202), security (171.203), infeasibility (171.204) or health_it_performance (171.205). "
    "Required for a delay of more than 0 seconds. A patient's own wish to wait is their release preference, "
    "never a policy."
)


class PolicyDelayChange(RequestModel):
    seconds: DelaySeconds
    exception: BlockingException | None = Field(None, description=_EXCEPTION)


class PolicyDelay(ResponseModel):
    seconds: int
    exception: BlockingException | None = Field(
        description=_EXCEPTION + " Null on a delay saved before exceptions were recorded: name one when saving."
    )


HeldItems = Literal["say_being_reviewed", "show_nothing"]
_HELD_ITEMS = (
    "What the patient's list of what is on its way shows of a result or document staff hold for a legal "
    "or harm reason (never its name, type or category): say_being_reviewed (the default) shows one line "
    'saying "something is being reviewed"; show_nothing leaves it out of the list and its count until it '
    "is released."
)


class ReleasePolicyChange(RequestModel):
    """The whole policy: it replaces the one before."""

    delays: dict[PolicyKey, PolicyDelayChange] = Field(max_length=MAX_POLICY_ENTRIES, description=_DELAYS)
    held_items: HeldItems = Field("say_being_reviewed", description=_HELD_ITEMS)


class ReleasePolicy(ResponseModel):
    delays: dict[str, PolicyDelay] = Field(description=_DELAYS)
    held_items: HeldItems = Field(description=_HELD_ITEMS)


# -- the patient's release preferences ------------------------------------------------------------


ReleaseWhen = Literal["at_once", "after_review", "after_days"]
WaitDays = Annotated[int, Field(ge=1, le=MAX_WAIT_DAYS)]


class ReleaseChoiceChange(RequestModel):
    category: ResultCategory
    release: ReleaseWhen = Field(
        description="at_once; after_review: when staff release it after a clinician's review, or after "
        "longest_wait_days at most; after_days: `days` days after it is filed."
    )
    days: WaitDays | None = Field(None, description="For after_days only: 1 to 30.")


class ReleaseChoice(ResponseModel):
    category: ResultCategory
    release: ReleaseWhen
    days: int | None = Field(description="The days of an after_days choice; null otherwise.")


class ReleasePreferencesChange(RequestModel):
    """Either ``choices`` (a category not named is shown at once) or, as before, ``wait_for_review``
    (the categories that wait for a review; the others keep an after_days choice, or are at once).
    Both may be sent (a GET answer sent back as it is) when they agree."""

    wait_for_review: list[ResultCategory] | None = Field(
        None, max_length=4, description="Categories whose new results wait for a clinician's review."
    )
    choices: list[ReleaseChoiceChange] | None = Field(
        None, max_length=10, description="When new results of each category are shown to the patient."
    )
    longest_wait_days: int | None = Field(
        None, description="Read-only: accepted so that a GET answer may be sent back as it is, and ignored."
    )
    most_days: int | None = Field(None, description="Read-only, and ignored (as longest_wait_days).")


class ReleasePreferences(ResponseModel):
    wait_for_review: list[ResultCategory] = Field(
        description="Categories whose new results wait for a clinician's review (staff release them)."
    )
    choices: list[ReleaseChoice] = Field(description="When new results of each category are shown, every category.")
    longest_wait_days: int = Field(description="How long a result waits for that review at most.")
    most_days: int = Field(description="The most days an after_days choice may wait.")
