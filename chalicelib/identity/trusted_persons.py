"""A patient gives someone they trust access to their record, and that person takes it up.

The patient names the person, their address, the access (full or read-only), the areas and the
last day (a year ahead at most, a year by default): that request is the patient's consent, so
the grant is kept at once, status invited, naming no account. A one-time code (an invitation in
the identity store naming the grant) goes to the address; the link carries it in its fragment,
which browsers never send to a server. Whoever holds the code takes the grant up: signed in
(POST /v1/proxy-invitations/redeem), or by opening an account with it (enrollment), never from
the patient's own account. Until then the patient may revoke it like any grant.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from chalicelib.access.domain import Area, Standing
from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import audit_event, caller_actor
from chalicelib.errors import Conflict, NotFound, Problems, ValidationFailed
from chalicelib.identity import redemption, throttle, tokens
from chalicelib.identity.domain import IdentityRecord, InvitationPurpose, InvitationStatus, RecordKind
from chalicelib.identity.enrollment import EnrollmentPorts, live_invitation
from chalicelib.identity.trusted_contract import InvitationRedemption, TrustedPersonInvitation
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_patient
from chalicelib.notifications.domain import lifetime_words
from chalicelib.notifications.requests import notify
from chalicelib.patients import service as patients
from chalicelib.proxies import grants
from chalicelib.proxies.domain import (
    ADULT_GRANT_DAYS,
    Access,
    GrantStatus,
    ProxyGrant,
    Relationship,
    default_adult_end,
    grant_areas,
    minor_on,
)
from chalicelib.proxies.zones import organization_zone

UNDER_18 = (
    "Only patients 18 or older can invite a trusted person. A parent or guardian can ask the office about access."
)

# How many of a patient's invitations may wait to be taken up at once (within the invitation
# lifetime: an older one's code has expired and it emails no one).
MAX_WAITING = 10


class TrustedPersonPorts(EnrollmentPorts, AccessPorts, Protocol):
    """The one check, the invitations (identity store), the grants, the emails and the trail."""


def invite(
    ports: TrustedPersonPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    body: TrustedPersonInvitation,
    now: datetime,
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.PROXIES, acts=True)
    if scope.standing is not Standing.SELF:
        # Who may see a record is the patient's own choice: not staff's, nor a connected
        # organization's, nor a proxy's (whose grants never cover this area anyway).
        raise NotFound("No such patient.")
    patient = ports.patients.get(patient_id)
    if patient is None or patient.deceased:
        raise NotFound("No such patient.")
    lifetime = ports.settings.identity.invitation_lifetime_seconds
    if too_many_waiting(ports.proxy_grants.of_patient(patient.patient_id), now, lifetime):
        # Each invitation emails an address the patient typed: a bound keeps the portal from
        # becoming a way to send mail to anyone.
        raise Conflict(
            f"You have {MAX_WAITING} invitations waiting to be accepted. Revoke one you no longer need, "
            "or wait for them to be accepted or to expire.",
            code="too_many_invitations",
        )
    zone = organization_zone(ports, patient.organization_id)
    if minor_on(patient.birth_date, zone, now):
        # A trusted person is an adult's own choice; a minor's record is shared with a parent or
        # guardian through the office, under the age rules (proxies/domain.py).
        raise ValidationFailed(UNDER_18)
    problems = Problems()
    email = problems.gather(patients.email_address, body.email)
    ends_at = problems.gather(last_day_end, body.ends_at, zone, now)
    problems.raise_if_any()
    assert email is not None  # or a problem was raised
    grant = ProxyGrant(
        grant_id=uuid.uuid4().hex,
        patient_id=patient.patient_id,
        organization_id=patient.organization_id,
        proxy_account_id="",
        relationship=Relationship.TRUSTED_PERSON,
        access=Access(body.access),
        areas=grant_areas(Relationship.TRUSTED_PERSON, frozenset(Area(a) for a in body.areas)),
        starts_at=now,
        ends_at=ends_at or default_adult_end(now),
        visible_until=None,
        status=GrantStatus.INVITED,
        created_at=now,
        proxy_name=body.name,
        # How the person's switcher will name the patient: the given name alone.
        patient_name=patient.given_names[0] if patient.given_names else "",
        consented_at=now,  # the patient's own request is the consent
    )
    code, split = tokens.new_token()
    # The code first: should keeping the grant fail, the code names a grant that does not exist
    # and opens nothing; the reverse would leave a grant nobody can take up.
    ports.identity_records.put(
        IdentityRecord(
            kind=RecordKind.INVITATION,
            selector=split.selector,
            secret_hash=split.verifier_hash,
            expires_at=int(now.timestamp()) + lifetime,
            owner=f"proxy-grant#{grant.grant_id}",
            created_at=now,
            patient_id=patient.patient_id,
            organization_id=patient.organization_id,
            purpose=InvitationPurpose.TRUSTED_PERSON.value,
            status=InvitationStatus.PENDING.value,
            email=email,
            created_by=caller.account_id,
            grant_id=grant.grant_id,
        )
    )
    ports.proxy_grants.add(
        grant,
        audit_event(
            ports,
            origin,
            caller_actor(caller),
            "proxy.invited",
            action=Action.CREATE,
            patient_id=patient.patient_id,
            resource_type="Consent",
            resource_id=grant.grant_id,
        ),
    )
    # Nothing in the email says whose record it is, nor the patient's words about the person.
    notify(
        ports,
        "proxy_trusted_invitation",
        email,
        notification_id=f"trusted-invitation-{split.selector}",
        about=about_patient(patient.patient_id),
        token=code,
        lifetime=lifetime_words(lifetime),
    )
    return grants.view(grant)


def too_many_waiting(existing: list[ProxyGrant], now: datetime, lifetime_seconds: int) -> bool:
    since = now - timedelta(seconds=lifetime_seconds)
    waiting = [g for g in existing if g.status is GrantStatus.INVITED and g.created_at > since]
    return len(waiting) >= MAX_WAITING


def last_day_end(last_day: date | None, zone: str, now: datetime) -> datetime | None:
    """The moment access ends for a chosen last day: the start of the day after, on the
    organization's calendar. From today to a year ahead (a patient's grant, like any adult's, is
    renewed rather than given for longer). None when no day was chosen (the default applies)."""
    if last_day is None:
        return None
    today = now.astimezone(ZoneInfo(zone)).date()
    if not today <= last_day <= today + timedelta(days=ADULT_GRANT_DAYS):
        raise ValidationFailed(
            "Choose a last day from today to one year from today.", [{"field": "ends_at", "issue": "out_of_range"}]
        )
    return datetime.combine(last_day + timedelta(days=1), time(0, 0), tzinfo=ZoneInfo(zone))


def redeem(
    ports: TrustedPersonPorts, caller: Caller, origin: Origin, body: InvitationRedemption, now: datetime
) -> dict[str, Any]:
    """The signed-in caller takes up a trusted person's invitation: the grant becomes theirs."""
    throttle.check(ports, "enrollment", origin, now)
    invitation = live_invitation(ports, body.code, now)
    if invitation.purpose != InvitationPurpose.TRUSTED_PERSON.value:
        # An invitation to open an account is for the enrollment page, not this one.
        raise redemption.closed()
    grant = redemption.still_open(ports, invitation, now)
    account = ports.directory.account(caller.account_id)
    if account is None:
        raise NotFound("No such account.")
    if grant.patient_id == account.patient_id or any(c.patient_id == grant.patient_id for c in account.connections):
        # The patient's own link, opened in their own account: the code stays usable for the
        # person it was meant for.
        raise Conflict(
            "This invitation is for the person the patient chose; it cannot be used from the patient's own account.",
            code="own_record",
        )
    if any(
        g.patient_id == grant.patient_id and g.in_force(now) for g in ports.proxy_grants.of_proxy(account.account_id)
    ):
        raise Conflict("You can see this record already.", code="already_proxy")
    return grants.view(redemption.take_up(ports, origin, invitation, account.account_id, now))
