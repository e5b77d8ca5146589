"""What became of each email the portal asked for: its delivery record, keyed by the request's
notification id. Queued when the request is put on the queue, sent once SES accepted it, failed
(with a reason in words that hold no PHI) after a refused attempt or once it waits on the
dead-letter queue; a later success makes it sent. Staff see an invitation's record next to it, so
an email that never arrived is not taken for a patient who did not answer, and every email about a
patient or their account on the patient's page (``about``: a record names whom it is about).

Writing a record is never on the email's success path: a record that cannot be written is logged
and skipped (``note``), so a store outage neither fails a request nor sends an email twice."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.errors import DependencyUnavailable
from chalicelib.kernel.clock import iso
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
    asked_at: datetime | None = None  # when it was first queued (unknown on records written before it was kept)

    def as_json(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "reason": self.reason.value if self.reason else None,
            "updated_at": self.updated_at.isoformat().replace("+00:00", "Z"),
            "sent_at": self.sent_at.isoformat().replace("+00:00", "Z") if self.sent_at else None,
            "failed_attempts": self.failed_attempts,
        }


def about_patient(patient_id: str) -> str:
    """Whom an email about a patient's record is about (an invitation, a results notice)."""
    return f"patient#{patient_id}"


def about_account(account_id: str) -> str:
    """Whom an email about a portal account is about (a sign-in code, a password reset)."""
    return f"account#{account_id}"


class Deliveries(Protocol):
    def queued(self, notification_id: str, template: str, at: datetime, about: str = "") -> None:
        """Queued, if the id has no state yet (a request folded into one sent keeps its state);
        names whom it is ``about`` (about_patient / about_account), so it is listed for them."""
        ...

    def queued_by_timer(self, notification_id: str, template: str, at: datetime, about: str) -> dict[str, object]:
        """What a timer writes when it puts this notice on the queue at ``at``: the same record as
        ``queued``, as one DynamoDB UpdateItem's table, key and values (the state machine's
        RecordQueued state); the update expression is the state machine's own."""
        ...

    def about(self, subject: str, since: datetime, limit: int) -> list[DeliveryRecord]:
        """The records about ``subject`` first queued since ``since``, newest first, at most ``limit``."""
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


class NextStep(enum.StrEnum):
    """What staff can do about an email that could not be sent, by what it was."""

    SEND_AGAIN = "send_again"  # an invitation: staff send a new one
    SEEN_IN_PORTAL = "seen_in_portal"  # a notice: the patient sees what waits when they sign in
    PATIENT_ASKS_AGAIN = "patient_asks_again"  # a code or link the patient asked for
    ENTER_ADDRESS_AGAIN = "enter_address_again"  # staff's change of the record's address
    NONE = "none"  # a notice of a change to the account: nothing to send again


_NEXT_STEPS = {
    "invitation": NextStep.SEND_AGAIN,
    "proxy_invitation": NextStep.SEND_AGAIN,
    "proxy_trusted_invitation": NextStep.NONE,  # the patient invites again from their sharing page
    "something_waiting": NextStep.SEEN_IN_PORTAL,
    "care_team_will_call": NextStep.SEEN_IN_PORTAL,
    "proxy_new_item": NextStep.SEEN_IN_PORTAL,
    "refill_request_decided": NextStep.SEEN_IN_PORTAL,
    "appointment_reminder": NextStep.SEEN_IN_PORTAL,
    "proxy_access_update": NextStep.SEEN_IN_PORTAL,
    "appointment_request_update": NextStep.SEEN_IN_PORTAL,
    "proxy_request_update": NextStep.SEEN_IN_PORTAL,
    "proxy_access_asked": NextStep.SEEN_IN_PORTAL,
    "record_export_ready": NextStep.SEEN_IN_PORTAL,
    "sign_in_code": NextStep.PATIENT_ASKS_AGAIN,
    "sign_in_unlock": NextStep.PATIENT_ASKS_AGAIN,
    "password_reset": NextStep.PATIENT_ASKS_AGAIN,
    "username_reminder": NextStep.PATIENT_ASKS_AGAIN,
    "email_verification": NextStep.PATIENT_ASKS_AGAIN,
    "contact_email_confirmation": NextStep.ENTER_ADDRESS_AGAIN,
}


def next_step(record: DeliveryRecord) -> NextStep | None:
    """Staff's next step for a record: only an email that could not be sent has one."""
    if record.state is not DeliveryState.FAILED:
        return None
    return _NEXT_STEPS.get(record.template, NextStep.NONE)


def staff_view(record: DeliveryRecord) -> dict[str, object]:
    """One email as staff see it on a patient's page: what kind, when, what became of it, and
    what they can do. No address, subject or body: the record holds none."""

    def moment(value: datetime | None) -> str | None:
        return iso(value) if value else None

    step = next_step(record)
    return {
        "kind": record.template,
        "asked_at": moment(record.asked_at or record.updated_at),
        "state": record.state.value,
        "reason": record.reason.value if record.reason else None,
        "sent_at": moment(record.sent_at),
        "updated_at": moment(record.updated_at),
        "failed_attempts": record.failed_attempts,
        "next_step": step.value if step else None,
        # (an invitation's email is queued as "invitation-<invitation id>": enrollment.invitation_email_id)
        "invitation_id": record.notification_id.removeprefix("invitation-")
        if record.template == "invitation"
        else None,
    }


def newest(records: Iterable[DeliveryRecord], limit: int) -> list[DeliveryRecord]:
    """Records of several subjects (a patient's and their account's), newest asked first."""
    return sorted(records, key=lambda r: (r.asked_at or r.updated_at, r.notification_id), reverse=True)[:limit]


def note(write: Callable[[], None], notification_id: str, state: str) -> None:
    """Run one record write, logging instead of raising when the store is unavailable: the email
    it describes has been queued, sent or refused already, and that stands."""
    try:
        write()
    except DependencyUnavailable:
        logger.warning(
            "delivery record not written", extra={"notification_id": notification_id, "delivery_state": state}
        )
