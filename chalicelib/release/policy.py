"""When a result may be shown: the release policy, staff holds and early releases.

Immediate by default, as the 21st Century Cures Act expects. An organization may delay a
category (pathology up to 96 hours ...) or a test code; a code's own delay wins over its
category's. A delayed result is stored with its ``release_at``, and every read filters on it, so
nothing is shown early and nothing is lost if the timer that announces the release fails; the
timer (a Step Functions execution) only sends the "something waiting" email at that moment.
Staff may hold a result (with an exception reason code) or release it early.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
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
# A patient who chose to wait for the clinician's review sees the result when staff release it,
# or after this long at most: a review that never happens must not keep a result from them.
REVIEW_WAIT_LIMIT = timedelta(days=7)
REVIEW_WAIT = "patient_waits_for_review"  # the held_reason of such a result


@dataclass(frozen=True)
class ReleasePolicy:
    delays: dict[str, int]  # "category:pathology" or "code:<system>|<code>" -> seconds

    @classmethod
    def from_json(cls, value: Any) -> ReleasePolicy:
        if value is None:
            return cls({})
        if not isinstance(value, dict) or set(value) != {"delays"} or not isinstance(value["delays"], dict):
            raise ValidationFailed(
                'A release policy is {"delays": {"category:<category>" or "code:<system>|<code>": seconds}}.',
                [{"field": "delays"}],
            )
        problems = []
        for key, seconds in value["delays"].items():
            if not isinstance(key, str) or not _KEY.fullmatch(key):
                problems.append(
                    {
                        "field": "delays",
                        "issue": "keys are category:<lab|pathology|imaging|other>, "
                        "document:<type> or code:<system>|<code>",
                    }
                )
            elif not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_DELAY_SECONDS:
                problems.append({"field": "delays", "issue": f"a delay is 0 to {MAX_DELAY_SECONDS} seconds"})
        if problems or len(value["delays"]) > 200:
            raise ValidationFailed("The release policy is not valid.", problems or [{"field": "delays"}])
        return cls(dict(value["delays"]))

    def as_json(self) -> dict[str, Any]:
        return {"delays": dict(self.delays)}

    def delay_for(self, report: ResultReport) -> int:
        for code in (report.code, *(o.code for o in report.observations)):
            if code.code and f"code:{code.system}|{code.code}" in self.delays:
                return self.delays[f"code:{code.system}|{code.code}"]
        return self.delays.get(f"category:{report.category.value}", 0)

    def release_at(self, report: ResultReport, filed_at: datetime) -> datetime:
        return filed_at + timedelta(seconds=self.delay_for(report))

    def release_for(
        self, report: ResultReport, filed_at: datetime, wait_for_review: tuple[str, ...]
    ) -> tuple[datetime, str]:
        """When a new result is shown, and why it waits (a held_reason, or "") : the policy's
        delay, or the patient's own wait for a review if they chose it for this category and it
        is longer."""
        at = self.release_at(report, filed_at)
        if report.category.value in wait_for_review and at < filed_at + REVIEW_WAIT_LIMIT:
            return filed_at + REVIEW_WAIT_LIMIT, REVIEW_WAIT
        return at, ""

    def release_at_document(self, report: ResultReport, document_type: str, filed_at: datetime) -> datetime:
        """A document waits as its code says, else as its type ("document:discharge-summary")."""
        code = report.code
        delay = self.delays.get(f"code:{code.system}|{code.code}") if code.code else None
        if delay is None:
            delay = self.delays.get(f"document:{document_type}", 0)
        return filed_at + timedelta(seconds=delay)
