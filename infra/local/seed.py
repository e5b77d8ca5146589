"""Demo data for the local stage: Albany Medical Center, an admin and a staff account, two care
teams with the staff account a member, and the demo patient's history sent through the real feed
(infra/local/demo/).

User names and passwords come from PORTAL_DEMO_ADMIN_USER / PORTAL_DEMO_ADMIN_PASSWORD and
PORTAL_DEMO_STAFF_USER / PORTAL_DEMO_STAFF_PASSWORD, with the defaults below (README). Each new
account is told by email, through the real path: notifications queue, SQS poller, handler, SES,
and so shows up in the local mailbox. This module lives under infra/local, outside the deployed
package, and refuses to run in any stage but local.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from chalicelib.accounts import service as accounts
from chalicelib.accounts.domain import Role
from chalicelib.careteams.domain import CareTeam
from chalicelib.errors import Conflict
from chalicelib.feeds.domain import FeedSource
from chalicelib.kernel.clock import iso
from chalicelib.wiring import Container
from infra.local.demo_visits import send_demo_visits
from infra.local.seed_apps import seed_demo_apps
from infra.local.seed_forms import seed_checkin_forms
from infra.local.seed_proxy import demo_parent_credentials, seed_demo_parent

ORGANIZATION_ID = "albany-medical-center"
ORGANIZATION_NAME = "Albany Medical Center"
MRN_AUTHORITY = "AMC-MRN"  # the assigning authority of the demo organization's record numbers
SUPPORT_EMAIL = f"support@{ORGANIZATION_ID}.example"
TIME_ZONE = "America/New_York"  # Albany's clocks: the demo feed's times carry no offset
DEFAULTS = {
    "PORTAL_DEMO_ADMIN_USER": "demo.admin",
    "PORTAL_DEMO_ADMIN_PASSWORD": "albany-admin-demo",
    "PORTAL_DEMO_STAFF_USER": "demo.staff",
    "PORTAL_DEMO_STAFF_PASSWORD": "albany-staff-demo",
}


@dataclass(frozen=True)
class SeededAccount:
    role: str
    username: str
    password: str
    email: str


def seed(container: Container, environ: Mapping[str, str]) -> list[SeededAccount]:
    if not container.settings.is_local:
        raise RuntimeError("demo data is seeded on the local stage only")
    accounts.ensure_organization(
        container.directory,
        ORGANIZATION_ID,
        ORGANIZATION_NAME,
        mrn_authority=MRN_AUTHORITY,
        now=container.clock.now(),
        time_zone=TIME_ZONE,
    )
    # Locally, whatever is sent to the feed files for the demo organization; bare identifiers are
    # its MRNs. A deployment registers each sender instead (docs/integrating.md).
    container.records.add_feed_source(FeedSource("*", ORGANIZATION_ID, MRN_AUTHORITY))
    # The demo organization takes support requests; they are announced at its support mailbox
    # (an admin sets it on the Organization settings page in a deployment).
    container.support_desks.set_desk(ORGANIZATION_ID, ORGANIZATION_NAME, SUPPORT_EMAIL)
    seeded = []
    for role in (Role.ADMIN, Role.STAFF):
        prefix = f"PORTAL_DEMO_{role.name}"
        username = environ.get(f"{prefix}_USER") or DEFAULTS[f"{prefix}_USER"]
        password = environ.get(f"{prefix}_PASSWORD") or DEFAULTS[f"{prefix}_PASSWORD"]
        email = f"{accounts.normalize_username(username)}@{ORGANIZATION_ID}.example"
        try:
            accounts.create_staff_account(
                container.directory,
                organization_id=ORGANIZATION_ID,
                username=username,
                password=password,
                role=role,
                email=email,
                now=container.clock.now(),
            )
        except Conflict:
            continue  # already there (a seed run twice against the same data)
        container.notifications_queue.send(
            {"notification_id": uuid.uuid4().hex, "template": "account_ready", "to_address": email}
        )
        seeded.append(SeededAccount(role.value, username, password, email))
    # The demo parent (no record of its own; its grant for the demo child follows once the feed
    # files her): listed and told its account is ready as the other demo accounts are.
    parent = seed_demo_parent(container, environ, ORGANIZATION_ID)
    if parent is not None:
        container.notifications_queue.send(
            {"notification_id": uuid.uuid4().hex, "template": "account_ready", "to_address": parent.email}
        )
        seeded.append(SeededAccount("parent", parent.username, demo_parent_credentials(environ)[1], parent.email))
    staff_username = environ.get("PORTAL_DEMO_STAFF_USER") or DEFAULTS["PORTAL_DEMO_STAFF_USER"]
    seed_care_teams(container, staff_username)
    seed_demo_apps(container, ORGANIZATION_ID)
    admin_username = accounts.normalize_username(
        environ.get("PORTAL_DEMO_ADMIN_USER") or DEFAULTS["PORTAL_DEMO_ADMIN_USER"]
    )
    admin = container.directory.account_by_username(admin_username)
    if admin is not None:
        seed_checkin_forms(container, ORGANIZATION_ID, admin.account_id, admin_username)
    send_demo_feed(container)
    send_demo_visits(container, ORGANIZATION_ID, TIME_ZONE)
    return seeded


# The demo organization's care teams (555-01xx numbers are reserved for fiction).
DEMO_CARE_TEAMS = (
    ("Primary Care", "clinic", "Questions about your health, referrals and forms.", "(518) 555-0100"),
    ("Cardiology", "department", "Heart and blood pressure care.", "(518) 555-0142"),
)


def seed_care_teams(container: Container, staff_username: str) -> None:
    """A couple of care teams patients may write to, the demo staff account a member of each.
    Nothing when the organization has teams already (a seed run twice keeps what admins did)."""
    teams, version = container.care_teams.teams_of(ORGANIZATION_ID)
    if teams:
        return
    staff = container.directory.account_by_username(accounts.normalize_username(staff_username))
    members = (staff.account_id,) if staff else ()
    now = iso(container.clock.now())
    demo = [
        CareTeam(uuid.uuid4().hex, name, kind, description, True, phone, True, members, now)
        for name, kind, description, phone in DEMO_CARE_TEAMS
    ]
    container.care_teams.save_teams(ORGANIZATION_ID, demo, version)


DEMO_PATIENT_MRN = "AMC-100001"  # Dana Rivera, filed by the demo feed's first message
DEMO_QUESTION = (
    "Hello, my blood pressure readings at home have been around 150/95 this week. "
    "Should I change anything before my follow-up appointment?"
)
DEMO_ANSWER = (
    "Thank you for sending these. Please keep taking your medication as prescribed and bring your "
    "readings to your follow-up. If you get a severe headache or chest pain, call 911."
)


def seed_demo_conversation(container: Container) -> bool:
    """The demo patient's conversation with Primary Care: her question and the demo staff member's
    answer, so the inbox and the staff queue show something. False while the feed has not filed
    her yet (the caller tries again); nothing when she has a conversation already. Written as
    history: no email and no FHIR message leave for it."""
    from datetime import timedelta

    from chalicelib.kernel.keys import new_id
    from chalicelib.messaging.domain import SentMessage, Side, Status, Thread, after_message
    from chalicelib.patients.domain import identifier

    patient = container.patients.by_identifier(ORGANIZATION_ID, identifier(MRN_AUTHORITY, DEMO_PATIENT_MRN))
    if patient is None:
        return False
    if container.messages.page(patient.patient_id, 1)[0]:
        return True
    teams, _ = container.care_teams.teams_of(ORGANIZATION_ID)
    team = next((t for t in teams if t.name == "Primary Care"), None)
    staff = container.directory.account(team.members[0]) if team and team.members else None
    if team is None or staff is None:
        return True  # an admin changed the demo teams: nothing to write to
    asked_at = container.clock.now() - timedelta(days=1)
    answered_at = asked_at + timedelta(hours=3)
    thread_id = new_id()
    blank = Thread(
        thread_id=thread_id,
        patient_id=patient.patient_id,
        organization_id=ORGANIZATION_ID,
        team_id=team.team_id,
        team_name=team.name,
        subject="Blood pressure readings at home",
        status=Status.OPEN,
        created_at=asked_at,
        last_message_at=asked_at,
        last_message_from=Side.PATIENT,
        message_count=0,
    )
    name = " ".join([*patient.given_names, patient.family_name])
    question = SentMessage(new_id(), thread_id, Side.PATIENT, "", name, DEMO_QUESTION, asked_at)
    asked = replace(after_message(blank, Side.PATIENT, asked_at, TIME_ZONE), last_message_id=question.message_id)
    container.messages.send(asked, question, [], None)
    answer = SentMessage(
        new_id(),
        thread_id,
        Side.CARE_TEAM,
        staff.account_id,
        f"{staff.username}, {team.name}",
        DEMO_ANSWER,
        answered_at,
    )
    stored = container.messages.thread(patient.patient_id, thread_id)
    answered = replace(after_message(stored, Side.CARE_TEAM, answered_at, TIME_ZONE), last_message_id=answer.message_id)
    container.messages.send(answered, answer, [], None)
    return True


DEMO_FEED = Path(__file__).with_name("demo")
# Dana's daughter Emma must stay under 12 whenever the demo runs (a parent's access ends at the
# 12th birthday), so her files' birth date is sent as 10 January eleven years before this year:
# she is 10 or 11, her 12th birthday always ahead. The browser journeys compute it the same way.
EMMA_BORN_AS_FILED = "20150110"


def emma_birth_date(today: date) -> str:
    return f"{today.year - 11}0110"


def send_demo_feed(container: Container) -> int:
    """The demo patient's history, through the real path: inbound queue, poller, handler, filing.
    Resending is harmless (the feed is idempotent on sender and control id)."""
    sqs = container.client("sqs")
    files = sorted([*DEMO_FEED.glob("*.hl7"), *DEMO_FEED.glob("*.json")], key=lambda path: path.name)
    for path in files:
        sqs.send_message(
            QueueUrl=container.settings.clinical_inbound_queue_url,
            MessageBody=path.read_bytes()
            .decode("utf-8")
            .replace(EMMA_BORN_AS_FILED, emma_birth_date(container.clock.now().date())),
            MessageGroupId="demo-ehr",
        )
    return len(files)
