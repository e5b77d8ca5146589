"""What a proxy sees of the record they act for, through the real API over moto: a parent sees
what is dated before the child's 12th birthday and nothing from it on, in every area; sensitive
care (by the organization's code lists and by the sender's confidentiality flag) never, while
the child sees all of it; an adult's grant limited to appointments shows no results; proxies are
told of new items only as their access shows them. Grants are written through the real store;
time moves by the pinned clock only."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chalicelib import wiring
from chalicelib.access.domain import PROXY_AREAS, Area
from chalicelib.audit.domain import Action, Actor, Outcome
from chalicelib.audit.service import new_event
from chalicelib.feeds.domain import FeedSource
from chalicelib.proxies.domain import Access, GrantStatus, ProxyGrant, Relationship, twelfth_birthday
from tests.integration.conftest import deliver_notifications, sqs_event
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    ADMIN_PASSWORD,
    ADMIN_USER,
    call,
    enrolled,
    enrollment,
    register_and_invite,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.test_release_policy import set_policy

NEW_YORK = ZoneInfo("America/New_York")
ORG = "albany-medical-center"
QUEUE = "patient-portal-clinical-inbound.fifo"
EMMA_MRN = "MRN-2001"
PROXY_SUBJECT = "There is something new in a record you have access to"


def hl7(moment: datetime) -> str:
    return f"{moment.astimezone(NEW_YORK):%Y%m%d%H%M%S}"


class Family:
    """Emma (a child whose 12th birthday is tomorrow, signed in herself) and Ana, her parent."""

    def __init__(self, api, clock, emma_id: str, birth_date: str, ana_account: str):
        self.api, self.clock, self.emma, self.birth_date, self.ana_account = (
            api,
            clock,
            emma_id,
            birth_date,
            ana_account,
        )
        self.cutoff = twelfth_birthday(birth_date, "America/New_York")
        assert self.cutoff is not None

    def tokens(self) -> tuple[str, str]:
        """Fresh sessions of the parent and the child (the clock moves further than a session idles)."""
        return (
            sign_in(self.api, "ana.nunez", "correct horse battery"),
            sign_in(self.api, "emma.child", "correct horse battery"),
        )

    def feed(self, *bodies: str) -> None:
        result = self.api.lambda_.invoke("on_clinical_feed_message", sqs_event(self.api, list(bodies), QUEUE, "LAB"))
        assert result.payload == {"batchItemFailures": []}

    def pid(self) -> str:
        return f"PID|1||{EMMA_MRN}^^^AMC-MRN^MR||Stone^Emma||{self.birth_date.replace('-', '')}|F"

    def oru(self, control: str, order: str, collected: datetime, test: str = "2345-7^Glucose^LN", *extra: str) -> str:
        return "\r".join(
            [
                f"MSH|^~\\&|LAB|AMC|||{hl7(self.clock.now())}||ORU^R01|{control}|P|2.5.1",
                self.pid(),
                *extra,
                f"OBR|1||{order}^LAB|{test}|||{hl7(collected)}|||||||||^Doctor^Gail||||||{hl7(collected)}||CH|F",
                f"OBX|1|NM|{test}||85|mg/dL|70-99|N|||F|||{hl7(collected)}",
            ]
        )

    def vitals(self, control: str, order: str, taken: datetime) -> str:
        return "\r".join(
            [
                f"MSH|^~\\&|LAB|AMC|||{hl7(self.clock.now())}||ORU^R01|{control}|P|2.5.1",
                self.pid(),
                f"OBR|1||{order}^LAB|85353-1^Vital signs^LN|||{hl7(taken)}||||||||||||||||VS|F",
                f"OBX|1|NM|8867-4^Heart rate^LN||88|/min^beats per minute|60-100|N|||F|||{hl7(taken)}",
            ]
        )

    def mdm(self, control: str, unique: str, authored: datetime) -> str:
        return "\r".join(
            [
                f"MSH|^~\\&|LAB|AMC|||{hl7(self.clock.now())}||MDM^T02|{control}|P|2.5.1",
                self.pid(),
                f"TXA|1|OV^Outpatient Visit Note|TX|{hl7(authored)}|||||^Okoro^Grace|||{unique}^EHR|||||AU",
                "OBX|1|TX|OV^Outpatient Visit Note||Growing well.||||||F",
            ]
        )

    def siu(self, control: str, filler: str, start: datetime) -> str:
        return "\r".join(
            [
                f"MSH|^~\\&|LAB|AMC|||{hl7(self.clock.now())}||SIU^S12|{control}|P|2.5.1",
                f"SCH||{filler}^AMC||||||^Check-up|30|m|^^30^{hl7(start)}^||||||||||||||Booked",
                self.pid(),
                "AIP|1||1234^Rivera^Ana^^^^MD",
            ]
        )

    def grant(self, **changes) -> ProxyGrant:
        now = self.clock.now()
        grant = ProxyGrant(
            grant_id=uuid.uuid4().hex,
            patient_id=self.emma,
            organization_id=ORG,
            proxy_account_id=self.ana_account,
            relationship=Relationship.PARENT,
            access=Access.FULL,
            areas=PROXY_AREAS,
            starts_at=now,
            ends_at=None,
            visible_until=self.cutoff,
            status=GrantStatus.ACTIVE,
            created_at=now,
            proxy_name="Ana",
            patient_name="Emma",
        )
        for name, value in changes.items():
            object.__setattr__(grant, name, value)
        event = new_event(
            actor=Actor("acct-staff", "staff"),
            action=Action.CREATE,
            event_type="proxy_grant.created",
            outcome=Outcome.SUCCESS,
            patient_id=self.emma,
            recorded_at=now,
        )
        wiring.container().proxy_grants.add(grant, event)
        return grant


@pytest.fixture
def family(clock, seeded, staff_token, enrolled, container) -> Family:
    container.records.add_feed_source(FeedSource("LAB|AMC", ORG, "AMC-MRN"))
    tomorrow = (clock.now().astimezone(NEW_YORK) + timedelta(days=1)).date()
    birth_date = tomorrow.replace(year=tomorrow.year - 12).isoformat()
    emma = {"mrn": EMMA_MRN, "family_name": "Stone", "given_names": ["Emma"], "birth_date": birth_date, "sex": "female"}
    invited = register_and_invite(seeded, staff_token, emma, email="emma@example.org")
    answer = call(
        seeded,
        "POST",
        "/v1/enrollments",
        enrollment(invited, date_of_birth=birth_date, family_name="stone", username="emma.child"),
    )
    assert answer.status_code == 201, answer.json_body
    ana = container.directory.account_by_username("ana.nunez")
    deliver_notifications(seeded)  # (the enrollment emails, out of the way)
    return Family(seeded, clock, invited.patient_id, birth_date, ana.account_id)


def listed(api, path: str, token: str, key: str) -> list[dict]:
    answer = call(api, "GET", path, token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body[key]


def proxy_notices(api) -> list:
    """Every "something new" email to a proxy so far (SES keeps what it accepted)."""
    return [e for e in deliver_notifications(api) if e.subject == PROXY_SUBJECT]


class TestAParentsScope:
    def test_sees_what_is_dated_before_the_12th_birthday_and_nothing_after_in_every_area(self, family, container):
        api, clock, emma = family.api, family.clock, family.emma
        family.grant()
        before = family.cutoff - timedelta(days=2)
        # GIVEN, before the birthday: a result, a vital sign, a note, a visit and a message
        family.feed(family.oru("c-1", "ORD-1", before), family.vitals("c-2", "VS-1", before))
        family.feed(family.mdm("c-3", "DOC-1", before), family.siu("c-4", "APT-1", family.cutoff - timedelta(hours=3)))
        _, emma_token = family.tokens()
        teams = listed(api, f"/v1/patients/{emma}/care-teams", emma_token, "care_teams")
        team = next(t["team_id"] for t in teams if t["name"] == "Primary Care")
        first = call(
            api,
            "POST",
            f"/v1/patients/{emma}/messages",
            {"team_id": team, "subject": "Rash", "body": "Itchy."},
            emma_token,
        )
        assert first.status_code == 201, first.json_body
        thread = first.json_body["thread_id"]
        # ... AND from the birthday on: the same again
        clock.advance(seconds=(family.cutoff - clock.now()).total_seconds() + 3600)
        after = family.cutoff + timedelta(minutes=30)
        family.feed(family.oru("c-5", "ORD-2", after), family.vitals("c-6", "VS-2", after))
        family.feed(family.mdm("c-7", "DOC-2", after), family.siu("c-8", "APT-2", clock.now() + timedelta(days=3)))
        ana_token, emma_token = family.tokens()
        reply = call(api, "POST", f"/v1/patients/{emma}/messages/{thread}/replies", {"body": "Worse now."}, emma_token)
        assert reply.status_code == 201, reply.json_body
        second = call(
            api,
            "POST",
            f"/v1/patients/{emma}/messages",
            {"team_id": team, "subject": "Private", "body": "Hi"},
            emma_token,
        )
        hidden_thread = second.json_body["thread_id"]

        def ids(path: str, key: str, token: str, field: str = "id") -> list[str]:
            return [item[field] for item in listed(api, f"/v1/patients/{emma}/{path}", token, key)]

        # THEN the parent sees only what came before, in every area
        results = ids("results", "results", ana_token, "result_id")
        assert len(results) == 1 and len(ids("results", "results", emma_token, "result_id")) == 2
        later = next(r for r in ids("results", "results", emma_token, "result_id") if r not in results)
        assert call(api, "GET", f"/v1/patients/{emma}/results/{later}", token=ana_token).status_code == 404
        assert call(api, "GET", f"/v1/patients/{emma}/results/{later}", token=emma_token).status_code == 200
        documents = ids("documents", "documents", ana_token, "document_id")
        all_documents = ids("documents", "documents", emma_token, "document_id")
        assert len(documents) == 1 and len(all_documents) == 2
        [later_document] = set(all_documents) - set(documents)
        missing = call(api, "GET", f"/v1/patients/{emma}/documents/{later_document}", token=ana_token)
        assert (missing.status_code, missing.json_body["error"]["message"]) == (404, "No such document.")
        assert len(ids("health-summary/vital_signs", "vital_signs", ana_token)) == 1
        assert len(ids("health-summary/vital_signs", "vital_signs", emma_token)) == 2
        history = call(api, "GET", f"/v1/patients/{emma}/health-summary/vital_signs/history", token=ana_token)
        assert [len(t["points"]) for t in history.json_body["trends"]] == [1]
        assert ids("appointments?when=upcoming", "appointments", ana_token) == []
        assert len(ids("appointments?when=upcoming", "appointments", emma_token)) == 1
        assert len(ids("appointments?when=past", "appointments", ana_token)) == 1
        threads = listed(api, f"/v1/patients/{emma}/messages", ana_token, "threads")
        assert [(t["thread_id"], t["message_count"]) for t in threads] == [(thread, 1)]
        shown = call(api, "GET", f"/v1/patients/{emma}/messages/{thread}", token=ana_token).json_body
        assert [m["body"] for m in shown["messages"]] == ["Itchy."]
        assert call(api, "GET", f"/v1/patients/{emma}/messages/{hidden_thread}", token=ana_token).status_code == 404
        own = listed(api, f"/v1/patients/{emma}/messages", emma_token, "threads")
        assert sorted(t["message_count"] for t in own) == [1, 2]

    def test_never_sees_sensitive_care_by_code_list_or_by_flag_which_the_child_and_staff_see(self, family, staff_token):
        api, emma = family.api, family.emma
        family.grant()
        before = family.cutoff - timedelta(days=2)
        # GIVEN three results before the birthday: an HIV test (on the default code lists), one the
        # lab flagged restricted (an ARV segment), and a plain one
        family.feed(
            family.oru("c-1", "ORD-1", before, "75622-1^HIV 1+2 Ab+Ag^LN"),
            family.oru("c-2", "ORD-2", before, "2345-7^Glucose^LN", "ARV|1|A|PSY^Psychiatric^HL70717"),
            family.oru("c-3", "ORD-3", before),
        )
        ana_token, emma_token = family.tokens()

        parents = listed(api, f"/v1/patients/{emma}/results", ana_token, "results")
        childs = listed(api, f"/v1/patients/{emma}/results", emma_token, "results")

        assert len(parents) == 1 and len(childs) == 3
        staffs = listed(api, f"/v1/staff/patients/{emma}/results", staff_token, "results")
        assert len(staffs) == 3
        for hidden in {r["result_id"] for r in childs} - {r["result_id"] for r in parents}:
            answer = call(api, "GET", f"/v1/patients/{emma}/results/{hidden}", token=ana_token)
            assert (answer.status_code, answer.json_body["error"]["message"]) == (404, "No such result.")
            assert call(api, "GET", f"/v1/patients/{emma}/results/{hidden}/trends", token=ana_token).status_code == 404

    def test_an_admins_code_list_applies_at_once(self, family):
        api, emma = family.api, family.emma
        family.grant()
        family.feed(family.oru("c-1", "ORD-1", family.cutoff - timedelta(days=2)))
        ana_token, _ = family.tokens()
        assert len(listed(api, f"/v1/patients/{emma}/results", ana_token, "results")) == 1
        admin = sign_in(api, ADMIN_USER, ADMIN_PASSWORD)
        lists = call(api, "GET", "/v1/admin/sensitive-codes", token=admin).json_body
        hiv = next(c for c in lists["categories"] if c["category"] == "hiv")
        hiv["codes"].append({"system": "http://loinc.org", "code": "2345-7", "display": "Glucose (for the test)"})

        changed = call(api, "PUT", "/v1/admin/sensitive-codes", lists, admin)

        assert changed.status_code == 200, changed.json_body
        assert listed(api, f"/v1/patients/{emma}/results", ana_token, "results") == []

    def test_is_told_of_something_new_only_as_its_access_shows_it(self, family):
        family.grant()
        # GIVEN a plain result released before the birthday: the parent is told, once
        family.feed(family.oru("c-1", "ORD-1", family.cutoff - timedelta(days=2)))
        [told] = proxy_notices(family.api)
        assert told.destinations["ToAddresses"] == ["ana@example.org"]
        # ... WHEN an HIV test is released (sensitive care): nothing more
        family.clock.advance(hours=1)
        family.feed(family.oru("c-2", "ORD-2", family.cutoff - timedelta(days=1), "75622-1^HIV 1+2 Ab+Ag^LN"))
        assert proxy_notices(family.api) == [told]
        # ... AND after it, a plain result
        family.clock.advance(seconds=(family.cutoff - family.clock.now()).total_seconds() + 3600)
        family.feed(family.oru("c-3", "ORD-3", family.cutoff + timedelta(minutes=5)))
        assert proxy_notices(family.api) == [told]
        # (while the child is told of each, as ever)
        childs = [e for e in deliver_notifications(family.api) if e.destinations["ToAddresses"] == ["emma@example.org"]]
        assert sum(e.subject == "Something new is waiting in your patient portal" for e in childs) == 3

    def test_is_told_when_staff_release_early_what_a_policy_delayed(self, family, staff_token):
        api, emma = family.api, family.emma
        family.grant()
        set_policy(api, {"category:lab": 3600})
        family.feed(family.oru("c-1", "ORD-1", family.cutoff - timedelta(days=2)))
        assert proxy_notices(api) == []
        ana_token, emma_token = family.tokens()
        [waiting] = listed(api, f"/v1/patients/{emma}/upcoming-releases", ana_token, "upcoming")

        released = call(api, "POST", f"/v1/staff/results/{waiting['result_id']}/release", None, staff_token)

        assert released.status_code == 200, released.json_body
        assert len(proxy_notices(api)) == 1
        assert len(listed(api, f"/v1/patients/{emma}/results", ana_token, "results")) == 1


class TestAnAdultsGrant:
    def test_limited_to_appointments_shows_no_results(self, family):
        api, emma = family.api, family.emma
        family.grant(
            relationship=Relationship.HEALTH_CARE_AGENT,
            visible_until=None,
            areas=frozenset({Area.APPOINTMENTS}),
            ends_at=family.clock.now() + timedelta(days=365),
        )
        family.feed(family.oru("c-1", "ORD-1", family.clock.now() - timedelta(days=1)))
        ana_token, _ = family.tokens()

        assert call(api, "GET", f"/v1/patients/{emma}/results", token=ana_token).status_code == 404
        assert call(api, "GET", f"/v1/patients/{emma}/appointments", token=ana_token).status_code == 200


class TestTheSensitiveCodeLists:
    def test_only_admins_and_every_wrong_field_is_named(self, family, staff_token):
        api = family.api
        admin = sign_in(api, ADMIN_USER, ADMIN_PASSWORD)
        assert call(api, "GET", "/v1/admin/sensitive-codes", token=staff_token).status_code in (403, 404)
        bad = call(
            api,
            "PUT",
            "/v1/admin/sensitive-codes",
            {
                "categories": [
                    {"category": "astrology", "codes": []},
                    {"category": "hiv", "codes": [{"system": "http://loinc.org", "code": ""}]},
                ]
            },
            admin,
        )
        assert bad.status_code == 400
        assert {d["field"] for d in bad.json_body["error"]["details"]} >= {
            "categories.0.category",
            "categories.1.codes.0.code",
        }
        twice = {"categories": [{"category": "hiv", "codes": []}, {"category": "hiv", "codes": []}]}
        answer = call(api, "PUT", "/v1/admin/sensitive-codes", twice, admin)
        assert answer.status_code == 400 and answer.json_body["error"]["details"][0]["field"] == "categories.1.category"


def rde(family: Family, control: str, placer: str, drug: str, authored: datetime) -> str:
    """A pharmacy order for Emma: two refills, no schedule, no end date (so one she may refill)."""
    return "\r".join(
        [
            f"MSH|^~\\&|PHARM|AMC|PORTAL|AMC|{hl7(family.clock.now())}||RDE^O11^RDE_O11|{control}|P|2.5.1",
            family.pid(),
            f"ORC|NW|{placer}^EHR|F{placer}^PHARM||IP||||{hl7(authored)}|||1234^Okoro^Grace^^^^MD",
            f"RXE||{drug}|1||TAB^tablet|||||||2|||RX-{placer}",
        ]
    )


class TestWhatAProxyReadsBeyondTheResults:
    def test_a_result_coded_by_the_labs_own_code_first_is_hidden_by_its_loinc_alternate(self, family):
        api, emma = family.api, family.emma
        family.grant()
        # GIVEN an HIV test the lab codes by its own code, with the LOINC code as the alternate
        family.feed(
            family.oru("c-1", "ORD-1", family.cutoff - timedelta(days=2), "HIVAB^HIV 1/2 Ab^L^7918-6^HIV 1+2 Ab^LN")
        )
        ana_token, emma_token = family.tokens()

        # THEN the parent does not see it; the child does, by the lab's name, both codes kept
        assert listed(api, f"/v1/patients/{emma}/results", ana_token, "results") == []
        [result] = listed(api, f"/v1/patients/{emma}/results", emma_token, "results")
        assert result["name"] == "HIV 1/2 Ab"
        assert [(c["system"], c["code"]) for c in result["code"]["codings"]] == [("L", "HIVAB"), ("LN", "7918-6")]

    def test_refill_requests_for_a_medication_the_proxy_may_not_see_are_not_shown(self, family):
        api, emma = family.api, family.emma
        wiring.container().records.add_feed_source(FeedSource("PHARM|AMC", ORG, "AMC-MRN"))
        family.grant()
        authored = family.cutoff - timedelta(days=20)
        # GIVEN two prescriptions: one for blood pressure, and PrEP (on the default lists by RxNorm)
        for body in (
            rde(family, "rx-1", "PL-1", "314076^Lisinopril 10 mg tablet^RXNORM", authored),
            rde(family, "rx-2", "PL-2", "276237^Emtricitabine and tenofovir tablet^RXNORM", authored),
        ):
            event = sqs_event(api, [body], QUEUE, group_id="PHARM")
            assert api.lambda_.invoke("on_clinical_feed_message", event).payload == {"batchItemFailures": []}
        ana_token, emma_token = family.tokens()
        # ... for each of which Emma asks for a refill
        own = {m["name"]: m for m in listed(api, f"/v1/patients/{emma}/medications", emma_token, "medications")}
        asked = {}
        for name, medication in own.items():
            body = {"medication_id": medication["medication_id"], "pharmacy": {"name": "Main Street Pharmacy"}}
            answer = call(api, "POST", f"/v1/patients/{emma}/refill-requests", body, emma_token)
            assert answer.status_code == 201, answer.json_body
            asked[name] = answer.json_body["request_id"]
        prep = asked["Emtricitabine and tenofovir tablet"]

        # THEN the parent sees the blood pressure one only, listed or asked for by id, nowhere PrEP's name
        shown = listed(api, f"/v1/patients/{emma}/refill-requests", ana_token, "refill_requests")
        assert [r["medication"]["name"] for r in shown] == ["Lisinopril 10 mg tablet"]
        missing = call(api, "GET", f"/v1/patients/{emma}/refill-requests/{prep}", token=ana_token)
        assert (missing.status_code, missing.json_body["error"]["message"]) == (404, "No such refill request.")
        assert [m["name"] for m in listed(api, f"/v1/patients/{emma}/medications", ana_token, "medications")] == [
            "Lisinopril 10 mg tablet"
        ]
        # (while Emma sees both)
        assert len(listed(api, f"/v1/patients/{emma}/refill-requests", emma_token, "refill_requests")) == 2
        assert call(api, "GET", f"/v1/patients/{emma}/refill-requests/{prep}", token=emma_token).status_code == 200

    def test_a_proxy_reading_a_conversation_leaves_it_unread_for_the_patient(self, family, staff_token):
        api, emma = family.api, family.emma
        family.grant()
        _, emma_token = family.tokens()
        teams = listed(api, f"/v1/patients/{emma}/care-teams", emma_token, "care_teams")
        team = next(t["team_id"] for t in teams if t["name"] == "Primary Care")
        started = call(
            api,
            "POST",
            f"/v1/patients/{emma}/messages",
            {"team_id": team, "subject": "Rash", "body": "Itchy."},
            emma_token,
        )
        thread = started.json_body["thread_id"]
        replied = call(api, "POST", f"/v1/staff/messages/{thread}/replies", {"body": "Come in on Monday."}, staff_token)
        assert replied.status_code == 201, replied.json_body
        ana_token, emma_token = family.tokens()

        # WHEN the parent opens the conversation and marks it read
        opened = call(api, "GET", f"/v1/patients/{emma}/messages/{thread}", token=ana_token)
        assert [m["body"] for m in opened.json_body["messages"]] == ["Itchy.", "Come in on Monday."]
        assert call(api, "POST", f"/v1/patients/{emma}/messages/{thread}/read", token=ana_token).status_code == 204

        # THEN Emma still has the care team's reply unread
        assert listed(api, f"/v1/patients/{emma}/messages", emma_token, "threads")[0]["unread_count"] == 1
        assert call(api, "GET", f"/v1/patients/{emma}/messages", token=emma_token).json_body["unread_count"] == 1
        # ... and a thread the parent may not see is still not found to them
        assert call(api, "POST", f"/v1/patients/{emma}/messages/{'0' * 32}/read", token=ana_token).status_code == 404


class TestAGrantsAreas:
    @pytest.mark.parametrize(
        ("areas", "shown"),
        [
            ({Area.HEALTH_SUMMARY}, {"allergies", "conditions", "immunizations", "vital_signs"}),
            ({Area.MEDICATIONS}, {"medications"}),
            ({Area.APPOINTMENTS}, {"visits", "appointments"}),
        ],
    )
    def test_each_health_summary_section_opens_with_its_own_area(self, family, areas, shown):
        api, emma = family.api, family.emma
        family.grant(
            relationship=Relationship.HEALTH_CARE_AGENT,
            visible_until=None,
            areas=frozenset(areas),
            ends_at=family.clock.now() + timedelta(days=365),
        )
        ana_token, _ = family.tokens()
        sections = ("allergies", "conditions", "medications", "immunizations", "visits", "appointments", "vital_signs")

        answers = {s: call(api, "GET", f"/v1/patients/{emma}/health-summary/{s}", token=ana_token) for s in sections}

        assert {s for s, a in answers.items() if a.status_code == 200} == shown
        assert all(a.json_body["error"]["message"] == "No such patient." for s, a in answers.items() if s not in shown)
