"""What became of each email the portal asked for: its delivery record, keyed by the request's
notification id. Queued when the request is put on the queue, sent once SES accepted it, failed
(with a reason in words that hold no PHI) after a refused attempt or once it waits on the
dead-letter queue; a later success makes it sent. Staff see an invitation's record next to it, so
an email that never arrived is not taken for a patient who did not answer.

Writing a record is never on the email's success path: a record that cannot be written is logged
and skipped (``note``), so a store outage neither fails a request nor sends an email twice."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.errors import DependencyUnavailable
from chalicelib.observability import logger

# The notifications queue's maxReceiveCount (infra/template.yaml; a test checks they agree): the
# receive that reaches it is the last before SQS moves the request to the dead-letter queue.
NOTIFICATIONS_MAX_RECEIVES = 5


class DeliveryState(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"
    NOT_EMAILED = "not_emailed"  # an account's notice kept in its inbox only (preference off, no address)


class FailureReason(enum.StrEnum):
    MAIL_REFUSED = "mail_refused"  # the mail service refused it; it is tried again
    NOT_SENT = "not_sent"  # something else failed on the way; it is tried again
    DEAD_LETTER = "dead_letter"  # out of tries: it waits on the dead-letter queue for an operator's redrive


@dataclass(frozen=True)
class DeliveryRecord:
    notification_id: str
    template: str
    state: DeliveryState
    updated_at: datetime
    reason: FailureReason | None = None
    sent_at: datetime | None = None
    failed_attempts: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "reason": self.reason.value if self.reason else None,
            "updated_at": self.updated_at.isoformat().replace("+00:00", "Z"),
            "sent_at": self.sent_at.isoformat().replace("+00:00", "Z") if self.sent_at else None,
            "failed_attempts": self.failed_attempts,
        }


class Deliveries(Protocol):
    def queued(self, notification_id: str, template: str, at: datetime) -> None:
        """A new record, queued; nothing if the id has one already (a request folded into one sent)."""
        ...

    def sent(self, notification_id: str, template: str, at: datetime, *, emailed: bool) -> None:
        """Sent (or, without ``emailed``, kept in the account's inbox only), whatever it was before."""
        ...

    def failed(self, notification_id: str, template: str, reason: FailureReason, at: datetime) -> None:
        """Failed with ``reason``, one more failed attempt; never over a record already sent."""
        ...

    def many(self, notification_ids: Iterable[str]) -> dict[str, DeliveryRecord]:
        """The records of these ids that exist."""
        ...


def note(write: Callable[[], None], notification_id: str, state: str) -> None:
    """Run one record write, logging instead of raising when the store is unavailable: the email
    it describes has been queued, sent or refused already, and that stands."""
    try:
        write()
    except DependencyUnavailable:
        logger.warning(
            "delivery record not written", extra={"notification_id": notification_id, "delivery_state": state}
        )
