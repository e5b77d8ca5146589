"""Proxy access as ONE journey over real HTTP, on a stack of its own (its clock moves past a child's
12th birthday, which would shift the time of every journey sharing a stack):

a parent with no record of their own is invited by staff and enrolls; they ask for access to their
11-year-old daughter, upload a birth certificate through the presigned form and sign the request
form; staff match the request to the child's record and approve. The parent sees her results filed
before the birthday, but not a sensitive one (an HIV test, on the organization's code lists) even
though it is older than the cutoff. The clock moves past the 12th birthday and a result collected
after it is filed: staff see it, the parent does not (list, the result itself, its trend), while the
older results remain. An adult guardian's request without documents is refused naming what is
missing. An adult patient grants the parent access limited to appointments: the parent reads her
appointments but no results; she revokes it, and the parent's next call is 404.
"""

from __future__ import annotations

import urllib.parse
import uuid
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.e2e.conftest import RunningPortal, eventually, running_portal
from tests.e2e.test_dev_clock import clock_now
from tests.e2e.test_dev_clock import post as post_dev
from tests.e2e.test_identity_journey import PASSWORD, Api, staff_token
from tests.e2e.test_refill_journey import dana_signs_in
from tests.e2e.test_signed_forms_journey import drawn_signature

pytestmark = pytest.mark.e2e

NEW_YORK = ZoneInfo("America/New_York")  # the demo organization's zone: HL7 times are its wall clock
# A small real PDF: what a parent's scan of a birth certificate is, as far as the sniffing goes.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
    b"3 0 obj<</Type/Page/MediaBox[0 0 612 792]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)
HIV_TEST = "75622-1^HIV 1 and 2 Ag+Ab [Presence] in Serum or Plasma by Immunoassay^LN"
GLUCOSE = "2345-7^Glucose [Mass/volume] in Serum or Plasma^LN"
HEMOGLOBIN = "718-7^Hemoglobin [Mass/volume] in Blood^LN"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_portal(tmp_path_factory.mktemp("proxy-done-when")) as running:
        yield running


def hl7_time(moment: datetime) -> str:
    return moment.astimezone(NEW_YORK).strftime("%Y%m%d%H%M%S")


def oru(mrn: str, birth_date: str, test: str, value: str, collected: datetime) -> str:
    """A lab's ORU^R01 for the child: one observation, collected at ``collected``."""
    filler = f"FL-{uuid.uuid4().hex[:8]}"
    at = hl7_time(collected)
    segments = [
        f"MSH|^~\\&|LAB|AMC|PORTAL|AMC|{at}||ORU^R01^ORU_R01|E2E-{uuid.uuid4().hex[:10]}|P|2.5.1",
        f"PID|1||{mrn}^^^AMC-MRN^MR||Rivera^Emma||{birth_date.replace('-', '')}|F",
        f"ORC|RE|PL-{filler}^EPIC|{filler}^LAB||CM||||{at}|||1234^Okoro^Grace^^^Dr^MD",
        f"OBR|1|PL-{filler}^EPIC|{filler}^LAB|{test}|||{at}|||||||||1234^Okoro^Grace^^^Dr^MD||||||{at}||CH|F",
        f"OBX|1|NM|{test}||{value}|mg/dL|70-99|N|||F|||{at}|||||||||AMC Core Laboratory",
    ]
    return "\r".join(segments) + "\r"


def test_a_parent_sees_her_child_until_twelve_never_the_sensitive_and_an_adults_grant_holds(
    stack: RunningPortal, tmp_path: Path
):
    api = Api(stack)
    terms = api.call("GET", "/v1/terms").json()["version"]

    def session(username: str) -> str:
        """A fresh session: the stack ends one idle for six seconds, and a moved clock idles it."""
        answer = api.call("POST", "/v1/sessions", {"username": username, "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        return answer.json()["token"]

    def call(method: str, path: str, body=None, token: str = "") -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        return api.http.request(method, api.url + path, json=body, headers=headers, timeout=30)

    def feed(name: str, message: str) -> None:
        path = tmp_path / name
        path.write_text(message)
        sent = stack.feed(path)
        assert sent.returncode == 0 and "filed" in sent.stdout, sent.stdout + sent.stderr

    def staff_results(patient_id: str) -> list[dict]:
        return call("GET", f"/v1/staff/patients/{patient_id}/results", token=staff_token(api)).json()["results"]

    # GIVEN a child registered at the clinic, who turns 12 in five days on the stack's clock
    now = clock_now(stack)
    birthday = (now + timedelta(days=5)).astimezone(NEW_YORK).date()
    born = birthday.replace(year=birthday.year - 12).isoformat()
    suffix = uuid.uuid4().hex[:8]
    mrn = f"E2E-CHILD-{suffix}"
    registered = call(
        "POST",
        "/v1/staff/patients",
        {"mrn": mrn, "family_name": "Rivera", "given_names": ["Emma"], "birth_date": born, "sex": "female"},
        staff_token(api),  # a fresh session each time: the stack ends one idle for six seconds
    )
    assert registered.status_code == 201, registered.text
    child_id = registered.json()["patient_id"]
    # ... with a glucose result from a month ago and an HIV test from three weeks ago, both before the birthday
    feed("glucose.hl7", oru(mrn, born, GLUCOSE, "88", now - timedelta(days=30)))
    feed("hiv.hl7", oru(mrn, born, HIV_TEST, "0", now - timedelta(days=21)))
    filed = eventually(lambda: (lambda rs: rs if len(rs) == 2 else None)(staff_results(child_id)), seconds=30)
    assert filed, "the child's results were not filed"
    by_code = {r["code"]["code"]: r["result_id"] for r in filed}

    # AND a parent without a portal account, whom staff invite to open one with no record of its own
    parent_email = f"parent.{suffix}@example.org"
    invited = call(
        "POST",
        "/v1/staff/proxy-invitations",
        {"email": parent_email, "given_name": "Luis", "family_name": "Rivera", "birth_date": "1985-02-14"},
        staff_token(api),
    )
    assert invited.status_code == 201, invited.text
    emails = eventually(lambda: [e for e in api.mailbox() if e["to"] == [parent_email]], seconds=30)
    assert emails and "Rivera" not in emails[0]["text"] and born not in emails[0]["text"]  # no PHI in the email
    link = urllib.parse.urlsplit(emails[0]["links"][0])
    code = (urllib.parse.parse_qs(link.query) or urllib.parse.parse_qs(link.fragment))["code"][0]
    parent_user = f"e2e.parent.{suffix}"
    enrolled = api.call(
        "POST",
        "/v1/enrollments",
        {
            "invitation_code": code,
            "date_of_birth": "1985-02-14",
            "family_name": "rivera",
            "username": parent_user,
            "password": PASSWORD,
            "email": parent_email,
            "accepted_terms_version": terms,
        },
    )
    assert enrolled.status_code == 201, enrolled.text
    me = call("GET", "/v1/me", token=session(parent_user)).json()
    assert me["patient"] is None and me["acting_for"] == []

    # WHEN the parent asks for access to the child, uploads a birth certificate and signs the form
    asked = call(
        "POST",
        "/v1/proxy-requests",
        {
            "organization_id": me["account"]["organization_id"],
            "patient": {"given_name": "Emma", "family_name": "Rivera", "birth_date": born, "identifier": mrn},
            "relationship": "parent",
            "requester_name": "Luis Rivera",
        },
        session(parent_user),
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request_id"]
    started = call(
        "POST",
        f"/v1/proxy-requests/{request_id}/documents",
        {
            "kind": "birth_certificate",
            "file_name": "birth certificate.pdf",
            "content_type": "application/pdf",
            "size": len(PDF),
        },
        session(parent_user),
    )
    assert started.status_code == 201, started.text
    form = started.json()["upload"]
    posted = requests.post(
        form["url"], data=form["fields"], files={"file": ("birth certificate.pdf", PDF, "application/pdf")}, timeout=30
    )
    assert posted.status_code in (200, 201, 204), posted.text
    document_id = started.json()["document"]["document_id"]
    checked = call("POST", f"/v1/proxy-requests/{request_id}/documents/{document_id}/check", token=session(parent_user))
    assert checked.status_code == 200 and checked.json()["status"] == "ready", checked.text
    request_form = call("GET", "/v1/proxy-requests/form", token=session(parent_user)).json()
    signed = call(
        "POST",
        f"/v1/proxy-requests/{request_id}/sign",
        {
            "typed_name": "Luis Rivera",
            "signature_png": drawn_signature(),
            "agreed": True,
            "form_version": request_form["version"],
        },
        session(parent_user),
    )
    assert signed.status_code == 200 and signed.json()["status"] == "submitted", signed.text

    # AND staff find it in their queue, see the document, match the child by MRN and approve
    queue = call("GET", "/v1/staff/proxy-requests?queue=to_do", token=staff_token(api)).json()["requests"]
    assert request_id in [r["request_id"] for r in queue]
    link = call("GET", f"/v1/staff/proxy-requests/{request_id}/documents/{document_id}/link", token=staff_token(api))
    assert link.status_code == 200 and requests.get(link.json()["url"], timeout=30).content == PDF
    matched = call("POST", f"/v1/staff/proxy-requests/{request_id}/match", {"mrn": mrn}, staff_token(api))
    assert matched.status_code == 200 and matched.json()["matched_patient"]["patient_id"] == child_id, matched.text
    approved = call(
        "POST",
        f"/v1/staff/proxy-requests/{request_id}/approve",
        {"access": "full", "patient_can_consent": False},
        staff_token(api),
    )
    assert approved.status_code == 200, approved.text
    grant = approved.json()["grant"]
    assert grant["status"] == "active" and grant["visible_until"].startswith(birthday.isoformat())

    # THEN the parent acts for the child: her glucose shows, the HIV test (sensitive) never does
    acting = call("GET", "/v1/me", token=session(parent_user)).json()["acting_for"]
    assert [a["patient_id"] for a in acting] == [child_id]
    results_path = f"/v1/patients/{child_id}/results"
    seen = call("GET", results_path, token=session(parent_user)).json()["results"]
    assert [r["result_id"] for r in seen] == [by_code["2345-7"]]
    hidden = call("GET", f"{results_path}/{by_code['75622-1']}", token=session(parent_user))
    assert hidden.status_code == 404, hidden.text
    assert call("GET", f"/v1/patients/{child_id}/access-log", token=session(parent_user)).status_code == 404

    # WHEN the clock moves past her 12th birthday and a result collected after it is filed
    after = datetime.combine(birthday, datetime.min.time(), tzinfo=NEW_YORK) + timedelta(days=1, hours=9)
    status, moved = post_dev(stack, "/dev/clock", {"set": after.isoformat()})
    assert status == 200, moved
    feed("hemoglobin.hl7", oru(mrn, born, HEMOGLOBIN, "12.9", after - timedelta(hours=1)))
    newer = eventually(lambda: (lambda rs: rs if len(rs) == 3 else None)(staff_results(child_id)), seconds=30)
    assert newer, "the result after the birthday was not filed"
    after_id = next(r["result_id"] for r in newer if r["code"]["code"] == "718-7")

    # THEN staff see it (above) and the parent does not, anywhere; what came before stays
    assert [r["result_id"] for r in call("GET", results_path, token=session(parent_user)).json()["results"]] == [
        by_code["2345-7"]
    ]
    assert call("GET", f"{results_path}/{after_id}", token=session(parent_user)).status_code == 404
    assert call("GET", f"{results_path}/{after_id}/trends", token=session(parent_user)).status_code == 404
    assert call("GET", f"{results_path}/{by_code['2345-7']}", token=session(parent_user)).status_code == 200
    # AND an adult guardian's request without documents is refused, naming what is missing
    dana_id, _ = dana_signs_in(api)
    guardian = call(
        "POST",
        "/v1/proxy-requests",
        {
            "organization_id": me["account"]["organization_id"],
            "patient": {"given_name": "Dana", "family_name": "Rivera", "birth_date": "1980-04-12"},
            "relationship": "guardian_of_adult",
            "requester_name": "Luis Rivera",
        },
        session(parent_user),
    )
    assert guardian.status_code == 201, guardian.text
    unsigned = call(
        "POST",
        f"/v1/proxy-requests/{guardian.json()['request_id']}/sign",
        {
            "typed_name": "Luis Rivera",
            "signature_png": drawn_signature(),
            "agreed": True,
            "form_version": request_form["version"],
        },
        session(parent_user),
    )
    assert unsigned.status_code == 400 and "court order" in unsigned.text, unsigned.text

    # WHEN Dana, an adult patient, lets the parent see her appointments only
    dana = session("dana.rivera")
    shared = call(
        "POST",
        f"/v1/patients/{dana_id}/proxies",
        {
            "name": "Luis Rivera",
            "email": parent_email,
            "relationship": "trusted_person",
            "access": "read_only",
            "areas": ["appointments"],
        },
        dana,
    )
    assert shared.status_code == 201, shared.text
    trusted = eventually(
        lambda: [e for e in api.mailbox() if e["to"] == [parent_email] and "#code=" in " ".join(e["links"])], seconds=30
    )
    assert trusted, "no invitation reached the trusted person"
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(trusted[0]["links"][0]).fragment)["code"][0]
    redeemed = call("POST", "/v1/proxy-invitations/redeem", {"code": code}, session(parent_user))
    assert redeemed.status_code == 200 and redeemed.json()["status"] == "active", redeemed.text

    # THEN the parent reads her appointments but none of her results
    assert call("GET", f"/v1/patients/{dana_id}/appointments", token=session(parent_user)).status_code == 200
    assert call("GET", f"/v1/patients/{dana_id}/results", token=session(parent_user)).status_code == 404
    # ... and the access log shows Dana the proxy's read
    log = call("GET", f"/v1/patients/{dana_id}/access-log", token=session("dana.rivera")).json()
    assert any(e["who"] == "proxy" for e in log["events"]), log

    # WHEN she revokes it, THEN the parent's next call is refused as for an unknown patient
    revoked = call(
        "POST", f"/v1/patients/{dana_id}/proxies/{redeemed.json()['grant_id']}/revoke", token=session("dana.rivera")
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked", revoked.text
    assert call("GET", f"/v1/patients/{dana_id}/appointments", token=session(parent_user)).status_code == 404
