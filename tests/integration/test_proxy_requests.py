"""Proxy access requests through the API, against the moto-backed stores, buckets and queues: a
parent asks for access to her child's record, uploads a birth certificate through the presigned
POST, signs the form; staff match the request to the child's record and approve it, which makes
the grant (up to the 12th birthday) in the same write. And the refusals: a parent of a child of
12, an adult's guardian without documents, a file that is not what it claims, another
organization's staff, another requester."""

from __future__ import annotations

import base64
import io
import json
import urllib.parse
from datetime import date, timedelta

import boto3
import pytest
import requests
from PIL import Image

from chalicelib import wiring
from chalicelib.proxies.domain import GrantStatus
from chalicelib.proxies.request_form import FORM_VERSION
from tests.integration.conftest import deliver_notifications
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrolled,
    enrollment,
    register_and_invite,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.outbound.test_outbound_producer import on_queue
from tests.integration.test_feed_sources_admin import other_organization_admin

ORGANIZATION = "albany-medical-center"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
MOTHER = "Ana Núñez"


def years_before(today: date, years: int, days: int = 0) -> str:
    return (today.replace(year=today.year - years) - timedelta(days=days)).isoformat()


def signature() -> str:
    picture = io.BytesIO()
    Image.new("RGB", (200, 60), "white").save(picture, format="PNG")
    return base64.b64encode(picture.getvalue()).decode()


def ask(api, token: str, birth_date: str, relationship: str = "parent", **extra):
    body = {
        "organization_id": ORGANIZATION,
        "patient": {"given_name": "Emma", "family_name": "Núñez", "birth_date": birth_date},
        "relationship": relationship,
        "requester_name": MOTHER,
        "requester_phone": "518-555-0100",
        **extra,
    }
    return call(api, "POST", "/v1/proxy-requests", body, token)


def upload(api, token: str, request_id: str, content: bytes, kind: str = "birth_certificate", mime="application/pdf"):
    """What the browser does: announce the file, POST it with the upload form, ask for the check."""
    started = call(
        api,
        "POST",
        f"/v1/proxy-requests/{request_id}/documents",
        {"kind": kind, "file_name": "Emma birth certificate.pdf", "content_type": mime, "size": len(content)},
        token,
    )
    assert started.status_code == 201, started.json_body
    form = started.json_body["upload"]
    posted = requests.post(form["url"], data=form["fields"], files={"file": ("upload", content, mime)}, timeout=10)
    assert posted.status_code in (200, 204), posted.text
    document_id = started.json_body["document"]["document_id"]
    checked = call(api, "POST", f"/v1/proxy-requests/{request_id}/documents/{document_id}/check", None, token)
    return started.json_body, checked


def sign(api, token: str, request_id: str, typed_name: str = MOTHER, **extra):
    body = {"typed_name": typed_name, "signature_png": signature(), "agreed": True, "form_version": FORM_VERSION}
    return call(api, "POST", f"/v1/proxy-requests/{request_id}/sign", {**body, **extra}, token)


@pytest.fixture
def ana(clock, seeded, enrolled):
    """Ana, enrolled, signed in on the pinned clock: she asks for her daughter."""
    return enrolled.patient_id, sign_in(seeded, "ana.nunez", "correct horse battery")


@pytest.fixture
def emma(clock, seeded, staff_token) -> str:
    """Emma, 8, registered at the organization (no account of her own)."""
    body = {
        "mrn": "MRN-3003",
        "family_name": "Núñez",
        "given_names": ["Emma"],
        "birth_date": years_before(clock.now().date(), 8),
        "sex": "female",
    }
    registered = call(seeded, "POST", "/v1/staff/patients", body, staff_token)
    assert registered.status_code == 201, registered.json_body
    return registered.json_body["patient_id"]


class TestAParentsRequest:
    def test_asked_uploaded_signed_matched_and_approved_the_grant_shows_until_the_12th_birthday(
        self, clock, seeded, ana, emma, staff_token, container
    ):
        _, token = ana
        birth_date = years_before(clock.now().date(), 8)
        # GIVEN Ana asks for access to Emma, 8, and reads the form
        form = call(seeded, "GET", "/v1/proxy-requests/form", token=token)
        assert form.status_code == 200 and form.json_body["version"] == FORM_VERSION
        assert "12th birthday" in form.json_body["text"]
        made = ask(seeded, token, birth_date)
        assert made.status_code == 201, made.json_body
        request_id = made.json_body["request_id"]
        assert made.json_body["status"] == "draft" and made.json_body["organization_name"]

        # WHEN she uploads the birth certificate through the upload form and it checks out
        started, checked = upload(seeded, token, request_id, PDF)
        assert started["upload"]["fields"]["key"].startswith(f"uploads/proxy-requests/{request_id}/")
        assert "birth certificate" not in started["upload"]["fields"]["key"]  # the key is the server's
        assert checked.status_code == 200, checked.json_body
        assert checked.json_body["status"] == "ready"

        # AND signs the form
        signed = sign(seeded, token, request_id)
        assert signed.status_code == 200, signed.json_body
        assert signed.json_body["status"] == "submitted" and signed.json_body["signed_at"]

        # THEN the signed PDF is kept, and its SHA-256 is the request's
        stored = container.proxy_requests.of_requester(
            container.directory.account_by_username("ana.nunez").account_id, request_id
        )
        assert stored is not None and stored.signed is not None
        pdf = (
            boto3.client("s3")
            .get_object(Bucket=container.settings.signed_documents_bucket, Key=stored.signed.object_key)["Body"]
            .read()
        )
        assert pdf.startswith(b"%PDF") and container.signed_documents.stored(stored.signed.object_key).sha256 == (
            stored.signed.sha256
        )

        # AND staff find it in their to-do queue, with links to its files
        queue = call(seeded, "GET", "/v1/staff/proxy-requests", token=staff_token)
        assert queue.status_code == 200, queue.json_body
        [listed] = queue.json_body["requests"]
        assert listed["request_id"] == request_id and listed["matched_patient"] is None
        assert listed["requester"]["username"] == "ana.nunez"
        link = call(seeded, "GET", listed["documents"][0]["link_path"], token=staff_token)
        assert link.status_code == 200 and "birth" not in link.json_body["url"]
        form_link = call(seeded, "GET", listed["signed_form_link_path"], token=staff_token)
        assert form_link.status_code == 200, form_link.json_body
        # AND both show in the page's frame beside the request rather than download
        for answered in (link, form_link):
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(answered.json_body["url"]).query)
            assert query["response-content-type"] == ["application/pdf"]
            assert query["response-content-disposition"][0].split(";")[0] == "inline"
            assert int(query["X-Amz-Expires"][0]) <= 300

        # WHEN staff match it by record number and approve it
        matched = call(seeded, "POST", f"/v1/staff/proxy-requests/{request_id}/match", {"mrn": "MRN-3003"}, staff_token)
        assert matched.status_code == 200, matched.json_body
        assert matched.json_body["matched_patient"]["patient_id"] == emma and matched.json_body["patient_age"] == 8
        approved = call(
            seeded,
            "POST",
            f"/v1/staff/proxy-requests/{request_id}/approve",
            {"access": "full", "patient_can_consent": True},
            staff_token,
        )

        # THEN the grant is in force, shows the record up to Emma's 12th birthday and has no end
        assert approved.status_code == 200, approved.json_body
        grant = approved.json_body["grant"]
        assert approved.json_body["request"]["status"] == "approved"
        assert grant["status"] == "active" and grant["ends_at"] is None  # a child does not consent
        assert grant["visible_until"].startswith(f"{int(birth_date[:4]) + 12}{birth_date[4:]}")
        assert grant["patient_name"] == "Emma" and grant["proxy_name"] == MOTHER
        [kept] = container.proxy_grants.of_patient(emma)
        assert kept.grant_id == grant["grant_id"] and kept.status is GrantStatus.ACTIVE
        assert [g.grant_id for g in container.proxy_grants.of_proxy(kept.proxy_account_id)] == [kept.grant_id]

        # AND Ana sees it approved, and is emailed that there is an update, without a word of whom
        mine = call(seeded, "GET", f"/v1/proxy-requests/{request_id}", token=token).json_body
        assert mine["status"] == "approved" and mine["grant_id"] == grant["grant_id"]
        emails = [e for e in deliver_notifications(seeded) if "proxy access request" in e.subject]
        assert len(emails) == 1 and "/proxy-requests" in emails[0].body
        assert "Emma" not in emails[0].body and "Núñez" not in emails[0].body

        # AND the request left for the clinical systems as a QuestionnaireResponse on Emma's chart
        [sent] = [
            json.loads(m["Body"])
            for m in on_queue(container)
            if m["MessageAttributes"]["kind"]["StringValue"] == "questionnaire-response"
        ]
        assert sent["subject"]["identifier"]["value"] == "MRN-3003"
        assert sent["author"]["type"] == "RelatedPerson"

        # AND Emma's access log shows staff's review of it
        events = {e.event_type for e in container.audit_log.for_patient(emma, 50)[0]}
        assert {"proxy_request.matched", "proxy_request.approved"} <= events

    def test_a_denied_request_tells_its_reason_in_the_portal_only(self, clock, seeded, ana, staff_token):
        _, token = ana
        request_id = ask(seeded, token, years_before(clock.now().date(), 5)).json_body["request_id"]
        upload(seeded, token, request_id, PDF)
        assert sign(seeded, token, request_id).status_code == 200

        denied = call(
            seeded,
            "POST",
            f"/v1/staff/proxy-requests/{request_id}/deny",
            {"reason": "The birth certificate does not name you."},
            staff_token,
        )

        assert denied.status_code == 200, denied.json_body
        mine = call(seeded, "GET", f"/v1/proxy-requests/{request_id}", token=token).json_body
        assert mine["status"] == "denied" and mine["decision_reason"] == "The birth certificate does not name you."
        [email] = [e for e in deliver_notifications(seeded) if "proxy access request" in e.subject]
        assert "birth certificate" not in email.body
        # AND it left the to-do queue for the done one; a second decision is a conflict
        assert call(seeded, "GET", "/v1/staff/proxy-requests", token=staff_token).json_body["requests"] == []
        done = call(seeded, "GET", "/v1/staff/proxy-requests?queue=done", token=staff_token).json_body["requests"]
        assert [r["request_id"] for r in done] == [request_id]
        again = call(seeded, "POST", f"/v1/staff/proxy-requests/{request_id}/deny", {"reason": "No."}, staff_token)
        assert again.status_code == 409

    def test_a_withdrawn_request_leaves_the_queue_and_cannot_be_signed(self, clock, seeded, ana, staff_token):
        _, token = ana
        request_id = ask(seeded, token, years_before(clock.now().date(), 5)).json_body["request_id"]

        withdrawn = call(seeded, "POST", f"/v1/proxy-requests/{request_id}/withdraw", None, token)

        assert withdrawn.status_code == 200 and withdrawn.json_body["status"] == "withdrawn"
        assert sign(seeded, token, request_id).status_code == 409
        assert call(seeded, "GET", f"/v1/staff/proxy-requests/{request_id}", token=staff_token).status_code == 404
        listed = call(seeded, "GET", "/v1/proxy-requests", token=token).json_body["requests"]
        assert [(r["request_id"], r["status"]) for r in listed] == [(request_id, "withdrawn")]


class TestRefusals:
    def test_a_parent_of_a_child_of_12_is_refused_with_the_rule_in_words(self, clock, seeded, ana):
        _, token = ana

        refused = ask(seeded, token, years_before(clock.now().date(), 12))

        assert refused.status_code == 400
        assert "until the child turns 12" in refused.json_body["error"]["message"]
        assert refused.json_body["error"]["details"][0]["field"] == "relationship"
        assert call(seeded, "GET", "/v1/proxy-requests", token=token).json_body["requests"] == []

    def test_an_adults_guardian_without_documents_is_told_each_missing_kind(self, clock, seeded, ana):
        _, token = ana
        made = ask(seeded, token, "1950-02-01", "guardian_of_adult", areas=["results", "appointments"])
        assert made.status_code == 201, made.json_body
        assert made.json_body["areas"] == ["appointments", "results"]

        refused = sign(seeded, token, made.json_body["request_id"])

        assert refused.status_code == 400
        assert {"field": "documents", "issue": "missing: court order or letters of guardianship"} in refused.json_body[
            "error"
        ]["details"]

    def test_a_signature_with_another_name_is_refused(self, clock, seeded, ana):
        _, token = ana
        request_id = ask(seeded, token, years_before(clock.now().date(), 3)).json_body["request_id"]
        upload(seeded, token, request_id, PDF)

        refused = sign(seeded, token, request_id, typed_name="Maria Lopez")

        assert refused.status_code == 400
        assert [d["field"] for d in refused.json_body["error"]["details"]] == ["typed_name"]

    def test_a_file_that_is_not_what_it_claims_is_refused_and_deleted(self, clock, seeded, ana, container):
        _, token = ana
        request_id = ask(seeded, token, years_before(clock.now().date(), 3)).json_body["request_id"]

        started, checked = upload(seeded, token, request_id, EXE)

        assert checked.status_code == 200, checked.json_body
        assert checked.json_body["status"] == "refused" and "not a PDF" in checked.json_body["problem"]
        bucket = container.settings.attachments_bucket
        prefix = f"uploads/proxy-requests/{request_id}/"
        assert boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix=prefix).get("KeyCount") == 0
        # AND a refused file does not count: signing names the missing document
        refused = sign(seeded, token, request_id)
        assert refused.status_code == 400 and refused.json_body["error"]["details"][0]["field"] == "documents"

    def test_another_organizations_staff_and_another_requester_find_nothing(
        self, clock, seeded, ana, staff_token, monkeypatch
    ):
        _, token = ana
        request_id = ask(seeded, token, years_before(clock.now().date(), 3)).json_body["request_id"]
        upload(seeded, token, request_id, PDF)
        assert sign(seeded, token, request_id).status_code == 200
        # AND another patient of the organization, with a portal account of his own
        other = register_and_invite(
            seeded,
            staff_token,
            {"mrn": "MRN-2002", "family_name": "Okafor", "given_names": ["Chidi"], "birth_date": "1975-06-30"},
            email="chidi@example.org",
        )
        chidi = enrollment(other, date_of_birth="1975-06-30", family_name="okafor", username="chidi.okafor")
        assert call(seeded, "POST", "/v1/enrollments", chidi).status_code == 201
        chidi_token = sign_in(seeded, "chidi.okafor", "correct horse battery")
        for method, path in (
            ("GET", f"/v1/proxy-requests/{request_id}"),
            ("POST", f"/v1/proxy-requests/{request_id}/withdraw"),
            ("POST", f"/v1/proxy-requests/{request_id}/documents"),
        ):
            body = {"kind": "other", "file_name": "a.pdf", "content_type": "application/pdf", "size": 10}
            answer = call(seeded, method, path, body if path.endswith("documents") else None, chidi_token)
            assert answer.status_code == 404, path
        assert call(seeded, "GET", "/v1/proxy-requests", token=chidi_token).json_body["requests"] == []
        saratoga = other_organization_admin(seeded, monkeypatch)

        for path in (
            f"/v1/staff/proxy-requests/{request_id}",
            f"/v1/staff/proxy-requests/{request_id}/signed-form/link",
        ):
            assert call(seeded, "GET", path, token=saratoga).status_code == 404, path
        approve = call(
            seeded,
            "POST",
            f"/v1/staff/proxy-requests/{request_id}/approve",
            {"access": "full", "patient_can_consent": False},
            saratoga,
        )
        assert approve.status_code == 404
        assert call(seeded, "GET", "/v1/staff/proxy-requests", token=saratoga).json_body["requests"] == []
        # AND a patient never reaches staff's routes
        assert call(seeded, "GET", "/v1/staff/proxy-requests", token=token).status_code == 403

    def test_approving_needs_a_match_and_rechecks_the_age_on_the_matched_record(self, clock, seeded, ana, staff_token):
        _, token = ana
        # GIVEN Ana says her child is 3, but the record staff match was born 13 years ago
        older = {"mrn": "MRN-4004", "family_name": "Núñez", "given_names": ["Lucas"], "sex": "male"}
        older["birth_date"] = years_before(clock.now().date(), 13)
        older_id = call(seeded, "POST", "/v1/staff/patients", older, staff_token).json_body["patient_id"]
        request_id = ask(seeded, token, years_before(clock.now().date(), 3)).json_body["request_id"]
        upload(seeded, token, request_id, PDF)
        assert sign(seeded, token, request_id).status_code == 200
        approve = {"access": "read_only", "patient_can_consent": False}

        unmatched = call(seeded, "POST", f"/v1/staff/proxy-requests/{request_id}/approve", approve, staff_token)
        assert unmatched.status_code == 409 and unmatched.json_body["error"]["details"][0]["issue"] == "not_matched"

        call(seeded, "POST", f"/v1/staff/proxy-requests/{request_id}/match", {"patient_id": older_id}, staff_token)
        refused = call(seeded, "POST", f"/v1/staff/proxy-requests/{request_id}/approve", approve, staff_token)

        assert refused.status_code == 409
        assert "until the child turns 12" in refused.json_body["error"]["message"]
        assert wiring.container().proxy_grants.of_patient(older_id) == []


class TestAnAdultsAgent:
    def test_an_agents_grant_ends_in_a_year_and_waits_for_the_patients_consent(
        self, clock, seeded, ana, staff_token, container
    ):
        _, token = ana
        # GIVEN Ana's father, an adult with his own portal account, names her his health-care agent
        father = register_and_invite(
            seeded,
            staff_token,
            {"mrn": "MRN-5005", "family_name": "Núñez", "given_names": ["Luis"], "birth_date": "1950-02-01"},
            email="luis@example.org",
        )
        luis = enrollment(father, date_of_birth="1950-02-01", username="luis.nunez")
        assert call(seeded, "POST", "/v1/enrollments", luis).status_code == 201
        deliver_notifications(seeded)
        made = ask(
            seeded,
            token,
            "1950-02-01",
            "health_care_agent",
            patient={"given_name": "Luis", "family_name": "Núñez", "birth_date": "1950-02-01"},
            areas=["appointments", "messages"],
        )
        request_id = made.json_body["request_id"]
        upload(seeded, token, request_id, PDF, kind="power_of_attorney")
        assert sign(seeded, token, request_id).status_code == 200
        call(
            seeded,
            "POST",
            f"/v1/staff/proxy-requests/{request_id}/match",
            {"patient_id": father.patient_id},
            staff_token,
        )

        approved = call(
            seeded,
            "POST",
            f"/v1/staff/proxy-requests/{request_id}/approve",
            {"access": "full", "patient_can_consent": True},
            staff_token,
        )

        assert approved.status_code == 200, approved.json_body
        grant = approved.json_body["grant"]
        assert approved.json_body["request"]["status"] == "awaiting_consent"
        assert grant["status"] == "awaiting_consent" and grant["visible_until"] is None
        assert grant["areas"] == ["appointments", "messages"]
        assert grant["ends_at"][:10] == (clock.now() + timedelta(days=365)).date().isoformat()
        [kept] = container.proxy_grants.of_patient(father.patient_id)
        assert kept.status is GrantStatus.AWAITING_CONSENT
        # AND Luis is asked, by email, to answer in the portal; nobody's name is in it
        [asked] = [e for e in deliver_notifications(seeded) if e.subject.startswith("Someone has asked")]
        assert asked.destinations["ToAddresses"] == ["luis@example.org"]
        assert asked.subject == "Someone has asked for access to your record" and "/sharing" in asked.body
        assert "Ana" not in asked.body and "Núñez" not in asked.body

        # WHEN Luis agrees in the portal
        luis_token = sign_in(seeded, "luis.nunez", "correct horse battery")
        agreed = call(
            seeded,
            "POST",
            f"/v1/patients/{father.patient_id}/proxies/{grant['grant_id']}/consent",
            {"agree": True},
            luis_token,
        )
        assert agreed.status_code == 200, agreed.json_body
        # THEN the request no longer waits for his answer: Ana's request and staff's queue say approved
        assert call(seeded, "GET", f"/v1/proxy-requests/{request_id}", token=token).json_body["status"] == "approved"
        staff_view = call(seeded, "GET", f"/v1/staff/proxy-requests/{request_id}", token=staff_token).json_body
        assert staff_view["status"] == "approved"


class TestTheAnswerStaffWitness:
    def test_an_adult_without_an_account_declines_on_paper_and_the_request_says_so(
        self, clock, seeded, ana, staff_token, container
    ):
        _, token = ana
        # GIVEN Ana asks to act for her father, who has no portal account and can decide
        father = register_and_invite(
            seeded,
            staff_token,
            {"mrn": "MRN-5005", "family_name": "Núñez", "given_names": ["Luis"], "birth_date": "1950-02-01"},
            email="luis@example.org",
        )
        made = ask(
            seeded,
            token,
            "1950-02-01",
            "health_care_agent",
            patient={"given_name": "Luis", "family_name": "Núñez", "birth_date": "1950-02-01"},
        )
        request_id = made.json_body["request_id"]
        upload(seeded, token, request_id, PDF, kind="power_of_attorney")
        assert sign(seeded, token, request_id).status_code == 200
        match = {"patient_id": father.patient_id}
        assert (
            call(seeded, "POST", f"/v1/staff/proxy-requests/{request_id}/match", match, staff_token).status_code == 200
        )
        approve = {"access": "full", "patient_can_consent": True}
        approved = call(seeded, "POST", f"/v1/staff/proxy-requests/{request_id}/approve", approve, staff_token)
        grant_id = approved.json_body["grant"]["grant_id"]
        path = f"/v1/staff/proxy-grants/{father.patient_id}/{grant_id}/consent"

        # WHEN staff record that he declined on the paper form (an unknown way is refused first)
        unknown = call(seeded, "POST", path, {"agree": False, "how": "email"}, staff_token)
        assert unknown.status_code == 400 and unknown.json_body["error"]["details"][0]["field"] == "how"
        assert call(seeded, "POST", path, {"agree": False, "how": "paper_form"}, token).status_code == 403
        declined = call(seeded, "POST", path, {"agree": False, "how": "paper_form"}, staff_token)

        # THEN the grant is declined, and Ana's request is denied, saying the patient did not agree
        assert declined.status_code == 200, declined.json_body
        assert (declined.json_body["status"], declined.json_body["end_reason"]) == ("declined", "declined")
        mine = call(seeded, "GET", f"/v1/proxy-requests/{request_id}", token=token).json_body
        assert mine["status"] == "denied"
        assert mine["decision_reason"] == "The patient did not agree to give this access."
        # AND the answer is on Luis's trail as staff witnessed it
        events = container.audit_log.for_patient(father.patient_id, 100)[0]
        [witnessed] = [e for e in events if e.event_type == "proxy.declined"]
        assert witnessed.reason == "witnessed:paper_form" and witnessed.actor.role == "staff"
        # AND a second answer is refused
        again = call(seeded, "POST", path, {"agree": True, "how": "in_person"}, staff_token)
        assert again.status_code == 409


class TestTheReviewersView:
    def test_an_uploaded_picture_and_the_signed_form_open_in_the_page_not_as_downloads(
        self, clock, seeded, ana, staff_token
    ):
        # GIVEN Ana's request carries a photographed birth certificate (a PNG), and is signed
        _, token = ana
        request_id = ask(seeded, token, years_before(clock.now().date(), 8)).json_body["request_id"]
        picture = io.BytesIO()
        Image.new("RGB", (40, 20), "white").save(picture, format="PNG")
        _, checked = upload(seeded, token, request_id, picture.getvalue(), mime="image/png")
        assert checked.json_body["status"] == "ready", checked.json_body
        assert sign(seeded, token, request_id).status_code == 200

        # WHEN staff open the picture and the signed form beside the request
        shown = call(seeded, "GET", f"/v1/staff/proxy-requests/{request_id}", token=staff_token).json_body
        picture_link = call(seeded, "GET", shown["documents"][0]["link_path"], token=staff_token)
        form_link = call(seeded, "GET", shown["signed_form_link_path"], token=staff_token)

        # THEN the bucket answers each as a type the browser shows, inline (a frame would download
        # an attachment), never cached, and the file's own name is in no link
        for link, media_type in ((picture_link, "image/png"), (form_link, "application/pdf")):
            assert link.status_code == 200, link.json_body
            assert "birth" not in link.json_body["url"]
            answer = requests.get(link.json_body["url"], timeout=10)
            assert answer.status_code == 200
            assert answer.headers["Content-Type"] == media_type
            assert answer.headers["Content-Disposition"].split(";")[0] == "inline"
            assert answer.headers["Cache-Control"] == "no-store"
        assert requests.get(picture_link.json_body["url"], timeout=10).content == picture.getvalue()


class TestTheStore:
    def test_the_upload_form_carries_its_conditions(self, clock, seeded, ana):
        """moto does not enforce a presigned POST's policy: the policy the API signs is checked here."""
        from datetime import UTC, datetime

        _, token = ana
        request_id = ask(seeded, token, years_before(clock.now().date(), 3)).json_body["request_id"]
        started = call(
            seeded,
            "POST",
            f"/v1/proxy-requests/{request_id}/documents",
            {"kind": "court_order", "file_name": "order.png", "content_type": "image/png", "size": 10},
            token,
        ).json_body
        policy = json.loads(base64.b64decode(started["upload"]["fields"]["policy"]))
        assert ["content-length-range", 1, 10 * 1024 * 1024] in policy["conditions"]
        assert {"Content-Type": "image/png"} in policy["conditions"]
        assert {"key": started["upload"]["fields"]["key"]} in policy["conditions"]
        # (boto3 signs on the real clock, not the test's)
        expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
        assert timedelta(minutes=14) < expires - datetime.now(UTC) <= timedelta(minutes=15, seconds=5)
        # AND a file over 10 MB is refused before any form is made
        big = {"kind": "court_order", "file_name": "order.pdf", "content_type": "application/pdf", "size": 11 << 20}
        refused = call(seeded, "POST", f"/v1/proxy-requests/{request_id}/documents", big, token)
        assert refused.status_code == 400 and refused.json_body["error"]["details"][0]["field"] == "size"

    def test_a_change_from_a_stale_read_is_refused_and_nothing_of_it_is_kept(self, clock, seeded, ana, container):
        import dataclasses

        from chalicelib.errors import Conflict
        from chalicelib.proxies import requests as moves

        _, token = ana
        request_id = ask(seeded, token, years_before(clock.now().date(), 3)).json_body["request_id"]
        account_id = container.directory.account_by_username("ana.nunez").account_id
        stale = container.proxy_requests.of_requester(account_id, request_id)
        container.proxy_requests.change(moves.withdrawn(stale, clock.now()), None)

        with pytest.raises(Conflict):
            container.proxy_requests.change(dataclasses.replace(moves.withdrawn(stale, clock.now()), note="x"), None)

        kept = container.proxy_requests.of_organization(ORGANIZATION, request_id)
        assert kept.status.value == "withdrawn" and kept.note == "" and kept.version == stale.version + 1


class TestTheGrantsTimers:
    def test_staff_approval_starts_the_grants_timer_which_ends_it_after_its_last_day(
        self, timer_clock, seeded, enrolled, staff_token, container
    ):
        from zoneinfo import ZoneInfo

        from tests.integration.test_proxy_grants import consume, grant_timers_due

        token = sign_in(seeded, "ana.nunez", "correct horse battery")
        # GIVEN Ana asks to act for her father as his health-care agent; he cannot consent
        father = register_and_invite(
            seeded,
            staff_token,
            {"mrn": "MRN-5005", "family_name": "Núñez", "given_names": ["Luis"], "birth_date": "1950-02-01"},
            email="luis@example.org",
        )
        made = ask(
            seeded,
            token,
            "1950-02-01",
            "health_care_agent",
            patient={"given_name": "Luis", "family_name": "Núñez", "birth_date": "1950-02-01"},
        )
        request_id = made.json_body["request_id"]
        upload(seeded, token, request_id, PDF, kind="power_of_attorney")
        assert sign(seeded, token, request_id).status_code == 200
        match = {"patient_id": father.patient_id}
        assert (
            call(seeded, "POST", f"/v1/staff/proxy-requests/{request_id}/match", match, staff_token).status_code == 200
        )

        # WHEN staff approve it, in force at once, until tomorrow (the clinic's calendar)
        tomorrow = timer_clock.now().astimezone(ZoneInfo("America/New_York")).date() + timedelta(days=1)
        approved = call(
            seeded,
            "POST",
            f"/v1/staff/proxy-requests/{request_id}/approve",
            {"access": "full", "patient_can_consent": False, "ends_at": tomorrow.isoformat()},
            staff_token,
        )
        assert approved.status_code == 200, approved.json_body
        grant_id = approved.json_body["grant"]["grant_id"]
        assert approved.json_body["grant"]["status"] == "active"

        # THEN its end date's timer waits on the clock
        timer_clock.wait_for_waiting(1)
        # AND when the last day is over it fires: the grant ends, and the clinic's worklist says so
        timer_clock.advance(days=2, hours=1)
        consume(seeded, grant_timers_due())
        ended = container.proxy_grants.get(father.patient_id, grant_id)
        assert (ended.status, ended.end_reason) == (GrantStatus.ENDED, "end_date")
        assert [i.result_id for i in container.worklist.open_items(ORGANIZATION) if i.task == "proxy_access_ended"] == [
            grant_id
        ]
