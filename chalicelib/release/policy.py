"""When a result may be shown: the release policy, staff holds and early releases.

Immediate by default, as the 21st Century Cures Act expects. An organization may delay a
category (pathology up to 96 hours ...) or a test code; a code's own delay wins over its
category's. A delayed result is stored with its ``release_at``, and every read filters on it, so
nothing is shown early and nothing is lost if the timer that announces the release fails; the
timer (a Step Functions execution) only sends the "something waiting" email at that moment.
Staff may hold a result (with an exception reason code) or release it early.

Every delay of a policy names the information-blocking exception it relies on (45 CFR 171,
EXCEPTIONS): withholding a result is interference unless an exception covers it, and a blanket
delay "for clinician review" is not one. A policy stored before exceptions were recorded is read
with none named (``exception`` null) and keeps applying until an admin saves it again, naming one.

A critical value is never delayed by the policy: the care team calls at once (a worklist item)
and the result is released like any other. The patient's own choice to wait (for a clinician's
review, or for some days) still holds for it: waiting is their right, not the organization's.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from chalicelib.errors import ValidationFailed
from chalicelib.records.domain import DOCUMENT_TYPES, Category, ResultReport

MAX_DELAY_SECONDS = 30 * 24 * 3600
HELD_UNTIL = datetime(9999, 1, 1, tzinfo=timezone.utc)  # a hold has no end until staff release it
_CATEGORIES = "|".join(c.value for c in Category)
_DOCUMENT_TYPES = "|".join(DOCUMENT_TYPES)
_KEY = re.compile(
    rf"(category:({_CATEGORIES})|document:({_DOCUMENT_TYPES})|code:[A-Za-z0-9._:/-]{{1,100}}\|[A-Za-z0-9._-]{{1,100}})"
)
HOLD_REASONS = ("clinician_review", "patient_request", "legal_hold", "harm_exception", "other")
# The information-blocking exceptions an organization-wide delay may rest on (45 CFR 171.201 to
# 171.205). A patient's own request to wait is not the organization's to make (it is the patient's
# release preference), and the manner exception (171.301) is about how access is given, not when.
EXCEPTIONS = ("preventing_harm", "privacy", "security", "infeasibility", "health_it_performance")
# A patient who chose to wait for the clinician's review sees the result when staff release it,
# or after this long at most: a review that never happens must not keep a result from them.
REVIEW_WAIT_LIMIT = timedelta(days=7)
REVIEW_WAIT = "patient_waits_for_review"  # the held_reason of such a result
# A patient may choose to see a category's results some days after they are filed.
MAX_WAIT_DAYS = 30
DAYS_WAIT = "patient_waits_days"  # the held_reason of such a result
# What the patient's "on its way" list shows of an item held for a legal or harm reason (whose
# reason is itself sensitive): that something is being reviewed (the default), or nothing at all.
SAY_BEING_REVIEWED = "say_being_reviewed"
SHOW_NOTHING = "show_nothing"
HELD_ITEMS = (SAY_BEING_REVIEWED, SHOW_NOTHING)
# The held_reason of a result the policy delays: "policy:<exception>" ("policy:" when the stored
# policy named none), so that staff see what the delay rests on.
POLICY_DELAY = "policy:"


def policy_exception(held_reason: str) -> str | None:
    """The exception a policy delay of this result rests on ("" when it named none), or None
    when the policy did not delay it."""
    return held_reason.removeprefix(POLICY_DELAY) if held_reason.startswith(POLICY_DELAY) else None


@dataclass(frozen=True)
class ReleasePolicy:
    delays: dict[str, int]  # "category:pathology" or "code:<system>|<code>" -> seconds
    exceptions: dict[str, str] = field(default_factory=dict)  # the same keys -> EXCEPTIONS (absent: none named)
    held_items: str = SAY_BEING_REVIEWED  # HELD_ITEMS: what the patient sees of a legal or harm hold

    @classmethod
    def from_json(cls, value: Any) -> ReleasePolicy:
        """A stored policy or a request's. A delay is {"seconds", "exception"}; a bare number of
        seconds (the form before exceptions were recorded) is read as a delay naming none."""
        if value is None:
            return cls({})
        if (
            not isinstance(value, dict)
            or not {"delays"} <= set(value) <= {"delays", "held_items"}
            or not isinstance(value["delays"], dict)
        ):
            raise ValidationFailed(
                'A release policy is {"delays": {"category:<category>" or "code:<system>|<code>": '
                '{"seconds": seconds, "exception": code}}, "held_items": "say_being_reviewed" or "show_nothing"}.',
                [{"field": "delays"}],
            )
        # (a policy stored before the choice existed says that something is being reviewed)
        held_items = value.get("held_items", SAY_BEING_REVIEWED)
        if held_items not in HELD_ITEMS:
            raise ValidationFailed(
                "The release policy is not valid.",
                [{"field": "held_items", "issue": "one of say_being_reviewed, show_nothing"}],
            )
        problems = []
        delays: dict[str, int] = {}
        exceptions: dict[str, str] = {}
        for key, delay in value["delays"].items():
            seconds, exception = (
                (delay.get("seconds"), delay.get("exception")) if isinstance(delay, dict) else (delay, None)
            )
            if not isinstance(key, str) or not _KEY.fullmatch(key):
                problems.append(
                    {
                        "field": "delays",
                        "issue": "keys are category:<lab|pathology|imaging|other>, "
                        "document:<type> or code:<system>|<code>",
                    }
                )
            elif not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_DELAY_SECONDS:
                problems.append(
                    {"field": f"delays.{key}.seconds", "issue": f"a delay is 0 to {MAX_DELAY_SECONDS} seconds"}
                )
            elif exception is not None and exception not in EXCEPTIONS:
                problems.append({"field": f"delays.{key}.exception", "issue": f"one of {', '.join(EXCEPTIONS)}"})
            else:
                delays[key] = seconds
                if exception:
                    exceptions[key] = exception
        if problems or len(value["delays"]) > 200:
            raise ValidationFailed("The release policy is not valid.", problems or [{"field": "delays"}])
        return cls(delays, exceptions, held_items)

    def unexplained(self) -> list[str]:
        """The keys of delays that name no exception (a delay of 0 is no delay)."""
        return [key for key, seconds in self.delays.items() if seconds and key not in self.exceptions]

    def as_json(self) -> dict[str, Any]:
        return {
            "delays": {
                key: {"seconds": seconds, "exception": self.exceptions.get(key)} for key, seconds in self.delays.items()
            },
            "held_items": self.held_items,
        }

    def _rule_for(self, report: ResultReport) -> str:
        for code in (report.code, *(o.code for o in report.observations)):
            if code.code and f"code:{code.system}|{code.code}" in self.delays:
                return f"code:{code.system}|{code.code}"
        return f"category:{report.category.value}"

    def delay_for(self, report: ResultReport) -> int:
        return self.delays.get(self._rule_for(report), 0)

    def release_at(self, report: ResultReport, filed_at: datetime) -> datetime:
        return filed_at + timedelta(seconds=self.delay_for(report))

    def release_for(
        self,
        report: ResultReport,
        filed_at: datetime,
        wait_for_review: tuple[str, ...],
        wait_days: Mapping[str, int] | None = None,
    ) -> tuple[datetime, str]:
        """When a new result is shown, and why it waits (a held_reason, or ""): the policy's delay
        (none for a critical value), or the patient's own wait if they chose one for this category
        and it is longer: for a clinician's review (REVIEW_WAIT_LIMIT at most) or for some days."""
        rule = self._rule_for(report)
        delay = 0 if report.critical else self.delays.get(rule, 0)
        at, reason = (
            filed_at + timedelta(seconds=delay),
            (POLICY_DELAY + self.exceptions.get(rule, "")) if delay else "",
        )
        category = report.category.value
        if category in wait_for_review and at < filed_at + REVIEW_WAIT_LIMIT:
            return filed_at + REVIEW_WAIT_LIMIT, REVIEW_WAIT
        days = (wait_days or {}).get(category, 0)
        if days and at < filed_at + timedelta(days=days):
            return filed_at + timedelta(days=days), DAYS_WAIT
        return at, reason

    def _document_rule(self, report: ResultReport, document_type: str) -> str:
        code = report.code
        if code.code and f"code:{code.system}|{code.code}" in self.delays:
            return f"code:{code.system}|{code.code}"
        return f"document:{document_type}"

    def release_at_document(self, report: ResultReport, document_type: str, filed_at: datetime) -> datetime:
        """A document waits as its code says, else as its type ("document:discharge-summary")."""
        return filed_at + timedelta(seconds=self.delays.get(self._document_rule(report, document_type), 0))

    def document_reason(self, report: ResultReport, document_type: str) -> str:
        """The held_reason of a new document the policy delays ("" when it does not)."""
        rule = self._document_rule(report, document_type)
        return POLICY_DELAY + self.exceptions.get(rule, "") if self.delays.get(rule) else ""
