"""What the feed routes take and give (see kernel/contract.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.kernel.contract import QueryModel, RequestModel, ResponseModel, WholeNumber

# As a patient identifier's authority: a namespace, an OID or a FHIR system URL.
Authority = Annotated[str, StringConstraints(max_length=64, pattern=r"^[A-Za-z0-9 ._:/-]{1,64}$")]


class QuarantinePageQuery(QueryModel):
    limit: WholeNumber = Field(20, ge=1, le=50, description="How many messages at most.")
    cursor: str = Field("", max_length=2048, description="The `next_cursor` of the previous page.")


class QuarantinedMessage(ResponseModel):
    """A quarantined message's metadata: the body stays archived and is never shown."""

    id: str
    sender: str | None
    control_id: str | None
    message_type: str | None
    format: Literal["hl7v2", "fhir", "unknown"]
    reason: str = Field(description="Which field or rule refused it; never a value of the message.")
    received_at: datetime
    replayable: bool = Field(
        description="False for a message whose sender could not even be read, and for the part of a "
        "batch Bundle left out while the rest of it was filed (the sender sends that part again)."
    )


class QuarantinePage(ResponseModel):
    messages: list[QuarantinedMessage]
    next_cursor: str | None


class QuarantineOutcome(ResponseModel):
    id: str
    status: Literal["replayed", "dismissed"]


class FeedSourceChange(RequestModel):
    default_authority: Authority | None = Field(
        None, description="The assigning authority of the sender's bare identifiers; null for none."
    )
    files_test_messages: bool = Field(
        False,
        description="File the sender's training (MSH-11 T), debugging (D) and HTEST-tagged messages "
        "instead of quarantining them. Refused in production, where they are never filed.",
    )


class FeedSource(ResponseModel):
    source_id: str = Field(description="The sender, base64url-encoded without padding: its name in paths.")
    sender: str
    default_authority: str | None
    files_test_messages: bool = Field(description="Whether its test messages are filed (never in production).")


class FeedSources(ResponseModel):
    feed_sources: list[FeedSource]
