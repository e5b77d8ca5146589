"""Every patient record route, against every standing a caller may have: the one access check
(chalicelib/access/service.py) decides the same way on each route, including proxies.

The routes are enumerated from the app, so a new route is covered as soon as it exists: it needs
its area in AREAS below (a new path fails here until it has one) and, if it takes a body, a body in
test_patient_scope.BODIES. "Reachable" means the access check let the call through: whatever the
route then answers (200, or a 404 for the made-up id of a thread or a result, a 409), it is not the
401, the 403 of a role or of read-only access, nor the 404 "No such patient." of a refusal.
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import timedelta, timezone

import pytest

from chalicelib import wiring
from chalicelib.access.domain import PROXY_AREAS, Area
from chalicelib.audit.domain import Action, Actor, Outcome
from chalicelib.audit.service import new_event
from chalicelib.proxies.domain import Access, GrantStatus, ProxyGrant, Relationship
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrolled,
    enrollment,
    register_and_invite,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.identity.test_staff_and_admin import other_organization_staff
from tests.integration.test_patient_scope import BODIES, SOMEONE_ELSE, concrete, patient_record_routes

PATIENT_ROUTES = "/v1/patients/{patient_id}"
STAFF_ROUTES = "/v1/staff/patients/{patient_id}"

# The area of each patient record route, by the first segment after the patient id (checked
# against the area each service names: a proxy whose grant lacks it gets 404).
AREAS = {
    "results": Area.RESULTS,
    "upcoming-releases": Area.RESULTS,
    "release-preferences": Area.RESULTS,
    "documents": Area.DOCUMENTS,
    "signed-forms": Area.DOCUMENTS,
    "health-summary": Area.HEALTH_SUMMARY,
    "messages": Area.MESSAGES,
    "attachments": Area.MESSAGES,
    "care-teams": Area.MESSAGES,
    "appointments": Area.APPOINTMENTS,
    "appointment-requests": Area.APPOINTMENTS,
    "medications": Area.MEDICATIONS,
    "refill-requests": Area.MEDICATIONS,
    "access-log": Area.ACCESS_LOG,
    "proxies": Area.PROXIES,
    # Connected health apps: any area the proxy's grant covers opens the list (it is about the
    # apps, not the record's contents); the matrix's limited grant covers results.
    "apps": Area.RESULTS,
    # A download of the record holds every area the caller's grant covers: any one opens it.
    "exports": Area.RESULTS,
    "health-links": Area.HEALTH_SUMMARY,  # a SMART Health Link shares the health summary (an IPS)
}
# Calls that change nothing of the record though they are not GETs: marking a conversation read,
# and asking for a visit's video link (joining is not acting for the patient).
NOT_ACTING = {
    ("POST", "/v1/patients/{patient_id}/messages/{thread_id}/read"),
    ("POST", "/v1/patients/{patient_id}/appointments/{appointment_id}/video-link"),
    # withdrawing an app's access the proxy gave takes access away: a read-only proxy may
    ("POST", "/v1/patients/{patient_id}/apps/{authorization_id}/revoke"),
    ("POST", "/v1/patients/{patient_id}/exports"),  # a copy of what the proxy may read: a read
}
NO_SUCH_PATIENT = {"code": "not_found", "message": "No such patient.", "details": []}


def area_of(path: str) -> Area:
    segment = path.removeprefix(PATIENT_ROUTES).strip("/").split("/")[0]
    assert segment in AREAS, f"{path}: give this route's area in AREAS (and name it in its patient_scope call)"
    return AREAS[segment]


def acts(method: str, path: str) -> bool:
    return method != "GET" and (method, path) not in NOT_ACTING


def answer(api, method: str, path: str, patient_id: str, token: str):
    return call(api, method, concrete(path, patient_id), BODIES.get((method, path)), token)


def refused(result) -> bool:
    return result.status_code == 404 and result.json_body["error"] == NO_SUCH_PATIENT


def reachable(result) -> bool:
    return result.status_code not in (401, 403) and not refused(result)


@dataclasses.dataclass
class World:
    api: object
    ana: str  # the patient acted for
    ana_token: str
    chidi: str  # another patient of the organization, who acts for Ana in these tests
    chidi_token: str
    staff_token: str
    grant: ProxyGrant | None = None

    def give(self, **changes) -> ProxyGrant:
        """Chidi's grant for Ana, replacing the one before (which is revoked)."""
        container = wiring.container()
        if self.grant is not None:
            kept = container.proxy_grants.get(self.ana, self.grant.grant_id)
            assert kept is not None
            container.proxy_grants.change(dataclasses.replace(kept, status=GrantStatus.REVOKED), _audit(self.ana))
        now = container.clock.now()
        grant = ProxyGrant(
            grant_id=uuid.uuid4().hex,
            patient_id=self.ana,
            organization_id=container.patients.get(self.ana).organization_id,
            proxy_account_id=container.directory.account_by_username("chidi.okafor").account_id,
            relationship=Relationship.HEALTH_CARE_AGENT,
            access=Access.FULL,
            areas=PROXY_AREAS,
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=365),
            visible_until=None,
            status=GrantStatus.ACTIVE,
            created_at=now - timedelta(days=1),
            patient_name="Ana",
        )
        grant = dataclasses.replace(grant, **changes)
        container.proxy_grants.add(grant, _audit(self.ana))
        self.grant = grant
        return grant


def _audit(patient_id: str):
    return new_event(
        actor=Actor("acct-staff", "staff"),
        action=Action.CREATE,
        event_type="proxy_grant.changed",
        outcome=Outcome.SUCCESS,
        patient_id=patient_id,
        recorded_at=wiring.container().clock.now(),
    )


@pytest.fixture
def world(enrolled, seeded, staff_token) -> World:
    chidi = register_and_invite(seeded, staff_token, SOMEONE_ELSE, email="chidi@example.org")
    body = enrollment(chidi, date_of_birth="1990-01-02", family_name="okafor", username="chidi.okafor")
    assert call(seeded, "POST", "/v1/enrollments", body).status_code == 201
    return World(
        api=seeded,
        ana=enrolled.patient_id,
        ana_token=sign_in(seeded, "ana.nunez", "correct horse battery"),
        chidi=chidi.patient_id,
        chidi_token=sign_in(seeded, "chidi.okafor", "correct horse battery"),
        staff_token=staff_token,
    )


def routes() -> list[tuple[str, str]]:
    found = patient_record_routes(PATIENT_ROUTES)
    assert len(found) >= 40
    return found


def test_each_proxy_standing_on_every_route(world):
    """One world, the grant changed between standings (each new grant revokes the one before):
    signing up two patients costs more than all the calls."""
    now = wiring.container().clock.now()

    # A proxy in force, full access: every area a proxy may have; never the access log nor the
    # list of proxies; and nothing of another patient's record. The patient herself, always.
    world.give()
    for path, method in routes():
        area = area_of(path)
        assert reachable(answer(world.api, method, path, world.ana, world.ana_token)), f"{method} {path}"
        as_proxy = answer(world.api, method, path, world.ana, world.chidi_token)
        if area in PROXY_AREAS:
            assert reachable(as_proxy), f"{method} {path}: {as_proxy.status_code} {as_proxy.json_body}"
        else:
            assert refused(as_proxy), f"{method} {path}: {as_proxy.status_code}"
        assert refused(answer(world.api, method, path, "f" * 32, world.chidi_token)), f"{method} {path}"
    # What the proxy read shows in Ana's access log as a proxy's
    log = call(world.api, "GET", f"/v1/patients/{world.ana}/access-log", None, world.ana_token).json_body["events"]
    assert {"who": "proxy", "what": "results.list"} in [{"who": e["who"], "what": e["what"]} for e in log]

    # A grant limited to results opens results only
    world.give(areas=frozenset({Area.RESULTS}))
    for path, method in routes():
        as_proxy = answer(world.api, method, path, world.ana, world.chidi_token)
        if area_of(path) is Area.RESULTS:
            assert reachable(as_proxy), f"results only: {method} {path}: {as_proxy.status_code} {as_proxy.json_body}"
        else:
            assert refused(as_proxy), f"results only: {method} {path}: {as_proxy.status_code}"

    # A parent's full grant past its cutoff (the child is 12 or more) still opens the record to
    # read (what is dated after the cutoff is the reads' business, not the check's), but acting for
    # the child is over: every acting route is a 403 that says so
    world.give(relationship=Relationship.PARENT, ends_at=None, visible_until=now - timedelta(days=30))
    acting_past_cutoff = 0
    for path, method in routes():
        if area_of(path) not in PROXY_AREAS:
            continue
        result = answer(world.api, method, path, world.ana, world.chidi_token)
        if acts(method, path):
            acting_past_cutoff += 1
            assert result.status_code == 403, f"past cutoff: {method} {path}: {result.status_code} {result.json_body}"
            assert result.json_body["error"]["message"] == (
                "Your access to this record no longer includes acting for the patient."
            )
        else:
            assert reachable(result), f"past cutoff: {method} {path}: {result.status_code} {result.json_body}"
    assert acting_past_cutoff >= 10
    # AND the switcher offers the child's record as read-only
    [offered] = call(world.api, "GET", "/v1/me", None, world.chidi_token).json_body["acting_for"]
    assert offered["access"] == "read_only"
    # AND before the cutoff the same grant still acts
    world.give(relationship=Relationship.PARENT, ends_at=None, visible_until=now + timedelta(days=30))
    for path, method in routes():
        if area_of(path) in PROXY_AREAS:
            result = answer(world.api, method, path, world.ana, world.chidi_token)
            assert reachable(result), f"before cutoff: {method} {path}: {result.status_code} {result.json_body}"

    # A read-only proxy reads but may not act: 403 in words, audited as the proxy's with the grant
    world.give(access=Access.READ_ONLY)
    acting = 0
    for path, method in routes():
        if area_of(path) not in PROXY_AREAS:
            continue
        result = answer(world.api, method, path, world.ana, world.chidi_token)
        if acts(method, path):
            acting += 1
            assert result.status_code == 403, f"read-only: {method} {path}: {result.status_code} {result.json_body}"
            assert result.json_body["error"]["message"] == "Your access to this record is read-only."
        else:
            assert reachable(result), f"read-only: {method} {path}: {result.status_code} {result.json_body}"
    assert acting >= 10
    assert world.grant is not None
    events, _ = wiring.container().audit_log.for_patient(world.ana, 500)
    # (the past-cutoff grant's refusals are on the trail too, under that grant)
    denied = [e for e in events if e.event_type == "records.act" and e.actor.proxy_grant_id == world.grant.grant_id]
    assert len(denied) == acting
    assert {e.outcome for e in denied} == {Outcome.DENIED}

    # A grant not in force opens nothing: the same 404 as an unknown patient
    not_in_force = {
        "expired": {"ends_at": now - timedelta(seconds=1)},  # still active in the store: no timer ran yet
        "not started": {"starts_at": now + timedelta(hours=1)},
        **{status.value: {"status": status} for status in GrantStatus if status is not GrantStatus.ACTIVE},
    }
    for standing, changes in not_in_force.items():
        world.give(**changes)
        for path, method in routes():
            result = answer(world.api, method, path, world.ana, world.chidi_token)
            assert refused(result), f"{standing}: {method} {path}: {result.status_code}"
    world.give(status=GrantStatus.REVOKED)  # (revoked last: the loop above revoked each grant before the next)
    for path, method in routes():
        assert refused(answer(world.api, method, path, world.ana, world.chidi_token)), f"revoked: {method} {path}"

    # nor does a grant in force for a patient recorded as deceased
    world.give()
    patients = wiring.container().patients
    ana = patients.get(world.ana)
    assert ana is not None
    patients.save(dataclasses.replace(ana, deceased=True))
    for path, method in routes():
        result = answer(world.api, method, path, world.ana, world.chidi_token)
        assert refused(result), f"deceased: {method} {path}: {result.status_code}"


def test_staff_and_signed_out_callers_on_every_route(world, monkeypatch):
    other_staff = other_organization_staff(world.api, monkeypatch)
    world.give()
    for path, method in routes():
        # a patient record route is a patient's: staff are refused by role, whoever the patient
        for token in (world.staff_token, other_staff):
            result = answer(world.api, method, path, world.ana, token)
            assert result.status_code == 403, f"{method} {path}: {result.status_code}"
        assert answer(world.api, method, path, world.ana, "").status_code == 401, f"{method} {path}"
    staff_routes = [r for r in patient_record_routes(STAFF_ROUTES) if r[1] == "GET"]
    assert len(staff_routes) >= 5
    for path, method in staff_routes:
        mine = answer(world.api, method, path, world.ana, world.staff_token)
        assert not refused(mine) and mine.status_code not in (401, 403), f"{method} {path}: {mine.json_body}"
        assert refused(answer(world.api, method, path, world.ana, other_staff)), f"{method} {path}"
        # a proxy (a patient account) is refused the staff routes by role
        assert answer(world.api, method, path, world.ana, world.chidi_token).status_code == 403, f"{method} {path}"
        assert answer(world.api, method, path, world.ana, "").status_code == 401, f"{method} {path}"


def test_every_route_is_in_the_matrix():
    unknown = [p for p, _ in routes() if p.removeprefix(PATIENT_ROUTES).strip("/").split("/")[0] not in AREAS]
    assert unknown == []


def test_me_lists_the_patients_a_proxy_may_act_for_now(world):
    # GIVEN Chidi acts for Ana under a read-only grant limited to results and messages, until a
    # date; and an older grant of his for Ana waits for her consent
    container = wiring.container()
    now = container.clock.now()
    world.give(status=GrantStatus.AWAITING_CONSENT)
    in_force = world.give(
        access=Access.READ_ONLY,
        areas=frozenset({Area.MESSAGES, Area.RESULTS}),
        ends_at=now + timedelta(days=30),
        patient_name="",
    )

    # WHEN he reads his profile
    me = call(world.api, "GET", "/v1/me", None, world.chidi_token).json_body

    # THEN his own record is his, and Ana is offered once, as the grant in force has it
    assert me["patient"]["patient_id"] == world.chidi
    [ana] = me["acting_for"]
    assert ana == {
        "grant_id": in_force.grant_id,
        "patient_id": world.ana,
        "organization_id": in_force.organization_id,
        "organization_name": ana["organization_name"],
        "name": "Ana",  # her given name from her record, the grant naming none
        "relationship": "health_care_agent",
        "proxy_name": "",  # this grant was given without one (signing then asks the clinic to add it)
        "access": "read_only",
        "areas": ["results", "messages"],
        "visible_until": None,
        "ends_at": (now + timedelta(days=30)).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "unread_messages": 0,
    }
    assert ana["organization_name"]
    # AND reading it is on Ana's trail as her proxy's
    events, _ = container.audit_log.for_patient(world.ana, 100)
    assert any(e.event_type == "patient.read" and e.actor.proxy_grant_id == in_force.grant_id for e in events)
    # AND Ana, who acts for nobody, is offered nobody
    assert call(world.api, "GET", "/v1/me", None, world.ana_token).json_body["acting_for"] == []

    # WHEN the grant ends, THEN nobody is offered on the next read
    world.give(ends_at=now - timedelta(seconds=1))
    assert call(world.api, "GET", "/v1/me", None, world.chidi_token).json_body["acting_for"] == []
