"""A SMART Health Link as the portal keeps it, and the rules on it. Pure code: no I/O.

The link's payload (what the QR code and the ``shlink:/`` text carry) is the HL7 SMART Health
Links payload: ``url`` (the manifest), ``key`` (32 random bytes, base64url: 43 characters),
``exp`` (seconds since the epoch), ``flag`` ("P": a passcode is asked) and ``label``.
"""

from __future__ import annotations

import base64
import enum
import json
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from chalicelib.kernel.clock import iso

DEFAULT_DAYS = 30
MAX_DAYS = 90
MAX_WRONG_PASSCODES = 10  # then the link is locked for good: a passcode is short, guessing must stop
MAX_LABEL = 80  # the payload's label: the spec's bound, and what a viewer shows
MAX_RECIPIENT = 100  # what the person opening the link says they are (not checked: it is a label)
MAX_USES_KEPT = 100  # the newest uses kept on the link; the audit trail keeps every one


class LinkStatus(enum.Enum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REVOKED = "revoked"
    LOCKED = "locked"  # too many wrong passcodes
    ACCESS_ENDED = "access_ended"  # made by a proxy whose grant is no longer in force


class UseOutcome(enum.Enum):
    OPENED = "opened"  # the manifest was answered (with the file's location or the file)
    WRONG_PASSCODE = "wrong_passcode"
    LOCKED = "locked"  # the wrong passcode that locked it, or a try after


@dataclass(frozen=True)
class LinkUse:
    at: datetime
    recipient: str  # as the viewer gave it, trimmed
    outcome: UseOutcome

    def as_json(self) -> dict[str, str]:
        return {"at": iso(self.at), "recipient": self.recipient, "outcome": self.outcome.value}

    @classmethod
    def from_json(cls, data: dict[str, str]) -> LinkUse:
        return cls(datetime.fromisoformat(data["at"]), data["recipient"], UseOutcome(data["outcome"]))


@dataclass(frozen=True)
class HealthLink:
    """One link: who made it for whom, until when, and what became of it. ``manifest_id`` is the
    last part of the manifest URL (256 random bits): knowing it is needed to ask for the file, and
    the key in the payload to read it."""

    link_id: str
    patient_id: str
    organization_id: str
    manifest_id: str
    label: str
    created_at: datetime
    expires_at: datetime
    created_by: str  # the account that made it: the patient, or a proxy acting for them
    key_ciphertext: bytes  # the payload's key, encrypted with the stack's key (bound to the link)
    object_key: str  # the encrypted file in the bucket
    object_version: str = ""
    passcode_hash: str = ""  # argon2id, when the link asks for a passcode
    proxy_grant_id: str = ""  # the grant a proxy made it under
    wrong_passcodes: int = 0
    locked_at: datetime | None = None
    revoked_at: datetime | None = None
    uses: tuple[LinkUse, ...] = ()
    use_count: int = 0
    version: int = 0
    size: int = field(default=0, compare=False)  # bytes of the encrypted file

    @property
    def has_passcode(self) -> bool:
        return bool(self.passcode_hash)

    def status(self, now: datetime, access_in_force: bool = True) -> LinkStatus:
        """``access_in_force``: for a link a proxy made, whether the grant it was made under
        still is (the caller reads it: a former proxy's links stop with their access)."""
        if self.revoked_at is not None:
            return LinkStatus.REVOKED
        if self.locked_at is not None:
            return LinkStatus.LOCKED
        if now >= self.expires_at:
            return LinkStatus.EXPIRED
        if not access_in_force:
            return LinkStatus.ACCESS_ENDED
        return LinkStatus.ACTIVE

    @property
    def remaining_attempts(self) -> int:
        return max(0, MAX_WRONG_PASSCODES - self.wrong_passcodes)

    def used(self, use: LinkUse) -> HealthLink:
        """The link with one more use kept (the newest first, at most ``MAX_USES_KEPT``); only an
        opening counts (``use_count``: "Opened N times"), a wrong passcode is kept but not counted."""
        opened = 1 if use.outcome is UseOutcome.OPENED else 0
        return replace(self, uses=(use, *self.uses)[:MAX_USES_KEPT], use_count=self.use_count + opened)

    def wrong_passcode(self, use: LinkUse) -> HealthLink:
        wrong = self.wrong_passcodes + 1
        locked = use.at if wrong >= MAX_WRONG_PASSCODES else None
        outcome = UseOutcome.LOCKED if locked else UseOutcome.WRONG_PASSCODE
        return replace(self.used(replace(use, outcome=outcome)), wrong_passcodes=wrong, locked_at=locked)


def expiry(created_at: datetime, days: int) -> datetime:
    return created_at + timedelta(days=days)


def clean_recipient(text: str) -> str:
    """What the viewer says it is, as kept: one line, trimmed, at most ``MAX_RECIPIENT`` characters."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:MAX_RECIPIENT]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def payload(manifest_url: str, key: str, link: HealthLink) -> dict[str, object]:
    """The SMART Health Link payload of ``link`` (its key given in clear, as the link carries it)."""
    data: dict[str, object] = {"url": manifest_url, "key": key, "exp": int(link.expires_at.timestamp())}
    if link.has_passcode:
        data["flag"] = "P"
    if link.label:
        data["label"] = link.label[:MAX_LABEL]
    return data


def shlink(data: dict[str, object]) -> str:
    """``shlink:/<base64url of the payload's JSON>``."""
    return "shlink:/" + b64url(json.dumps(data, separators=(",", ":")).encode("utf-8"))


def viewer_url(portal_origin: str, link_text: str) -> str:
    """The viewer-prefixed form: the portal's viewer page, the link in the fragment (which a
    browser never sends to a server)."""
    return f"{portal_origin.rstrip('/')}/shl#{link_text}"
