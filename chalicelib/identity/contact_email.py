"""Staff change the email address on a patient's record: the address invitations are sent to.

A new address is kept as pending and a confirmation link goes to it; until its owner follows the
link, the record's confirmed address stays the one in use, so a typing mistake at the front desk
never sends the patient's next invitation to a stranger. The patient's portal account, if any,
keeps its own sign-in address: that one is the account holder's to change (from their account,
with their password), since staff changing it would let anyone who persuades a clerk take over
the account through a password reset."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import ANONYMOUS, caller_actor, write_audit
from chalicelib.errors import Conflict, ValidationFailed
from chalicelib.identity import throttle, tokens
from chalicelib.identity.domain import IdentityRecord, LinkPurpose, RecordKind
from chalicelib.identity.recovery import live_link
from chalicelib.identity.throttle import ThrottlePorts
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_patient
from chalicelib.notifications.requests import NotifyPorts, notify
from chalicelib.patients import service as patients
from chalicelib.patients.service import RegistryPorts

CONFIRMATION_SECONDS = 24 * 3600


class ContactEmailPorts(RegistryPorts, NotifyPorts, ThrottlePorts, Protocol):
    """The patients (found in the caller's organization only), the confirmation links (the
    identity store), the email, the per-address throttle and the audit trail."""


def _owner(patient_id: str) -> str:
    # Apart from the patient's invitations ("patient#..."), so links never crowd their listing.
    return f"patient-email#{patient_id}"


def change_contact_email(
    ports: ContactEmailPorts, caller: Caller, origin: Origin, patient_id: str, email: str, now: datetime
) -> dict[str, Any]:
    address = patients.email_address(email)
    patient = patients.find(ports, caller, origin, patient_id=patient_id)
    if address.lower() == patient.email.lower():
        raise Conflict("This is the patient's email address already.", code="email_unchanged")
    # One live link: asking again (a corrected address, or the first email lost) voids the earlier one.
    for earlier in ports.identity_records.owned_by(_owner(patient.patient_id), limit=50):
        if earlier.kind is RecordKind.LINK:
            ports.identity_records.delete(RecordKind.LINK, earlier.selector)
    token, split = tokens.new_token()
    ports.identity_records.put(
        IdentityRecord(
            kind=RecordKind.LINK,
            selector=split.selector,
            secret_hash=split.verifier_hash,
            expires_at=int(now.timestamp()) + CONFIRMATION_SECONDS,
            owner=_owner(patient.patient_id),
            created_at=now,
            patient_id=patient.patient_id,
            organization_id=patient.organization_id,
            purpose=LinkPurpose.CONTACT_EMAIL.value,
            email=address,
            created_by=caller.account_id,
        )
    )
    ports.patients.save(dataclasses.replace(patient, pending_email=address))
    notify(
        ports,
        "contact_email_confirmation",
        address,
        notification_id=f"contact-{split.selector}",
        about=about_patient(patient.patient_id),
        token=token,
    )
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "patient.contact_email_change_requested",
        action=Action.UPDATE,
        patient_id=patient.patient_id,
        resource_type="Patient",
        resource_id=patient.patient_id,
    )
    return {"patient_id": patient.patient_id, "email": patient.email or None, "pending_email": address}


def confirm_contact_email(ports: ContactEmailPorts, origin: Origin, token: str, now: datetime) -> dict[str, Any]:
    """The owner of the new address follows the link: it becomes the record's address."""
    throttle.check(ports, "recovery", origin, now)
    link = live_link(ports, token, (LinkPurpose.CONTACT_EMAIL,), now)
    if link is None:
        write_audit(ports, origin, ANONYMOUS, "patient.contact_email_confirmed", Outcome.FAILURE, reason="bad_link")
        raise ValidationFailed(
            "This link is not valid: it may have expired or been used already. Ask your provider's office for a "
            "new one.",
            [{"field": "token"}],
        )
    patient = ports.patients.get(link.patient_id)
    if patient is None or patient.pending_email.lower() != link.email.lower():
        ports.identity_records.delete(RecordKind.LINK, link.selector)
        raise ValidationFailed(
            "This link is for an address that is no longer waiting to be confirmed.", [{"field": "token"}]
        )
    if not ports.identity_records.delete(RecordKind.LINK, link.selector):  # once only
        raise ValidationFailed("This link has been used already.", [{"field": "token"}])
    ports.patients.save(dataclasses.replace(patient, email=link.email, pending_email=""))
    write_audit(
        ports,
        origin,
        ANONYMOUS,
        "patient.contact_email_confirmed",
        action=Action.UPDATE,
        patient_id=patient.patient_id,
        resource_type="Patient",
        resource_id=patient.patient_id,
    )
    return {"email_confirmed": True}
