"""The public side of a SMART Health Link: ``POST /shl/{manifest_id}``, the manifest a viewer asks
for (HL7 SMART Health Links, "manifest request"). No session: holding the link is the permission.

A link that expired, was revoked or locked answers 404, as an unknown one does, and so does one
a proxy made once their grant is no longer in force (or no longer covers the health summary). A passcode, when
the link has one, is checked against its argon2id hash; a wrong one answers 401 with the tries
left, and the tenth locks the link for good (the patient sees it locked). Every answered request
is a use kept on the link (when, who the viewer said they were, how it went) and an audit event
under the patient (``health_link.use``, actor anonymous, the link's id as the resource), written
together on condition of the version read: two tries at once cannot both count as the same try.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chalicelib.apps.health_links.domain import HealthLink, LinkStatus, LinkUse, UseOutcome, clean_recipient
from chalicelib.apps.health_links.sealing import FHIR_JSON
from chalicelib.apps.health_links.sharing import RESOURCE_TYPE, SharingPorts, status_of
from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import ANONYMOUS, audit_event
from chalicelib.errors import Conflict, NotAuthenticated, NotFound
from chalicelib.kernel.origin import Origin

MANIFEST_ID = re.compile(r"[A-Za-z0-9_-]{43}")
LOCATION_SECONDS = 60  # the file's location works for a minute: a viewer fetches it at once
NO_LINK = "This link does not work: it may have expired or been revoked. Ask for a new one."


class PasscodeRefused(NotAuthenticated):
    """A wrong (or missing) passcode: the spec's 401, with the tries left."""

    code = "passcode_refused"

    def __init__(self, remaining: int):
        super().__init__(
            "The passcode is not right." if remaining else "The passcode is not right; the link is now locked."
        )
        self.remaining = remaining


def open_manifest(
    ports: SharingPorts,
    origin: Origin,
    manifest_id: str,
    recipient: str,
    passcode: str | None,
    embedded_length_max: int | None,
    now: datetime,
) -> dict[str, Any]:
    """The manifest of a working link, its use kept and audited; NotFound or PasscodeRefused."""
    for attempt in range(2):  # a use that met another at the same moment is tried once again
        link = _working(ports, manifest_id, now)
        use = LinkUse(now, clean_recipient(recipient), UseOutcome.OPENED)
        if link.has_passcode and not _passcode_matches(link.passcode_hash, passcode or ""):
            changed = link.wrong_passcode(use)
            try:
                _save(ports, origin, changed, Outcome.FAILURE, "wrong_passcode")
            except Conflict:
                if attempt:
                    raise
                continue
            raise PasscodeRefused(changed.remaining_attempts)
        try:
            _save(ports, origin, link.used(use), Outcome.SUCCESS, "")
        except Conflict:
            if attempt:
                raise
            continue
        return {"status": "finalized", "files": [_file(ports, link, embedded_length_max)]}
    raise NotFound(NO_LINK)  # (not reached: the second conflict raised)


def _working(ports: SharingPorts, manifest_id: str, now: datetime) -> HealthLink:
    link = ports.health_links.by_manifest(manifest_id) if MANIFEST_ID.fullmatch(manifest_id) else None
    if link is None or status_of(ports, link, now) is not LinkStatus.ACTIVE:
        raise NotFound(NO_LINK)
    return link


def _save(ports: SharingPorts, origin: Origin, link: HealthLink, outcome: Outcome, reason: str) -> None:
    event = audit_event(
        ports,
        origin,
        ANONYMOUS,
        "health_link.use",
        outcome,
        action=Action.READ,
        patient_id=link.patient_id,
        resource_type=RESOURCE_TYPE,
        resource_id=link.link_id,
        reason=reason,
    )
    ports.health_links.save(link, event)


def _file(ports: SharingPorts, link: HealthLink, embedded_length_max: int | None) -> dict[str, str]:
    if embedded_length_max is not None and link.size <= embedded_length_max:
        return {"contentType": FHIR_JSON, "embedded": ports.health_link_files.get(link.object_key).decode("ascii")}
    location = ports.health_link_files.presigned_get(
        link.object_key, LOCATION_SECONDS, content_type="application/jose", version_id=link.object_version
    )
    return {"contentType": FHIR_JSON, "location": location}


def _passcode_matches(passcode_hash: str, passcode: str) -> bool:
    from argon2 import PasswordHasher, exceptions

    try:
        return PasswordHasher().verify(passcode_hash, passcode)
    except (exceptions.VerificationError, exceptions.InvalidHashError):
        return False
