"""What the local mailbox takes and gives (see kernel/contract.py)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, Strict

from chalicelib.kernel.contract import QueryModel, RequestModel, ResponseModel, WholeNumber


class MailboxQuery(QueryModel):
    limit: WholeNumber = Field(20, ge=1, le=100, description="How many emails at most.")
    cursor: str = Field("", max_length=2048, description="The `next_cursor` of the previous page.")
    format: Literal["html", "json"] = Field("html", description="A page for people, or JSON for scripts and tests.")


class MailboxEmail(ResponseModel):
    message_id: str
    sender: str
    to: list[str]
    subject: str
    text: str
    links: list[str]


class MailboxPage(ResponseModel):
    emails: list[MailboxEmail] = Field(description="Newest first.")
    total: int = Field(description="Every email accepted so far.")
    next_cursor: str | None


class ClockMove(RequestModel):
    """Exactly one of ``advance_minutes`` and ``set``."""

    advance_minutes: WholeNumber | None = Field(
        None, ge=0, le=366 * 24 * 60, description="Move the clock this many minutes forward."
    )
    # (JSON carries a moment as text: parsed here, though request models take values as given)
    set: Annotated[AwareDatetime, Strict(False)] | None = Field(
        None, description="Move the clock to this moment (ISO 8601 with an offset; never backwards)."
    )


class ClockNow(ResponseModel):
    now: str = Field(description="What the local stack thinks is now (UTC, ISO 8601).")
