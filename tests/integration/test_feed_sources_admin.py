"""Admins register their organization's feed sources through the API (GET /v1/admin/feed-sources,
PUT and DELETE /v1/admin/feed-sources/{source_id}): a sender files for one organization, another
organization cannot take it over, a removed sender's messages are no longer filed for it, and
every change is audited."""

from __future__ import annotations

import os

import pytest

from chalicelib import wiring
from chalicelib.accounts import service as accounts
from chalicelib.accounts.domain import Role
from chalicelib.audit.domain import Action, Outcome
from chalicelib.feeds.domain import FeedSource
from chalicelib.feeds.sources import source_id
from chalicelib.patients.domain import Identifier
from tests.integration.identity.conftest import ADMIN_PASSWORD, ADMIN_USER, call, seeded, sign_in, staff_token  # noqa: F401  (fixtures)
from tests.integration.records.conftest import deliver, feed_records, oru

BASE = "/v1/admin/feed-sources"
LAB = "LAB|AMC"
OTHER_ADMIN, OTHER_PASSWORD = "saratoga.admin", "saratoga-admin-password"


def other_organization_admin(api, monkeypatch) -> str:
    """Saratoga Hospital with its own admin (exempt from the second factor, as the seeded ones are)."""
    directory = wiring.container().directory
    accounts.ensure_organization(
        directory, "saratoga-hospital", "Saratoga Hospital", mrn_authority="SH-MRN", now=wiring.container().clock.now()
    )
    accounts.create_staff_account(
        directory,
        organization_id="saratoga-hospital",
        username=OTHER_ADMIN,
        password=OTHER_PASSWORD,
        role=Role.ADMIN,
        email=f"{OTHER_ADMIN}@saratoga.example",
        now=wiring.container().clock.now(),
    )
    exempt = os.environ.get("PORTAL_SECOND_FACTOR_EXEMPT_USERS", "")
    monkeypatch.setenv("PORTAL_SECOND_FACTOR_EXEMPT_USERS", f"{exempt},{OTHER_ADMIN}")
    wiring.reset()
    wiring.settings()
    return sign_in(api, OTHER_ADMIN, OTHER_PASSWORD)


def listed(api, token: str) -> list[tuple[str, str | None]]:
    answer = call(api, "GET", BASE, token=token)
    assert answer.status_code == 200, answer.json_body
    for source in answer.json_body["feed_sources"]:
        assert source["source_id"] == source_id(source["sender"])
    return [(s["sender"], s["default_authority"]) for s in answer.json_body["feed_sources"]]


def put(api, sender: str, authority, token: str):
    return call(api, "PUT", f"{BASE}/{source_id(sender)}", {"default_authority": authority}, token)


def test_an_admin_registers_a_sender_changes_its_authority_and_lists_the_organizations_senders(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    assert listed(seeded, admin) == [("*", "AMC-MRN")]  # the local stack's catch-all (infra/local/seed.py)

    added = put(seeded, LAB, "AMC-MRN", admin)
    fhir = put(seeded, "https://ehr.amc.example/fhir", None, admin)  # a FHIR endpoint: slashes and all

    assert added.status_code == 200, added.json_body
    assert added.json_body == {
        "source_id": source_id(LAB),
        "sender": LAB,
        "default_authority": "AMC-MRN",
        "authorities": [],
        "category_codes": [],
        "files_test_messages": False,
    }
    assert fhir.status_code == 200, fhir.json_body
    assert listed(seeded, admin) == [("*", "AMC-MRN"), (LAB, "AMC-MRN"), ("https://ehr.amc.example/fhir", None)]
    assert put(seeded, LAB, "2.16.840.1.113883.3.72", admin).status_code == 200
    assert (LAB, "2.16.840.1.113883.3.72") in listed(seeded, admin)
    assert wiring.container().records.feed_source(LAB).default_authority == "2.16.840.1.113883.3.72"
    account_id = wiring.container().directory.account_by_username(ADMIN_USER).account_id
    events, _ = wiring.container().audit_log.by_actor(account_id, 50)
    changes = [e for e in events if e.event_type == "feed_source.changed"]
    assert len(changes) == 3 and all((e.action, e.resource_type) == (Action.UPDATE, "Endpoint") for e in changes)


def test_another_organization_cannot_take_a_sender_over_nor_see_nor_remove_it(seeded, monkeypatch):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    assert put(seeded, LAB, "AMC-MRN", admin).status_code == 200
    other = other_organization_admin(seeded, monkeypatch)
    # While the demo organization's catch-all files every unregistered sender, even an unknown
    # one files for it: another organization cannot take it.
    assert put(seeded, "LAB|SARATOGA", "SH-MRN", other).status_code == 409
    assert call(seeded, "DELETE", f"{BASE}/{source_id('*')}", token=admin).status_code == 204

    taken = put(seeded, LAB, "SH-MRN", other)
    catch_all = put(seeded, "*", "SH-MRN", other)
    removed = call(seeded, "DELETE", f"{BASE}/{source_id(LAB)}", token=other)

    assert taken.status_code == 409 and "operator" in taken.json_body["error"]["message"]
    assert "albany" not in str(taken.json_body).lower()  # nothing of who holds it
    assert catch_all.status_code == 409
    assert removed.status_code == 404
    assert listed(seeded, other) == []
    assert wiring.container().records.feed_source(LAB).organization_id == "albany-medical-center"
    assert (LAB, "AMC-MRN") in listed(seeded, admin)
    # Albany's catch-all filed every unregistered sender until it was retired, so even Saratoga's
    # own lab may have sent Albany's records: the operator assigns it, then its admin manages it.
    assert put(seeded, "LAB|SARATOGA", "SH-MRN", other).status_code == 409
    wiring.container().records.add_feed_source(FeedSource("LAB|SARATOGA", "saratoga-hospital"))
    assert put(seeded, "LAB|SARATOGA", "SH-MRN", other).status_code == 200
    assert listed(seeded, other) == [("LAB|SARATOGA", "SH-MRN")]
    assert "LAB|SARATOGA" not in dict(listed(seeded, admin))
    other_id = wiring.container().directory.account_by_username(OTHER_ADMIN).account_id
    events, _ = wiring.container().audit_log.by_actor(other_id, 50)
    assert [(e.event_type, e.reason) for e in events if e.outcome is Outcome.DENIED] == [
        ("feed_source.changed", "files_for_another_organization")
    ] * 3


def test_a_removed_sender_is_quarantined_and_only_its_organization_takes_it_back(seeded, monkeypatch):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    assert put(seeded, LAB, "AMC-MRN", admin).status_code == 200

    for sender in (LAB, "*"):
        answer = call(seeded, "DELETE", f"{BASE}/{source_id(sender)}", token=admin)
        assert answer.status_code == 204, answer.json_body
    deliver(seeded, oru("AFTER-1", "P-100"), group_id="LAB")

    assert listed(seeded, admin) == []
    [record] = [r for key, r in feed_records().items() if key == f"{LAB}|AFTER-1"]
    assert (record.status, record.reason) == (
        "quarantined",
        "The sender is not registered to an organization (feed sources).",
    )
    assert call(seeded, "DELETE", f"{BASE}/{source_id(LAB)}", token=admin).status_code == 404  # gone already
    other = other_organization_admin(seeded, monkeypatch)
    # a retired sender is quarantined, not passed to another organization; only the organization
    # that retired it takes it back (moving it elsewhere is the operator's job)
    assert put(seeded, LAB, "SH-MRN", other).status_code == 409
    assert put(seeded, LAB, "AMC-MRN", admin).status_code == 200
    account_id = wiring.container().directory.account_by_username(ADMIN_USER).account_id
    events, _ = wiring.container().audit_log.by_actor(account_id, 50)
    assert sorted(
        (e.action.value, e.resource_type, e.resource_id) for e in events if e.event_type == "feed_source.removed"
    ) == sorted([("D", "Endpoint", source_id(LAB)), ("D", "Endpoint", source_id("*"))])


def test_shapes_are_checked_and_only_admins_manage_sources(seeded, staff_token):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    for bad_id in ("not base64!", source_id(LAB) + "==", source_id("LAB\x01AMC"), source_id("x" * 257)):
        answer = call(seeded, "PUT", f"{BASE}/{bad_id}", {"default_authority": "AMC-MRN"}, admin)
        assert answer.status_code == 400, (bad_id, answer.json_body)
    for bad_body in (
        {"default_authority": "AMC|MRN"},
        {"default_authority": 5},
        {"default_authority": "x" * 65},
        {"files_for": "saratoga-hospital"},
        ["AMC-MRN"],
    ):
        assert call(seeded, "PUT", f"{BASE}/{source_id(LAB)}", bad_body, admin).status_code == 400, bad_body
    assert call(seeded, "DELETE", f"{BASE}/not-a-source", token=admin).status_code == 404
    assert call(seeded, "GET", BASE, token=staff_token).status_code == 403
    assert call(seeded, "PUT", f"{BASE}/{source_id(LAB)}", {}, staff_token).status_code == 403
    assert listed(seeded, admin) == [("*", "AMC-MRN")]  # nothing refused was registered


def test_an_admin_declares_which_authorities_a_senders_names_stand_for(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    body = {
        "default_authority": "AMC-MRN",
        "authorities": [
            {"sent_as": "MRN", "authority": "AMC-MRN"},
            {"sent_as": "2.16.840.1.113883.3.72", "authority": "AMC-MRN"},  # an OID, written bare
        ],
    }
    answer = call(seeded, "PUT", f"{BASE}/{source_id(LAB)}", body, admin)

    assert answer.status_code == 200, answer.json_body
    assert answer.json_body["authorities"] == [
        {"sent_as": "MRN", "authority": "AMC-MRN"},
        {"sent_as": "urn:oid:2.16.840.1.113883.3.72", "authority": "AMC-MRN"},  # as matching compares it
    ]
    listed_now = call(seeded, "GET", BASE, token=admin).json_body["feed_sources"]
    assert next(s for s in listed_now if s["sender"] == LAB)["authorities"] == answer.json_body["authorities"]
    # The lab's "MRN" now files under the organization's record numbers.
    deliver(seeded, oru("CTRL-1", "P-1^^^MRN"))
    assert wiring.container().patients.by_identifier("albany-medical-center", Identifier("AMC-MRN", "P-1"))


@pytest.mark.parametrize(
    ("authorities", "words"),
    [
        ([{"sent_as": "MRN", "authority": "A"}, {"sent_as": "MRN", "authority": "B"}], "declared twice"),
        ([{"sent_as": "1.2.3", "authority": "A"}, {"sent_as": "urn:oid:1.2.3", "authority": "B"}], "declared twice"),
        ([{"sent_as": "2.16.840.1.113883.4.1", "authority": "AMC-MRN"}], "social security"),
        ([{"sent_as": "STATE", "authority": "SSN"}], "social security"),
        ([{"sent_as": "MR", "authority": "AMC-MRN"}], "type code"),
        ([{"sent_as": "MRN|X", "authority": "AMC-MRN"}], ""),
    ],
)
def test_declarations_that_cannot_hold_are_refused(seeded, authorities, words):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    answer = call(seeded, "PUT", f"{BASE}/{source_id(LAB)}", {"authorities": authorities}, admin)
    assert answer.status_code == 400, answer.json_body
    assert words in answer.json_body["error"]["message"]
    assert answer.json_body["error"]["details"][0]["field"].startswith("authorities")
    assert wiring.container().records.feed_source(LAB).organization_id == "albany-medical-center"  # the catch-all's
    assert (LAB, None) not in listed(seeded, admin)


def test_every_declaration_and_category_code_that_cannot_hold_is_named_in_one_answer(seeded):
    admin = sign_in(seeded, ADMIN_USER, ADMIN_PASSWORD)
    body = {
        "authorities": [{"sent_as": "MRN", "authority": "AMC-MRN"}, {"sent_as": "MR", "authority": "AMC-MRN"}],
        "category_codes": [
            {"code": "http://loinc.org|718-7", "category": "lab"},
            {"code": "http://loinc.org|718-7", "category": "imaging"},
        ],
    }

    answer = call(seeded, "PUT", f"{BASE}/{source_id(LAB)}", body, admin)

    assert answer.status_code == 400, answer.json_body
    details = answer.json_body["error"]["details"]
    assert [d["field"] for d in details] == ["authorities.1.sent_as", "category_codes.1.code"]
    assert all(d["issue"] for d in details)
    assert (LAB, None) not in listed(seeded, admin)  # nothing of it kept
