"""Proxy grants once given, through the API and the real queue handlers: the patient revokes,
consents and renews; staff end, renew and export; the proxy lists their own; the timers at a
child's 12th birthday and at an end date fire by the test's clock; a merge carries grants to the
survivor; a deceased patient's grants end. Bob acts for Ana under a grant kept in the store as an
approved request leaves it."""

from __future__ import annotations

import dataclasses
import json
import time
import uuid
from datetime import datetime, timedelta

import boto3
import pytest

from chalicelib import wiring
from chalicelib.access.domain import PROXY_AREAS, Area
from chalicelib.audit.domain import SYSTEM_ACTOR, Action, Outcome
from chalicelib.audit.service import new_event
from chalicelib.patients.domain import Identifier
from chalicelib.proxies.domain import Access, GrantStatus, ProxyGrant, Relationship
from chalicelib.proxies.grant_timers import schedule_grant_timers
from tests.integration.checkin.test_check_in_merge import merge_into_mrn_2002
from tests.integration.conftest import deliver_notifications, sent_emails, sqs_event
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrolled,
    enrollment,
    register_and_invite,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.test_patient_results import feed  # noqa: F401  (fixtures)

ORG = "albany-medical-center"
SUBJECT = "There is an update to your access to a record"
BOB = {"mrn": "MRN-1002", "family_name": "Smith", "given_names": ["Robert"], "birth_date": "1990-07-14", "sex": "male"}
BOB_ANSWERS = {
    "date_of_birth": "1990-07-14",
    "family_name": "smith",
    "username": "bob.smith",
    "password": "another horse battery",
    "email": "bob@example.org",
}
TIMERS_QUEUE = "patient-portal-proxy-grant-timers"


@pytest.fixture
def people(seeded, staff_token, enrolled):
    """Ana (a patient, signed in) and Bob (another patient's account, signed in), by id and token."""
    ana_token = sign_in(seeded, "ana.nunez", "correct horse battery")
    bob = register_and_invite(seeded, staff_token, BOB, email="bob@example.org")
    assert call(seeded, "POST", "/v1/enrollments", enrollment(bob, **BOB_ANSWERS)).status_code == 201
    bob_token = sign_in(seeded, "bob.smith", "another horse battery")
    bob_account = call(seeded, "GET", "/v1/me", token=bob_token).json_body["account"]["account_id"]
    deliver_notifications(seeded)
    return {"ana": enrolled.patient_id, "ana_token": ana_token, "bob": bob_account, "bob_token": bob_token}


def give(patient_id: str, proxy_account: str, **changes) -> ProxyGrant:
    """A grant as staff's approval keeps it (active, an agent's, a year long unless told)."""
    container = wiring.container()
    now = container.clock.now()
    grant = ProxyGrant(
        grant_id=uuid.uuid4().hex,
        patient_id=patient_id,
        organization_id=ORG,
        proxy_account_id=proxy_account,
        relationship=Relationship.HEALTH_CARE_AGENT,
        access=Access.FULL,
        areas=PROXY_AREAS,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(days=365),
        visible_until=None,
        status=GrantStatus.ACTIVE,
        created_at=now - timedelta(minutes=1),
        request_id=uuid.uuid4().hex,
        proxy_name="Robert Smith",
        patient_name="Ana",
    )
    grant = dataclasses.replace(grant, **changes)
    audit = new_event(
        actor=SYSTEM_ACTOR,
        action=Action.CREATE,
        event_type="proxy.granted",
        outcome=Outcome.SUCCESS,
        patient_id=patient_id,
        resource_type="Consent",
        resource_id=grant.grant_id,
        recorded_at=now,
    )
    container.proxy_grants.add(grant, audit)
    if grant.status is GrantStatus.ACTIVE:
        schedule_grant_timers(container, grant, now)
    return dataclasses.replace(grant, version=1)


def update_emails() -> list:
    return [e for e in sent_emails() if e.subject == SUBJECT]


def results(api, people, as_bob: bool = True):
    token = people["bob_token"] if as_bob else people["ana_token"]
    return call(api, "GET", f"/v1/patients/{people['ana']}/results", token=token)


# -- the patient ----------------------------------------------------------------------------------


def test_a_revoked_grant_refuses_the_proxys_very_next_call_and_the_proxy_is_told(seeded, people):
    # (Ana consented to Bob's grant: hers to take back)
    grant = give(people["ana"], people["bob"], consented_at=wiring.container().clock.now())
    assert results(seeded, people).status_code == 200

    # WHEN Ana revokes it
    revoked = call(
        seeded, "POST", f"/v1/patients/{people['ana']}/proxies/{grant.grant_id}/revoke", token=people["ana_token"]
    )

    # THEN it is revoked, and Bob's next call finds no such patient
    assert revoked.status_code == 200, revoked.json_body
    assert revoked.json_body["status"] == "revoked" and revoked.json_body["end_reason"] == "revoked"
    assert results(seeded, people).status_code == 404
    # AND Bob's own list says so, and he is emailed that there is an update, never whose record
    [mine] = call(seeded, "GET", "/v1/me/proxy-grants", token=people["bob_token"]).json_body["grants"]
    assert (mine["grant_id"], mine["status"], mine["patient_name"]) == (grant.grant_id, "revoked", "Ana")
    deliver_notifications(seeded)
    [email] = update_emails()
    assert email.destinations["ToAddresses"] == ["bob@example.org"]
    assert "/proxy-requests" in email.body
    for private in ("Ana", "Núñez", "Nunez", "1984"):
        assert private not in email.body and private not in email.subject
    # AND a second revoke is refused: it has ended
    again = call(
        seeded, "POST", f"/v1/patients/{people['ana']}/proxies/{grant.grant_id}/revoke", token=people["ana_token"]
    )
    assert again.status_code == 409


def test_the_patients_list_shows_every_status_and_a_proxy_never_sees_it(seeded, people):
    give(people["ana"], people["bob"])
    give(people["ana"], people["bob"], status=GrantStatus.AWAITING_CONSENT, relationship=Relationship.GUARDIAN_OF_ADULT)

    listed = call(seeded, "GET", f"/v1/patients/{people['ana']}/proxies", token=people["ana_token"])

    assert listed.status_code == 200, listed.json_body
    assert sorted(p["status"] for p in listed.json_body["proxies"]) == ["active", "awaiting_consent"]
    assert {p["given_by"] for p in listed.json_body["proxies"]} == {"staff"}
    # A proxy acting for Ana may not see nor change who else acts for her.
    as_bob = call(seeded, "GET", f"/v1/patients/{people['ana']}/proxies", token=people["bob_token"])
    assert as_bob.status_code == 404
    grant_id = listed.json_body["proxies"][0]["grant_id"]
    revoke = call(seeded, "POST", f"/v1/patients/{people['ana']}/proxies/{grant_id}/revoke", token=people["bob_token"])
    assert revoke.status_code == 404
    # A grant id that is not one of Ana's is no such access.
    unknown = call(seeded, "POST", f"/v1/patients/{people['ana']}/proxies/{'0' * 32}/revoke", token=people["ana_token"])
    assert unknown.status_code == 404


def test_a_grant_awaiting_consent_takes_effect_only_when_the_patient_agrees(seeded, people):
    waiting = give(
        people["ana"], people["bob"], status=GrantStatus.AWAITING_CONSENT, relationship=Relationship.GUARDIAN_OF_ADULT
    )
    assert results(seeded, people).status_code == 404

    agreed = call(
        seeded,
        "POST",
        f"/v1/patients/{people['ana']}/proxies/{waiting.grant_id}/consent",
        {"agree": True},
        token=people["ana_token"],
    )

    assert agreed.status_code == 200, agreed.json_body
    assert agreed.json_body["status"] == "active" and agreed.json_body["consented_at"] is not None
    assert results(seeded, people).status_code == 200
    # A year from consent, as approved: the length is kept from when it took effect.
    starts, ends = (datetime.fromisoformat(agreed.json_body[k]) for k in ("starts_at", "ends_at"))
    assert ends - starts == waiting.ends_at - waiting.starts_at
    # Answered once: a second answer is refused.
    second = call(
        seeded,
        "POST",
        f"/v1/patients/{people['ana']}/proxies/{waiting.grant_id}/consent",
        {"agree": False},
        token=people["ana_token"],
    )
    assert second.status_code == 409


def test_a_declined_grant_never_takes_effect(seeded, people):
    waiting = give(people["ana"], people["bob"], status=GrantStatus.AWAITING_CONSENT)

    declined = call(
        seeded,
        "POST",
        f"/v1/patients/{people['ana']}/proxies/{waiting.grant_id}/consent",
        {"agree": False},
        token=people["ana_token"],
    )

    assert declined.status_code == 200
    assert (declined.json_body["status"], declined.json_body["end_reason"]) == ("declined", "declined")
    assert results(seeded, people).status_code == 404
    bad = call(
        seeded,
        "POST",
        f"/v1/patients/{people['ana']}/proxies/{waiting.grant_id}/consent",
        {"agree": "yes"},
        token=people["ana_token"],
    )
    assert bad.status_code == 400


def test_the_patient_renews_an_adults_grant_for_a_year_more_but_not_a_childs(seeded, people):
    now = wiring.container().clock.now()
    trusted = {"relationship": Relationship.TRUSTED_PERSON, "request_id": "", "consented_at": now}
    soon = give(people["ana"], people["bob"], ends_at=now + timedelta(days=10), **trusted)

    renewed = call(
        seeded, "POST", f"/v1/patients/{people['ana']}/proxies/{soon.grant_id}/renew", token=people["ana_token"]
    )

    assert renewed.status_code == 200, renewed.json_body
    assert datetime.fromisoformat(renewed.json_body["ends_at"]) == (now + timedelta(days=375)).replace(microsecond=0)
    # A double click with one Idempotency-Key renews once.
    once = give(people["ana"], people["bob"], ends_at=now + timedelta(days=10), **trusted)
    headers = {"Authorization": f"Bearer {people['ana_token']}", "Idempotency-Key": uuid.uuid4().hex}
    path = f"/v1/patients/{people['ana']}/proxies/{once.grant_id}/renew"
    first, second = (seeded.http.request("POST", path, headers=headers, body=b"") for _ in range(2))
    assert first.status_code == second.status_code == 200
    assert second.headers.get("Idempotent-Replayed") == "true"
    assert json.loads(second.body)["ends_at"] == json.loads(first.body)["ends_at"]
    child = give(
        people["ana"],
        people["bob"],
        relationship=Relationship.PARENT,
        ends_at=None,
        visible_until=now + timedelta(days=30),
    )
    refused = call(
        seeded, "POST", f"/v1/patients/{people['ana']}/proxies/{child.grant_id}/renew", token=people["ana_token"]
    )
    assert refused.status_code == 409
    assert "12th birthday" in refused.json_body["error"]["message"]


def test_a_guardians_or_agents_grant_the_patient_never_consented_to_is_ended_and_renewed_by_staff_only(
    seeded, people, staff_token
):
    # GIVEN a court-ordered guardian's grant and an agent's, approved by the office without Ana's
    # consent, and an agent's she consented to
    guardian = give(people["ana"], people["bob"], relationship=Relationship.GUARDIAN_OF_ADULT)
    agent = give(people["ana"], people["bob"])
    consented = give(people["ana"], people["bob"], consented_at=wiring.container().clock.now())

    def as_ana(grant, what):
        return call(
            seeded, "POST", f"/v1/patients/{people['ana']}/proxies/{grant.grant_id}/{what}", token=people["ana_token"]
        )

    # WHEN Ana tries to revoke or renew them, THEN she is told to contact the office
    for grant in (guardian, agent):
        refused = as_ana(grant, "revoke")
        assert refused.status_code == 403, refused.json_body
        assert "contact the office" in refused.json_body["error"]["message"]
        renewal = as_ana(grant, "renew")
        assert renewal.status_code == 403 and "contact the office" in renewal.json_body["error"]["message"]
        kept = wiring.container().proxy_grants.get(people["ana"], grant.grant_id)
        assert (kept.status, kept.ends_at) == (GrantStatus.ACTIVE, grant.ends_at)
    assert results(seeded, people).status_code == 200
    # AND one she consented to is hers to revoke, though not to renew
    assert as_ana(consented, "renew").status_code == 403
    assert as_ana(consented, "revoke").status_code == 200
    # AND staff end the guardian's
    ended = call(
        seeded,
        "POST",
        f"/v1/staff/proxy-grants/{people['ana']}/{guardian.grant_id}/end",
        {"reason": "The patient asked at the desk; the court order was reviewed."},
        token=staff_token,
    )
    assert ended.status_code == 200 and ended.json_body["status"] == "terminated"


# -- staff ----------------------------------------------------------------------------------------


def test_staff_list_end_and_renew_a_patients_grants(seeded, people, staff_token):
    grant = give(people["ana"], people["bob"])
    other = give(people["ana"], people["bob"], relationship=Relationship.GUARDIAN_OF_ADULT)

    listed = call(seeded, "GET", f"/v1/staff/patients/{people['ana']}/proxies", token=staff_token)
    assert listed.status_code == 200
    assert {p["grant_id"] for p in listed.json_body["proxies"]} == {grant.grant_id, other.grant_id}

    # WHEN staff end one, with their reason
    ended = call(
        seeded,
        "POST",
        f"/v1/staff/proxy-grants/{people['ana']}/{grant.grant_id}/end",
        {"reason": "The court order was withdrawn."},
        token=staff_token,
    )
    assert ended.status_code == 200, ended.json_body
    assert (ended.json_body["status"], ended.json_body["end_reason"]) == (
        "terminated",
        "The court order was withdrawn.",
    )
    # AND Ana's list shows staff's words, but Bob's own list only that the clinic ended it
    [mine] = [
        p
        for p in call(seeded, "GET", f"/v1/patients/{people['ana']}/proxies", token=people["ana_token"]).json_body[
            "proxies"
        ]
        if p["grant_id"] == grant.grant_id
    ]
    assert mine["end_reason"] == "The court order was withdrawn."
    bobs = call(seeded, "GET", "/v1/me/proxy-grants", token=people["bob_token"]).json_body["grants"]
    [his] = [g for g in bobs if g["grant_id"] == grant.grant_id]
    assert (his["status"], his["end_reason"]) == ("terminated", "ended_by_clinic")
    assert "court" not in json.dumps(bobs)
    # A blank reason is refused, next to its field.
    blank = call(
        seeded, "POST", f"/v1/staff/proxy-grants/{people['ana']}/{other.grant_id}/end", {"reason": " "}, staff_token
    )
    assert blank.status_code == 400
    assert blank.json_body["error"]["details"][0]["field"] == "reason"

    # AND renew the other to a day they choose (the end of that day in the clinic's zone)
    renewed = call(
        seeded,
        "POST",
        f"/v1/staff/proxy-grants/{people['ana']}/{other.grant_id}/renew",
        {"ends_at": "2028-06-30"},
        token=staff_token,
    )
    assert renewed.status_code == 200, renewed.json_body
    assert renewed.json_body["ends_at"] == "2028-07-01T04:00:00Z"  # midnight in New York
    past = call(
        seeded,
        "POST",
        f"/v1/staff/proxy-grants/{people['ana']}/{other.grant_id}/renew",
        {"ends_at": "2020-01-01"},
        token=staff_token,
    )
    assert past.status_code == 400 and past.json_body["error"]["details"][0]["field"] == "ends_at"
    # A patient may not use staff's routes, and the proxy is still in force under the renewed grant.
    as_ana = call(seeded, "GET", f"/v1/staff/patients/{people['ana']}/proxies", token=people["ana_token"])
    assert as_ana.status_code == 403
    assert results(seeded, people).status_code == 200


def test_staff_export_a_grant_as_a_fhir_bundle_naming_the_patient_by_mrn(seeded, people, staff_token):
    grant = give(people["ana"], people["bob"], access=Access.READ_ONLY, areas=frozenset({Area.APPOINTMENTS}))

    exported = call(seeded, "GET", f"/v1/staff/proxy-grants/{people['ana']}/{grant.grant_id}/fhir", token=staff_token)

    assert exported.status_code == 200, exported.json_body
    person, consent = (e["resource"] for e in exported.json_body["entry"])
    assert person["resourceType"] == "RelatedPerson" and consent["resourceType"] == "Consent"
    assert consent["patient"]["identifier"] == {"system": "AMC-MRN", "value": "MRN-1001"}
    assert consent["provision"]["provision"][0]["class"] == [
        {"system": "http://hl7.org/fhir/resource-types", "code": "Appointment"}
    ]
    assert "Núñez" not in json.dumps(exported.json_body)


# -- timers ---------------------------------------------------------------------------------------


def grant_timers_due(seconds: float = 10) -> list[str]:
    """The timer messages put on the grant timers queue so far (taken off it): a bounded wait for
    the execution's thread, not for time."""
    sqs = boto3.client("sqs")
    url = wiring.container().settings.proxy_grant_timers_queue_url
    deadline = time.monotonic() + seconds
    bodies: list[str] = []
    while True:
        found = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        for message in found:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        if bodies or time.monotonic() > deadline:
            return bodies
        time.sleep(0.02)


def consume(api, bodies: list[str]) -> None:
    result = api.lambda_.invoke("on_proxy_grant_timer", sqs_event(api, bodies, TIMERS_QUEUE))
    assert result.payload == {"batchItemFailures": []}
    deliver_notifications(api)


def test_at_the_end_date_the_grant_ends_and_the_proxy_and_the_clinic_are_told(timer_clock, seeded, people):
    container = wiring.container()
    grant = give(people["ana"], people["bob"], ends_at=timer_clock.now() + timedelta(days=2))
    timer_clock.wait_for_waiting(1)

    timer_clock.advance(days=2, minutes=1)
    [due] = grant_timers_due()
    consume(seeded, [due])

    ended = container.proxy_grants.get(people["ana"], grant.grant_id)
    assert (ended.status, ended.end_reason, ended.ended_at) == (GrantStatus.ENDED, "end_date", grant.ends_at)
    assert [e.destinations["ToAddresses"] for e in update_emails()] == [["bob@example.org"]]
    [item] = [i for i in container.worklist.open_items(ORG) if i.task == "proxy_access_ended"]
    assert (item.patient_id, item.result_id) == (people["ana"], grant.grant_id)
    # A second fire of the same timer changes nothing and tells no one again.
    consume(seeded, [due])
    assert len(update_emails()) == 1
    assert len([i for i in container.worklist.open_items(ORG) if i.task == "proxy_access_ended"]) == 1


def test_at_the_12th_birthday_the_proxy_and_the_clinic_are_told_and_the_grant_stays(timer_clock, seeded, people):
    container = wiring.container()
    birthday = timer_clock.now() + timedelta(days=1)
    grant = give(people["ana"], people["bob"], relationship=Relationship.PARENT, ends_at=None, visible_until=birthday)
    timer_clock.wait_for_waiting(1)

    timer_clock.advance(days=1, minutes=1)
    consume(seeded, grant_timers_due())

    kept = container.proxy_grants.get(people["ana"], grant.grant_id)
    assert kept.status is GrantStatus.ACTIVE and kept.visible_until == birthday
    assert len(update_emails()) == 1
    assert [i.result_id for i in container.worklist.open_items(ORG) if i.task == "proxy_access_narrowed"] == [
        grant.grant_id
    ]


def test_a_year_off_is_reached_in_hops_and_a_revoked_grants_timer_is_stopped(timer_clock, seeded, people):
    container = wiring.container()
    # (ends in 365 days: more than a timer can wait; Ana consented to it, so she may revoke it)
    grant = give(people["ana"], people["bob"], consented_at=timer_clock.now())
    timer_clock.wait_for_waiting(1)

    # The first hop fires a day in, and starts the last one, which waits for the end itself.
    timer_clock.advance(days=1, minutes=1)
    [hop] = grant_timers_due()
    assert json.loads(hop)["hop"] == 1
    consume(seeded, [hop])
    timer_clock.wait_for_waiting(1)
    assert container.proxy_grants.get(people["ana"], grant.grant_id).status is GrantStatus.ACTIVE
    assert update_emails() == []

    # WHEN Ana revokes it, THEN the waiting timer is stopped
    ana_token = sign_in(seeded, "ana.nunez", "correct horse battery")
    revoked = call(seeded, "POST", f"/v1/patients/{people['ana']}/proxies/{grant.grant_id}/revoke", token=ana_token)
    assert revoked.status_code == 200
    timer_clock.wait_for_waiting(0)


# -- the record's life ----------------------------------------------------------------------------


def test_a_merge_carries_the_grants_to_the_survivor_and_the_proxy_follows(feed, seeded, people):
    container = wiring.container()
    grant = give(people["ana"], people["bob"])

    feed(*merge_into_mrn_2002("m-1"))
    feed(*merge_into_mrn_2002("m-2"))  # delivered twice: moved once

    survivor = container.patients.by_identifier(ORG, Identifier("AMC-MRN", "MRN-2002")).patient_id
    [moved] = container.proxy_grants.of_patient(survivor)
    assert (moved.grant_id, moved.status) == (grant.grant_id, GrantStatus.ACTIVE)
    [pointer] = container.proxy_grants.of_proxy(people["bob"])
    assert pointer.patient_id == survivor and pointer.status is GrantStatus.ACTIVE
    listed = call(seeded, "GET", "/v1/me/proxy-grants", token=people["bob_token"]).json_body["grants"]
    assert [(g["patient_id"], g["status"]) for g in listed] == [(survivor, "active")]
    # The merged record keeps its copy, as it keeps its chart, but marked over in the same write:
    # its list says the access moved, and nobody changes the grant through it (Ana's account
    # still opens the merged record until staff move it)
    [left] = container.proxy_grants.of_patient(people["ana"])
    assert (left.grant_id, left.status, left.end_reason) == (grant.grant_id, GrantStatus.ENDED, "merged")
    for what in ("revoke", "renew"):
        refused = call(
            seeded, "POST", f"/v1/patients/{people['ana']}/proxies/{grant.grant_id}/{what}", token=people["ana_token"]
        )
        assert refused.status_code == 409, (what, refused.json_body)
    assert container.proxy_grants.get(survivor, grant.grant_id).status is GrantStatus.ACTIVE
    # AND a merge delivered once more moves nothing and leaves the pointer as it is
    assert container.proxy_grants.move(people["ana"], survivor, container.clock.now()) == 0
    assert container.proxy_grants.of_proxy(people["bob"]) == [pointer]


def test_a_merge_never_puts_back_a_pointer_that_changed_meanwhile(seeded, people):
    # GIVEN Bob's pointer changed after the merge read the grant (another write got there first)
    container = wiring.container()
    grant = give(people["ana"], people["bob"], consented_at=container.clock.now())
    revoked = container.proxy_grants.change(
        dataclasses.replace(grant, status=GrantStatus.REVOKED, end_reason="revoked"),
        new_event(
            actor=SYSTEM_ACTOR,
            action=Action.UPDATE,
            event_type="proxy.revoked",
            outcome=Outcome.SUCCESS,
            patient_id=people["ana"],
            recorded_at=container.clock.now(),
        ),
    )
    stale_store = container.proxy_grants
    original_query = stale_store._query
    stale_store._query = lambda partition: (
        [grant] if partition.startswith("proxy-grants#") else original_query(partition)
    )
    try:
        # WHEN a merge moves the grant as it read it (active, the version before)
        moved = stale_store.move(people["ana"], "f" * 32, container.clock.now())
    finally:
        del stale_store._query
    # THEN nothing moved: the survivor has no copy, and Bob's pointer still says revoked
    assert moved == 0
    assert container.proxy_grants.of_patient("f" * 32) == []
    [pointer] = container.proxy_grants.of_proxy(people["bob"])
    assert (pointer.status, pointer.version, pointer.patient_id) == (
        GrantStatus.REVOKED,
        revoked.version,
        people["ana"],
    )


def death_a08(control: str) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|LAB|AMC|PORTAL|AMC|20261203090000||ADT^A08^ADT_A01|{control}|P|2.5.1",
            "EVN|A08|20261203090000",
            "PID|1||MRN-1001^^^AMC-MRN^MR||NUNEZ^ANA||19840309|F|||||||||||||||||||||20261202231500-0500|Y",
            "PV1|1|O",
        ]
    )


def test_a_deceased_patients_grants_end_and_the_proxies_are_told(feed, seeded, people):
    container = wiring.container()
    grant = give(people["ana"], people["bob"])
    waiting = give(people["ana"], people["bob"], status=GrantStatus.AWAITING_CONSENT)

    feed(death_a08("d-1"))
    feed(death_a08("d-2"))  # again: nothing more ends

    for kept in (grant, waiting):
        ended = container.proxy_grants.get(people["ana"], kept.grant_id)
        assert (ended.status, ended.end_reason) == (GrantStatus.ENDED, "deceased")
    deliver_notifications(seeded)
    assert len(update_emails()) == 2
    assert results(seeded, people).status_code == 404
