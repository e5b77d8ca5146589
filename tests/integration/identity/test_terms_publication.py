"""An admin publishes a new version of the Terms of Use and the Informed Consent: it is stored, the
public terms and enrollment use it, and every patient accepts it at their next sign-in."""

from __future__ import annotations

import os

import pytest

from chalicelib import wiring
from chalicelib.accounts import service as accounts
from chalicelib.accounts.domain import Role
from chalicelib.data.terms import DynamoTerms
from chalicelib.errors import Conflict
from chalicelib.identity import terms
from chalicelib.identity.terms import CachedTerms
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from infra.local.seed import ORGANIZATION_ID
from tests.integration.identity.conftest import (
    ADMIN_PASSWORD,
    ADMIN_USER,
    call,
    enrollment,
    register_and_invite,
    sign_in,
)

PATIENT_USER, PATIENT_PASSWORD = "ana.nunez", "correct horse battery"
NEW = {
    "version": "2027-01-15",
    "terms_of_use": "The portal shows your results and documents. It is not for emergencies.",
    "consent": "You agree to receive health information electronically.",
    "summary": "Says plainly what the portal does today.",
}


SHIPPED_HISTORY = [
    {"version": t.version, "summary": None, "published_at": None, "current": t is terms.SHIPPED}
    for t in (terms.SHIPPED, *terms.EARLIER_SHIPPED)
]
OTHER_ORG, OTHER_ADMIN, OTHER_PASSWORD = "saratoga-hospital", "saratoga.admin", "saratoga-admin-password"


def publish(api, token: str, **changes):
    """POST a new version; ``replaces`` is the current version the admin's page shows unless given."""
    if "replaces" not in changes:
        changes["replaces"] = call(api, "GET", "/v1/terms").json_body["version"]
    return call(api, "POST", "/v1/admin/terms", {**NEW, **changes}, token)


def other_organization_admin(api, monkeypatch) -> str:
    """An admin of a second organization of the deployment (not the one that publishes the terms)."""
    now = wiring.container().clock.now()
    directory = wiring.container().directory
    accounts.ensure_organization(directory, OTHER_ORG, "Saratoga Hospital", mrn_authority="SH-MRN", now=now)
    accounts.create_staff_account(
        directory,
        organization_id=OTHER_ORG,
        username=OTHER_ADMIN,
        password=OTHER_PASSWORD,
        role=Role.ADMIN,
        email=f"{OTHER_ADMIN}@saratoga.example",
        now=now,
    )
    exempt = os.environ.get("PORTAL_SECOND_FACTOR_EXEMPT_USERS", "")
    monkeypatch.setenv("PORTAL_SECOND_FACTOR_EXEMPT_USERS", f"{exempt},{OTHER_ADMIN}")
    wiring.reset()
    wiring.settings()  # read now: during a call the test client restores the stage's own list
    return sign_in(api, OTHER_ADMIN, OTHER_PASSWORD)


def fields_of(answer) -> set[str]:
    return {d["field"] for d in answer.json_body["error"]["details"] if "field" in d}


def test_until_an_admin_publishes_the_shipped_version_is_current_and_the_whole_history(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)

    answer = call(seeded, "GET", "/v1/admin/terms", token=admin)

    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["current"] == {**terms.SHIPPED.as_json(), "summary": None, "published_at": None}
    assert answer.json_body["history"] == SHIPPED_HISTORY
    # the local stage names the seeded organization as the one that publishes
    assert answer.json_body["publisher"] == {
        "organization_id": ORGANIZATION_ID,
        "organization_name": "Albany Medical Center",
        "caller_may_publish": True,
    }


def test_the_versions_shipped_before_stay_readable_in_full(seeded):
    # Patients who enrolled before the shipped text changed accepted 2026-11-01: it must stay readable
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    earlier = call(seeded, "GET", "/v1/admin/terms/2026-11-01", token=admin)
    assert earlier.status_code == 200, earlier.json_body
    assert earlier.json_body["published_at"] is None
    assert "message your care team" in earlier.json_body["terms_of_use"]
    assert earlier.json_body["consent"] == terms.ALL_SHIPPED["2026-11-01"].consent
    # and its label stays taken
    taken = publish(seeded, admin, version="2026-11-01")
    assert taken.status_code == 409 and fields_of(taken) == {"version"}


def test_an_admin_publishes_a_version_that_becomes_the_public_terms_and_is_audited(seeded, clock):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)

    published = publish(seeded, admin)

    assert published.status_code == 201, published.json_body
    assert published.json_body == {**NEW, "published_at": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")}
    public = call(seeded, "GET", "/v1/terms").json_body
    assert public == {k: NEW[k] for k in ("version", "terms_of_use", "consent", "summary")}
    listed = call(seeded, "GET", "/v1/admin/terms", token=admin).json_body
    assert listed["current"]["version"] == NEW["version"]
    assert [(e["version"], e["current"]) for e in listed["history"]] == [
        (NEW["version"], True),
        (terms.SHIPPED.version, False),
        *((t.version, False) for t in terms.EARLIER_SHIPPED),
    ]
    assert listed["history"][0]["summary"] == NEW["summary"]
    admin_id = wiring.container().directory.account_by_username(ADMIN_USER).account_id
    trail, _ = wiring.container().audit_log.by_actor(admin_id, 50)
    assert [e.resource_id for e in trail if e.event_type == "terms.published"] == [NEW["version"]]

    # a second version goes on top, and the first stays in the history, readable in full
    second = publish(seeded, admin, version="2027-02-01", summary="Another change.")
    assert second.status_code == 201, second.json_body
    history = call(seeded, "GET", "/v1/admin/terms", token=admin).json_body["history"]
    shipped = [terms.SHIPPED.version, *(t.version for t in terms.EARLIER_SHIPPED)]
    assert [e["version"] for e in history] == ["2027-02-01", NEW["version"], *shipped]
    first = call(seeded, "GET", f"/v1/admin/terms/{NEW['version']}", token=admin)
    assert first.status_code == 200 and first.json_body == published.json_body
    shipped = call(seeded, "GET", f"/v1/admin/terms/{terms.SHIPPED.version}", token=admin).json_body
    assert shipped["terms_of_use"] == terms.SHIPPED.terms_of_use and shipped["published_at"] is None
    assert call(seeded, "GET", "/v1/admin/terms/1999-01-01", token=admin).status_code == 404
    assert call(seeded, "GET", "/v1/admin/terms/not%20a%20label", token=admin).status_code == 404


def test_a_label_is_never_used_twice_and_a_publication_is_checked(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    shipped = publish(seeded, admin, version=terms.SHIPPED.version)
    assert shipped.status_code == 409 and fields_of(shipped) == {"version"}
    assert publish(seeded, admin).status_code == 201
    again = publish(seeded, admin, terms_of_use="Other words.")
    assert again.status_code == 409 and fields_of(again) == {"version"}
    # an earlier label that is no longer current is still taken
    assert publish(seeded, admin, version="2027-03-01").status_code == 201
    older = publish(seeded, admin)
    assert older.status_code == 409 and fields_of(older) == {"version"}

    bad_label = publish(seeded, admin, version="2027 03/01")
    assert bad_label.status_code == 400 and fields_of(bad_label) == {"version"}
    blank = publish(seeded, admin, version="v9", terms_of_use="   ", summary="\n")
    assert blank.status_code == 400 and fields_of(blank) == {"terms_of_use", "summary"}
    too_long = publish(seeded, admin, version="v9", consent="x" * 20_001)
    assert too_long.status_code == 400 and fields_of(too_long) == {"consent"}
    missing = call(seeded, "POST", "/v1/admin/terms", {"version": "v9"}, admin)
    assert missing.status_code == 400 and fields_of(missing) == {"replaces", "terms_of_use", "consent", "summary"}
    assert call(seeded, "GET", "/v1/terms").json_body["version"] == "2027-03-01"


def test_staff_and_patients_may_not_publish(enrolled, seeded, staff_token):
    patient = sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    for token in (staff_token, patient):
        assert publish(seeded, token).status_code == 403
        assert call(seeded, "GET", "/v1/admin/terms", token=token).status_code == 403
        assert call(seeded, "GET", f"/v1/admin/terms/{terms.SHIPPED.version}", token=token).status_code == 403
    assert call(seeded, "GET", "/v1/terms").json_body["version"] == terms.SHIPPED.version


def test_after_a_publication_a_patient_accepts_the_new_version_at_their_next_sign_in(enrolled, seeded):
    # GIVEN Ana is signed in, having accepted the shipped version at enrollment
    before = sign_in(seeded, PATIENT_USER, PATIENT_PASSWORD)
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)

    # WHEN an admin publishes a new version
    assert publish(seeded, admin).status_code == 201

    # THEN her open session goes on (the restriction is decided when a session opens) ...
    assert call(seeded, "GET", "/v1/me/sign-in-history", token=before).status_code == 200
    # ... and her next sign-in must accept the new version before anything else
    answer = call(seeded, "POST", "/v1/sessions", {"username": PATIENT_USER, "password": PATIENT_PASSWORD})
    assert answer.status_code == 201 and answer.json_body["must"] == "terms"
    token = answer.json_body["token"]
    me = call(seeded, "GET", "/v1/me", token=token).json_body["account"]
    assert me["terms"]["accepted_version"] == terms.SHIPPED.version
    assert me["terms"]["current_version"] == NEW["version"]
    assert call(seeded, "GET", "/v1/me/sign-in-history", token=token).status_code == 403
    old = call(seeded, "POST", "/v1/me/terms-acceptances", {"accepted_terms_version": terms.SHIPPED.version}, token)
    assert old.status_code == 400 and fields_of(old) == {"accepted_terms_version"}

    accepted = call(seeded, "POST", "/v1/me/terms-acceptances", {"accepted_terms_version": NEW["version"]}, token)

    assert accepted.status_code == 201, accepted.json_body
    assert accepted.json_body["accepted_version"] == NEW["version"]
    assert call(seeded, "GET", "/v1/me/sign-in-history", token=token).status_code == 200
    # AND the sign-in after that is free
    again = call(seeded, "POST", "/v1/sessions", {"username": PATIENT_USER, "password": PATIENT_PASSWORD})
    assert again.json_body["must"] is None


def test_enrollment_requires_the_published_version(seeded, staff_token):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    assert publish(seeded, admin).status_code == 201
    invited = register_and_invite(seeded, staff_token)

    old = call(seeded, "POST", "/v1/enrollments", enrollment(invited))
    assert old.status_code == 400 and fields_of(old) == {"accepted_terms_version"}

    new = call(seeded, "POST", "/v1/enrollments", enrollment(invited, accepted_terms_version=NEW["version"]))
    assert new.status_code == 201, new.json_body
    signed_in = call(seeded, "POST", "/v1/sessions", {"username": PATIENT_USER, "password": PATIENT_PASSWORD})
    assert signed_in.json_body["must"] is None


def test_two_publications_replacing_the_same_version_cannot_both_win(container, clock):
    store = DynamoTerms()
    assert container.terms is not None  # (binds the tables)
    first = terms.Terms("a", "terms", "consent", "first", clock.now())
    second = terms.Terms("b", "terms", "consent", "second", clock.now())
    store.publish(first, None)
    with pytest.raises(Conflict):
        store.publish(second, None)  # read before the first was published
    store.publish(second, "a")
    assert store.current() == second
    assert [e.version for e in store.history()] == ["b", "a"]


def test_only_the_admins_of_the_named_organization_publish(seeded, monkeypatch):
    # GIVEN an admin of another organization of the deployment
    other = other_organization_admin(seeded, monkeypatch)

    # WHEN they try to publish
    refused = publish(seeded, other)

    # THEN they are told who publishes, and nothing changes
    assert refused.status_code == 403, refused.json_body
    assert refused.json_body["error"]["message"] == (
        "Only the admins of Albany Medical Center publish the Terms of Use of this portal."
    )
    assert call(seeded, "GET", "/v1/terms").json_body["version"] == terms.SHIPPED.version
    assert DynamoTerms().current() is None
    other_id = wiring.container().directory.account_by_username(OTHER_ADMIN).account_id
    trail, _ = wiring.container().audit_log.by_actor(other_id, 50)
    refusals = [(e.outcome.value, e.reason) for e in trail if e.event_type == "terms.published"]
    assert refusals == [("denied", "not_the_publishing_organization")]
    # AND they still read the history, told that they do not publish
    listed = call(seeded, "GET", "/v1/admin/terms", token=other)
    assert listed.status_code == 200 and listed.json_body["history"] == SHIPPED_HISTORY
    assert listed.json_body["publisher"] == {
        "organization_id": ORGANIZATION_ID,
        "organization_name": "Albany Medical Center",
        "caller_may_publish": False,
    }
    assert call(seeded, "GET", "/v1/admin/terms/2026-11-01", token=other).status_code == 200

    # AND the named organization's admin publishes
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    assert publish(seeded, admin).status_code == 201
    assert call(seeded, "GET", "/v1/terms").json_body["version"] == NEW["version"]


def test_with_no_organization_named_nobody_publishes(seeded, monkeypatch):
    monkeypatch.setenv("PORTAL_TERMS_ORGANIZATION", "")
    wiring.reset()
    wiring.settings()
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)

    refused = publish(seeded, admin)

    assert refused.status_code == 403
    assert "shipped with the portal stays in force" in refused.json_body["error"]["message"]
    listed = call(seeded, "GET", "/v1/admin/terms", token=admin).json_body
    assert listed["publisher"] == {"organization_id": None, "organization_name": None, "caller_may_publish": False}
    assert call(seeded, "GET", "/v1/terms").json_body["version"] == terms.SHIPPED.version


def test_a_publication_is_checked_against_the_version_the_admin_read_not_a_cached_one(seeded, clock):
    # GIVEN this container has the shipped version in its cache, and the admin's page shows it
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    assert call(seeded, "GET", "/v1/terms").json_body["version"] == terms.SHIPPED.version
    # WHEN another container (its own cache of the same table) publishes a version meanwhile
    other = wiring.Container(wiring.settings(), clock)
    assert isinstance(other.terms, CachedTerms) and other.terms is not wiring.container().terms
    publisher = wiring.container().directory.account_by_username(ADMIN_USER)
    caller = Caller(publisher.account_id, "admin", ORGANIZATION_ID, "", "s", "")
    terms.publish(
        other,
        caller,
        Origin(source_ip="192.0.2.1"),
        ORGANIZATION_ID,
        "2027-01-01",
        terms.SHIPPED.version,
        "Other words.",
        "Other consent.",
        "Someone else's change.",
        clock.now(),
    )
    assert call(seeded, "GET", "/v1/terms").json_body["version"] == terms.SHIPPED.version  # (still cached here)

    # THEN a publication that replaces what the admin read is refused, saying what was published
    stale = publish(seeded, admin, replaces=terms.SHIPPED.version)
    assert stale.status_code == 409, stale.json_body
    assert fields_of(stale) == {"replaces"}
    assert "2027-01-01" in stale.json_body["error"]["message"]
    assert DynamoTerms().current().version == "2027-01-01"
    # AND once the admin has read the new version, it is replaced, though this container's cache
    # still held the old one
    fresh = publish(seeded, admin, replaces="2027-01-01")
    assert fresh.status_code == 201, fresh.json_body
    assert call(seeded, "GET", "/v1/terms").json_body["version"] == NEW["version"]
