"""The demo proxy: a parent's account (no record of its own) with a parent's grant, in force, for
the demo child Emma Rivera (MRN AMC-100002, under 12), so a person trying the portal, and the
browser journey, can switch to a child's record. The grant is written as staff approval would
leave it (what is recorded from her 12th birthday on stays hidden). Local stage only: the account
and grant are made directly, as the demo conversation is, once the feed has filed her."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from chalicelib.access.domain import PROXY_AREAS
from chalicelib.accounts.domain import Account, AccountStatus, Role
from chalicelib.accounts.passwords import hash_password
from chalicelib.audit.domain import SYSTEM_ACTOR, Action, AuditEvent, Outcome
from chalicelib.patients.domain import identifier
from chalicelib.proxies.domain import Access, GrantStatus, ProxyGrant, Relationship, twelfth_birthday
from chalicelib.wiring import Container

DEMO_CHILD_MRN = "AMC-100002"
DEFAULT_PARENT_USER = "demo.parent"
DEFAULT_PARENT_PASSWORD = "albany-parent-demo"


def seed_demo_proxy(
    container: Container,
    environ: Mapping[str, str],
    organization_id: str,
    mrn_authority: str,
    time_zone: str,
) -> bool:
    """False while the feed has not filed the child yet (the caller tries again); True once the
    parent's grant is there (seeding again adds nothing)."""
    child = container.patients.by_identifier(organization_id, identifier(mrn_authority, DEMO_CHILD_MRN))
    if child is None:
        return False
    username = (environ.get("PORTAL_DEMO_PARENT_USER") or DEFAULT_PARENT_USER).strip().lower()
    password = environ.get("PORTAL_DEMO_PARENT_PASSWORD") or DEFAULT_PARENT_PASSWORD
    now = container.clock.now()
    parent = container.directory.account_by_username(username)
    if parent is None:
        parent = Account(
            account_id=uuid.uuid4().hex,
            username=username,
            organization_id=organization_id,
            role=Role.PATIENT,
            password_hash=hash_password(password),
            status=AccountStatus.ACTIVE,
            email=f"{username}@{organization_id}.example",
            email_verified=True,
            created_at=now,
        )
        container.directory.add_account(parent)
    if any(grant.patient_id == child.patient_id for grant in container.proxy_grants.of_proxy(parent.account_id)):
        return True
    grant = ProxyGrant(
        grant_id=uuid.uuid4().hex,
        patient_id=child.patient_id,
        organization_id=organization_id,
        proxy_account_id=parent.account_id,
        relationship=Relationship.PARENT,
        access=Access.FULL,
        areas=PROXY_AREAS,
        starts_at=now,
        ends_at=None,
        visible_until=twelfth_birthday(child.birth_date, time_zone),
        status=GrantStatus.ACTIVE,
        created_at=now,
        proxy_name="Dana Rivera",
        patient_name=child.given_names[0] if child.given_names else "",
    )
    container.proxy_grants.add(
        grant,
        AuditEvent(
            event_id=uuid.uuid4().hex,
            recorded_at=now,
            actor=SYSTEM_ACTOR,
            action=Action.CREATE,
            event_type="proxy_request.approved",  # as staff's approval of a parent's request records it
            outcome=Outcome.SUCCESS,
            patient_id=child.patient_id,
            resource_type="Consent",
            resource_id=grant.grant_id,
        ),
    )
    return True
