"""What the local mailbox takes and gives (see kernel/contract.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from chalicelib.kernel.contract import QueryModel, ResponseModel, WholeNumber


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
