"""What the notification inbox routes take and give (see kernel/contract.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from chalicelib.kernel.contract import QueryModel, ResponseModel, WholeNumber


class InboxPageQuery(QueryModel):
    limit: WholeNumber = Field(20, ge=1, le=50, description="How many notifications at most.")
    cursor: str = Field("", max_length=2048, description="The `next_cursor` of the previous page.")


class Notification(ResponseModel):
    notification_id: str
    template: str = Field(description="What kind of notice it is (something_waiting, ...).")
    title: str = Field(description="A fixed sentence; never holds PHI.")
    created_at: datetime
    read_at: datetime | None


class NotificationPage(ResponseModel):
    notifications: list[Notification]
    unread_count: int = Field(description="Unread notifications on this page.")
    next_cursor: str | None


class MarkedAllRead(ResponseModel):
    marked: int
    unread_left: bool = Field(description="True when more remain unread: call again.")


class EmailDelivery(ResponseModel):
    """What became of an email the portal queued (never its address or content)."""

    state: Literal["queued", "sent", "failed", "not_emailed"] = Field(
        description="queued: waiting to be sent; sent: the mail service accepted it; failed: see `reason` "
        "(a later success makes it sent); not_emailed: kept in the account's portal inbox only."
    )
    reason: Literal["mail_refused", "not_sent", "dead_letter"] | None = Field(
        description="While failed: mail_refused (the mail service refused it; it is tried again), not_sent "
        "(another fault; tried again), dead_letter (out of tries: it waits on the dead-letter queue until an "
        "operator redrives it). Null otherwise."
    )
    updated_at: datetime
    sent_at: datetime | None = Field(description="When the mail service first accepted it.")
    failed_attempts: int = Field(description="Attempts that failed so far.")


class PatientEmail(EmailDelivery):
    """One email the portal asked for about a patient or their portal account, as staff see it."""

    kind: str = Field(
        description="What it was, as its template: invitation, something_waiting (new results or documents), "
        "care_team_will_call, proxy_new_item (to someone acting for the patient), sign_in_code, sign_in_unlock, password_reset, username_reminder, "
        "email_verification, contact_email_confirmation, password_changed, email_changed, account_locked, "
        "second_factor_changed, portal_access_suspended, portal_access_ended, account_ready."
    )
    asked_at: datetime = Field(description="When it was queued (a delayed result's notice: its release moment).")
    next_step: Literal["send_again", "seen_in_portal", "patient_asks_again", "enter_address_again", "none"] | None = (
        Field(
            description="While failed, what staff can do: send_again (an invitation: send a new one), "
            "seen_in_portal (a notice: the patient still sees what waits when they sign in), patient_asks_again "
            "(a code or link the patient asked for), enter_address_again (a confirmation of the record's new "
            "address: enter it again), none (a notice of a change; nothing to send again). Null otherwise."
        )
    )
    invitation_id: str | None = Field(
        description="An invitation's email: the invitation it carried (POST /v1/staff/invitations/{id}/resend "
        "sends it again). Null for other kinds."
    )


class PatientEmails(ResponseModel):
    emails: list[PatientEmail] = Field(
        description="Newest first: the latest 20 of the last 30 days (delivery records are kept 19 days)."
    )


class DeadLetterKind(ResponseModel):
    kind: str = Field(description="A notification's template (invitation, sign_in_code, ...).")
    count: int


class DeadLetterQueue(ResponseModel):
    queue: Literal["notifications", "inbound", "outbound"] = Field(
        description="Whose dead-letter queue (the acknowledgements' is listed by the operator's command only)."
    )
    waiting: int = Field(description="Messages on the queue's dead-letter queue (SQS's approximate count).")
    kinds: list[DeadLetterKind] = Field(description="notifications only: how many of each kind; empty otherwise.")


class DeadLetters(ResponseModel):
    queues: list[DeadLetterQueue]
    redrive_command: str = Field(description="What the operator runs, once the cause is fixed, to send them back.")
