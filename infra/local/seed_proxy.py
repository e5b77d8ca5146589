"""The demo proxy: a parent's account (no record of its own) with a parent's grant, in force, for
the demo child Emma Rivera (MRN AMC-100002, under 12), so a person trying the portal, and the
browser journey, can switch to a child's record. The grant is written as staff approval would
leave it (what is recorded from her 12th birthday on stays hidden). Local stage only: the account
and grant are made directly, as the demo conversation is: the account with the other demo accounts
(so the start-up banner lists it and its "account ready" email goes out as theirs does), the grant
once the feed has filed her, with its timers started as an approval starts them (so moving the
local clock past her 12th birthday tells the parent and the clinic)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping

from chalicelib.access.domain import PROXY_AREAS
from chalicelib.accounts.domain import Account, AccountStatus, Role
from chalicelib.accounts.passwords import hash_password
from chalicelib.audit.domain import SYSTEM_ACTOR, Action, AuditEvent, Outcome
from chalicelib.patients.domain import identifier
from chalicelib.proxies.domain import Access, GrantStatus, ProxyGrant, Relationship, twelfth_birthday
from chalicelib.proxies.grants import schedule_grant_timers
from chalicelib.wiring import Container

DEMO_CHILD_MRN = "AMC-100002"
DEFAULT_PARENT_USER = "demo.parent"
DEFAULT_PARENT_PASSWORD = "albany-parent-demo"
# How the child's sharing list and the staff patient page name the parent: the parent's own name,
# as a parent's request gives it (never the child's mother, the demo patient Dana Rivera).
DEMO_PARENT_NAME = "Luis Rivera"


def demo_parent_credentials(environ: Mapping[str, str]) -> tuple[str, str]:
    username = (environ.get("PORTAL_DEMO_PARENT_USER") or DEFAULT_PARENT_USER).strip().lower()
    return username, environ.get("PORTAL_DEMO_PARENT_PASSWORD") or DEFAULT_PARENT_PASSWORD


def seed_demo_parent(container: Container, environ: Mapping[str, str], organization_id: str) -> Account | None:
    """The parent's account (no record of its own); None when it is there already."""
    username, password = demo_parent_credentials(environ)
    if container.directory.account_by_username(username) is not None:
        return None
    parent = Account(
        account_id=uuid.uuid4().hex,
        username=username,
        organization_id=organization_id,
        role=Role.PATIENT,
        password_hash=hash_password(password),
        status=AccountStatus.ACTIVE,
        email=f"{username}@{organization_id}.example",
        email_verified=True,
        created_at=container.clock.now(),
    )
    container.directory.add_account(parent)
    return parent


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
    now = container.clock.now()
    parent = seed_demo_parent(container, environ, organization_id) or container.directory.account_by_username(
        demo_parent_credentials(environ)[0]
    )
    if parent is None:
        return False
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
        proxy_name=DEMO_PARENT_NAME,
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
    # As an approval does once the grant is kept: the 12th-birthday timer (and an end's, if any).
    schedule_grant_timers(container, grant, now)
    return True
