"""What the SMART Health Links routes take and give (see kernel/contract.py).

The patient's side is the portal's JSON; the public manifest request and its answer are the HL7
SMART Health Links spec's (camelCase names: ``embeddedLengthMax``, ``remainingAttempts``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from chalicelib.apps.health_links.domain import DEFAULT_DAYS, MAX_DAYS, MAX_LABEL
from chalicelib.kernel.contract import ErrorInfo, RequestModel, ResponseModel

LinkStatusName = Literal["active", "expired", "revoked", "locked", "access_ended"]
UseOutcomeName = Literal["opened", "wrong_passcode", "locked"]

# A passcode the patient tells the person they share with: 6 to 40 characters, any of them.
Passcode = Annotated[str, StringConstraints(min_length=6, max_length=40)]


class NewHealthLink(RequestModel):
    label: Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_LABEL)] = Field(
        "", description='A few words the person opening the link sees ("For Dr Rivera"). No health details.'
    )
    expires_in_days: int = Field(DEFAULT_DAYS, ge=1, le=MAX_DAYS, description="Days the link works.")
    passcode: Passcode | None = Field(
        None, description="Asked of whoever opens the link (tell it to them apart from the link)."
    )


class HealthLinkView(ResponseModel):
    link_id: str
    label: str
    created_at: datetime
    expires_at: datetime
    passcode: bool = Field(description="Whether opening the link asks for a passcode.")
    status: LinkStatusName = Field(
        description="access_ended: a proxy made it and their access (or its health summary) has since ended."
    )
    made_by: Literal["you", "patient", "proxy"] = Field(
        description="Who made it: the caller, the patient, or someone acting for the patient."
    )
    use_count: int = Field(
        description="How many times it was opened (wrong passcodes are listed in its uses, not counted)."
    )
    last_used_at: datetime | None
    revoked_at: datetime | None = Field(description="When it was stopped; null while it was not.")
    remaining_attempts: int = Field(description="Wrong passcodes left before the link locks.")


class SharedHealthLink(HealthLinkView):
    """A link with what shows and carries it: only while it works."""

    shlink: str = Field(description="`shlink:/` and the payload: what a SMART Health Links app opens.")
    viewer_url: str = Field(description="The portal's viewer page with the link in its fragment.")
    qr_svg: str = Field(description="A QR code of `viewer_url`, as an SVG document.")


class HealthLinks(ResponseModel):
    links: list[HealthLinkView]


class LinkUseView(ResponseModel):
    at: datetime
    recipient: str = Field(description="Who the person opening it said they were (not checked).")
    outcome: UseOutcomeName


class LinkUses(ResponseModel):
    uses: list[LinkUseView] = Field(description="The newest uses first (the last 100).")
    use_count: int


class ManifestRequest(RequestModel):
    recipient: Annotated[str, StringConstraints(min_length=1, max_length=500)] = Field(
        description="Who is opening the link, as they say (a name, a clinic); kept on the link."
    )
    passcode: Annotated[str, StringConstraints(max_length=100)] | None = None
    embeddedLengthMax: int | None = Field(  # noqa: N815 (the spec's name)
        None, ge=0, le=10_000_000, description="Embed a file no longer than this, instead of its location."
    )


class ManifestFile(ResponseModel):
    contentType: Literal["application/fhir+json"]  # noqa: N815
    location: str | None = Field(None, description="A link to the encrypted file, for one minute.")
    embedded: str | None = Field(None, description="The encrypted file itself (a compact JWE).")


class Manifest(ResponseModel):
    status: Literal["finalized"] = "finalized"
    files: list[ManifestFile]


class WrongPasscode(ResponseModel):
    """The spec's answer to a wrong passcode, in the portal's error shape too."""

    error: ErrorInfo
    remainingAttempts: int  # noqa: N815
