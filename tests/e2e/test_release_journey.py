"""Issue 4, "Done when", over real HTTP against the local stack and through the real inbound FIFO
queue: a feed message for a new patient, an invitation, enrollment, and the patient sees the
released results and documents, not the held ones; a corrected result shows as a new version; a
delayed result appears after its timer (a few seconds here) and the email arrives.

The admin sets the release policy first (pathology 8 s, imaging an hour). An ADT registers a new
patient; a discharge summary (MDM) and a FHIR health summary follow. Staff find her by MRN and
invite her; she enrolls. Then a pathology and an imaging result arrive: neither is shown, both
are listed as upcoming without values; staff hold the imaging one; the pathology one appears
when its Step Functions timer fires, which also sends the "something waiting" email and inbox
notice; a correction of it shows as version 2.

Why the document comes before enrollment: the "something waiting" notice is one per patient per
ten minutes (release.notices.waiting_notice folds every notice of the window into one email). A
document released at once while she is enrolled would send that window's email itself, and the
email after the pathology timer would prove nothing about the timer. Filed before she has portal
access, the document tells nobody, so the first email she gets is the timer's.

The stack is the shared one (conftest.py): the release policy is the demo organization's, so it
is put back as it was when the test ends; sessions end after 6 s idle, so each is kept busy or
opened afresh.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.e2e.conftest import E2E_ENVIRONMENT, RunningPortal, eventually
from tests.e2e.test_identity_journey import PASSWORD, Api, invitation_code, staff_token

pytestmark = pytest.mark.e2e

# The demo admin (infra/local/seed.py defaults; exempt from a second factor locally, .chalice/config.json)
ADMIN_USER = E2E_ENVIRONMENT.get("PORTAL_DEMO_ADMIN_USER", "demo.admin")
ADMIN_PASSWORD = E2E_ENVIRONMENT.get("PORTAL_DEMO_ADMIN_PASSWORD", "albany-admin-demo")
INBOUND_QUEUE = "patient-portal-clinical-inbound.fifo"
WAITING_SUBJECT = "Something new is waiting in your patient portal"
# seconds: long enough for the feed (through the poller) and her first look to happen before it,
# also on a busy machine running other tests in parallel
PATHOLOGY_DELAY = 8
IMAGING_DELAY = 3600
TIMER_SECONDS = 30  # how long a Step Functions Wait plus the notifications poller may take in moto
DISCHARGE_TEXT = "You were treated for a skin infection. Finish the antibiotic and see your doctor in a week."


# -- the messages, as the EHR, the lab and the radiology system send them -----------------------------


def hl7_time(moment: datetime) -> str:
    return moment.strftime("%Y%m%d%H%M%S")


def hl7(*segments: str) -> str:
    return "\r".join(segments) + "\r"


class NewPatient:
    family_name, given_name, birth_date = "Okafor", "Amara", "1991-07-22"

    def __init__(self):
        self.suffix = uuid.uuid4().hex[:8]
        self.mrn = f"AMC-2{random.randrange(100000):05d}"
        self.email = f"amara.okafor.{self.suffix}@example.org"
        self.username = f"e2e.amara.{self.suffix}"
        self.patient_id = ""

    def pid(self) -> str:
        return (
            f"PID|1||{self.mrn}^^^AMC-MRN^MR||{self.family_name}^{self.given_name}^J||"
            f"{self.birth_date.replace('-', '')}|F|||7 Elm St^^Albany^NY^12208"
        )

    def control_id(self, what: str) -> str:
        return f"E2E-{what}-{self.suffix}"

    def registration(self, now: datetime) -> str:
        return hl7(
            f"MSH|^~\\&|EPIC|AMC|PORTAL|AMC|{hl7_time(now)}||ADT^A04^ADT_A01|{self.control_id('ADT')}|P|2.5.1",
            f"EVN|A04|{hl7_time(now)}",
            self.pid(),
            "PV1|1|O|AMC-FM^^^AMC||||1234^Okoro^Grace^^^Dr^MD",
        )

    def discharge_summary(self, now: datetime) -> str:
        at = hl7_time(now - timedelta(minutes=5))
        return hl7(
            f"MSH|^~\\&|EPIC|AMC|PORTAL|AMC|{hl7_time(now)}||MDM^T02^MDM_T02|{self.control_id('MDM')}|P|2.5.1",
            f"EVN|T02|{hl7_time(now)}",
            self.pid(),
            f"TXA|1|DS^Discharge summary|TX|{at}|1234^Okoro^Grace^^^Dr^MD|{at}|||1234^Okoro^Grace^^^Dr^MD|||"
            f"DOC-DS-{self.suffix}^EPIC|||||AU",
            f"OBX|1|TX|DS^Discharge summary||{DISCHARGE_TEXT}||||||F",
        )

    def result(
        self,
        what: str,
        control: str,
        section: str,
        status: str,
        code: str,
        observation: str,
        value: str,
        reported: datetime,
    ) -> str:
        collected = hl7_time(reported - timedelta(hours=2))
        return hl7(
            f"MSH|^~\\&|LAB|AMC|PORTAL|AMC|{hl7_time(reported)}||ORU^R01^ORU_R01|{self.control_id(control)}|P|2.5.1",
            self.pid(),
            f"OBR|1|PL-{what}-{self.suffix}^EPIC|FL-{what}-{self.suffix}^LAB|{code}|||{collected}|||||||||"
            f"1234^Okoro^Grace^^^Dr^MD||||||{hl7_time(reported)}||{section}|{status}",
            f"OBX|1|TX|{observation}||{value}||||||{status}",
        )

    def health_summary(self) -> str:

        me = {"identifier": {"system": "AMC-MRN", "value": self.mrn}}
        return json.dumps(
            {
                "resourceType": "Bundle",
                "id": self.control_id("FHIR"),
                "type": "message",
                "entry": [
                    {
                        "resource": {
                            "resourceType": "MessageHeader",
                            "id": self.control_id("FHIR-header"),
                            "eventCoding": {"system": "urn:demo:events", "code": "health-summary"},
                            "source": {"endpoint": "urn:e2e:amc-ehr-fhir", "name": "AMC EHR (FHIR)"},
                        }
                    },
                    {
                        "resource": {
                            "resourceType": "AllergyIntolerance",
                            "id": f"allergy-{self.suffix}",
                            "clinicalStatus": {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical",
                                        "code": "active",
                                    }
                                ]
                            },
                            "category": ["food"],
                            "criticality": "high",
                            "code": {
                                "coding": [
                                    {"system": "http://snomed.info/sct", "code": "256349002", "display": "Peanut"}
                                ],
                                "text": "Peanuts",
                            },
                            "patient": me,
                            "recordedDate": "2020-02-03",
                            "reaction": [
                                {
                                    "manifestation": [
                                        {
                                            "coding": [
                                                {
                                                    "system": "http://snomed.info/sct",
                                                    "code": "39579001",
                                                    "display": "Anaphylaxis",
                                                }
                                            ]
                                        }
                                    ],
                                    "severity": "severe",
                                }
                            ],
                        }
                    },
                    {
                        "resource": {
                            "resourceType": "MedicationRequest",
                            "id": f"medication-{self.suffix}",
                            "status": "active",
                            "intent": "order",
                            "medicationCodeableConcept": {
                                "coding": [
                                    {
                                        "system": "http://www.nlm.nih.gov/research/umls/rxnorm",
                                        "code": "1049630",
                                        "display": "diphenhydramine 25 MG Oral Capsule",
                                    }
                                ],
                                "text": "Diphenhydramine 25 mg",
                            },
                            "subject": me,
                            "authoredOn": "2026-11-20",
                            "dosageInstruction": [{"text": "1 capsule by mouth at night as needed"}],
                        }
                    },
                ],
            }
        )


PATHOLOGY_CODE = "88305^Surgical pathology report^CPT4"
PATHOLOGY_OBSERVATION = "22637-3^Pathology report final diagnosis^LN"
IMAGING_CODE = "36643-5^XR Chest 2 Views^LN"
IMAGING_OBSERVATION = "18782-3^Radiology Study observation (narrative)^LN"


# -- helpers --------------------------------------------------------------------------------------------


def ok(answer: requests.Response, status: int = 200) -> dict:
    assert answer.status_code == status, (
        f"{answer.request.method} {answer.request.url}: {answer.status_code} {answer.text}"
    )
    return answer.json()


def epoch_of(iso: str) -> float:
    return datetime.strptime(iso, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp()


def sign_in(api: Api, username: str, password: str) -> str:
    body = ok(api.call("POST", "/v1/sessions", {"username": username, "password": password}), 201)
    assert "mfa_required" not in body, body  # demo admin and staff are exempt locally (.chalice/config.json)
    return body["token"]


class Feed:
    """The inbound FIFO queue, as an upstream system uses it; one message group keeps the order."""

    def __init__(self, portal: RunningPortal, group: str):
        self.sqs = portal.client("sqs")
        self.url = self.sqs.get_queue_url(QueueName=INBOUND_QUEUE)["QueueUrl"]
        self.group = group
        self.dynamodb = portal.client("dynamodb")
        self.table = next(t for t in self.dynamodb.list_tables()["TableNames"] if t.endswith("FeedMessagesTable"))

    def send(self, body: str) -> None:
        self.sqs.send_message(QueueUrl=self.url, MessageBody=body, MessageGroupId=self.group)

    def statuses(self, *control_ids: str) -> dict[str, str]:
        """What the feed made of these messages (accepted, filed, quarantined ...): for messages on failure."""
        items = self.dynamodb.scan(TableName=self.table)["Items"]
        return {i["control_id"]["S"]: i["status"]["S"] for i in items if i["control_id"]["S"] in control_ids}


def timer_status(portal: RunningPortal, name: str) -> str:
    """The status of a release timer (a Step Functions execution of the dated-event machine)."""
    sfn = portal.client("stepfunctions")
    (machine,) = sfn.list_state_machines()["stateMachines"]
    executions = sfn.list_executions(stateMachineArn=machine["stateMachineArn"], maxResults=1000)["executions"]
    (execution,) = [e for e in executions if e["name"] == name]
    return execution["status"]


@pytest.fixture
def release_policy(portal):
    """Sets the demo organization's policy for the test and puts the one before back afterwards
    (the stack is shared: other modules' results must not wait an hour)."""
    api = Api(portal)
    before = ok(api.call("GET", "/v1/admin/release-policy", token=sign_in(api, ADMIN_USER, ADMIN_PASSWORD)))

    def put(policy: dict) -> dict:
        return ok(api.call("PUT", "/v1/admin/release-policy", policy, token=sign_in(api, ADMIN_USER, ADMIN_PASSWORD)))

    yield put
    assert put(before) == before


# -- the journey ------------------------------------------------------------------------------------------


def test_a_new_patient_sees_what_is_released_not_what_waits_or_is_held(portal, release_policy):
    api, amara = Api(portal), NewPatient()
    feed = Feed(portal, f"e2e-release-{amara.suffix}")
    policy = {
        "delays": {
            "category:pathology": {"seconds": PATHOLOGY_DELAY, "exception": "preventing_harm"},
            "category:imaging": {"seconds": IMAGING_DELAY, "exception": "preventing_harm"},
        },
        "held_items": "say_being_reviewed",
    }
    assert release_policy(policy) == policy

    # The EHR registers her, a discharge summary and her health summary follow: all before she
    # has portal access (see the module docstring for why the document comes now).
    now = datetime.now(timezone.utc)
    feed.send(amara.registration(now))
    feed.send(amara.discharge_summary(now))
    feed.send(amara.health_summary())
    sent = amara.control_id("ADT"), amara.control_id("MDM"), amara.control_id("FHIR")

    staff = staff_token(api)
    found = eventually(
        lambda: (lambda r: r if r.status_code == 200 and r.json()["patients"] else None)(
            api.call("POST", "/v1/staff/patients/search", {"mrn": amara.mrn}, staff)
        ),
        seconds=30,
    )
    assert found, f"the ADT did not register her: {feed.statuses(*sent)}"
    patient = found.json()["patients"][0]["patient"]
    assert (patient["family_name"], patient["given_names"], patient["birth_date"]) == (
        "Okafor",
        ["Amara", "J"],
        amara.birth_date,
    )
    amara.patient_id = patient["patient_id"]
    # The document is filed (staff see everything, released or not) before she can be told of it.
    filed = eventually(
        lambda: ok(api.call("GET", f"/v1/staff/patients/{amara.patient_id}/results", token=staff))["documents"],
        seconds=30,
    )
    assert [(d["type"], d["title"], d["held"]) for d in filed] == [("discharge-summary", "Discharge summary", False)], (
        feed.statuses(*sent)
    )

    invited = api.call("POST", "/v1/staff/invitations", {"patient_id": amara.patient_id, "email": amara.email}, staff)
    ok(invited, 201)
    terms = ok(api.call("GET", "/v1/terms"))["version"]
    ok(
        api.call(
            "POST",
            "/v1/enrollments",
            {
                "invitation_code": invitation_code(api, amara.email),
                "date_of_birth": amara.birth_date,
                "family_name": "okafor",
                "username": amara.username,
                "password": PASSWORD,
                "email": amara.email,
                "accepted_terms_version": terms,
            },
        ),
        201,
    )
    token = sign_in(api, amara.username, PASSWORD)
    me = f"/v1/patients/{amara.patient_id}"

    # The document was released at once: she sees it, and its link hands out the text.
    (document,) = ok(api.call("GET", f"{me}/documents", token=token))["documents"]
    assert (document["type"], document["title"], document["version"]) == ("discharge-summary", "Discharge summary", 1)
    link = api.http.get(
        f"{api.url}{me}/documents/{document['document_id']}/content",
        allow_redirects=False,
        headers={"Authorization": f"Bearer {token}"},
        timeout=30,
    )
    assert link.status_code == 302, link.text
    assert link.headers["Location"].startswith(portal.aws_url + "/"), link.headers["Location"]
    content = requests.get(link.headers["Location"], timeout=10)  # the presigned URL, from the moto server
    assert content.status_code == 200, content.text
    assert content.text == DISCHARGE_TEXT
    assert content.headers["Content-Type"].startswith("text/plain")

    # Her health summary came by FHIR, naming her by MRN (after the document, in the same message group).
    def section(name: str) -> list[dict]:
        return ok(api.call("GET", f"{me}/health-summary/{name}", token=token))[name]

    assert eventually(lambda: section("allergies") and section("medications"), seconds=30), feed.statuses(
        amara.control_id("FHIR")
    )
    (allergy,) = section("allergies")
    assert "Peanuts" in str(allergy["substance"]) and allergy["criticality"] == "high"
    assert allergy["reactions"] == [{"manifestations": ["Anaphylaxis"], "severity": "severe"}]
    (medication,) = section("medications")
    assert "Diphenhydramine 25 mg" in str(medication["medication"])
    assert medication["dosage"] == ["1 capsule by mouth at night as needed"]
    assert section("conditions") == []

    # A pathology result (held PATHOLOGY_DELAY s by the policy) and an imaging one (an hour).
    reported = datetime.now(timezone.utc)
    feed.send(
        amara.result(
            "path",
            "PATH-1",
            "SP",
            "F",
            PATHOLOGY_CODE,
            PATHOLOGY_OBSERVATION,
            "Benign seborrheic keratosis. Margins clear.",
            reported,
        )
    )
    feed.send(
        amara.result(
            "rad", "RAD-1", "RAD", "F", IMAGING_CODE, IMAGING_OBSERVATION, "No acute cardiopulmonary process.", reported
        )
    )
    staff = staff_token(api)
    staff_view = eventually(
        lambda: (lambda v: v if len(v["results"]) == 2 else None)(
            ok(api.call("GET", f"/v1/staff/patients/{amara.patient_id}/results", token=staff))
        ),
        seconds=30,
    )
    assert staff_view, feed.statuses(amara.control_id("PATH-1"), amara.control_id("RAD-1"))
    by_category = {r["category"]: r for r in staff_view["results"]}
    pathology, imaging = by_category["pathology"], by_category["imaging"]
    assert not pathology["held"] and not imaging["held"]
    # (released_at is to the second, rounded down: a moment at or before the real one)
    pathology_release = epoch_of(pathology["released_at"])

    # What she sees meanwhile, before the pathology timer: neither result, both listed as upcoming.
    results = ok(api.call("GET", f"{me}/results", token=token))["results"]
    upcoming = ok(api.call("GET", f"{me}/upcoming-releases", token=token))["upcoming"]
    hidden = api.call("GET", f"{me}/results/{pathology['result_id']}", token=token)
    emails_before = api.emails_to(amara.email, WAITING_SUBJECT)
    looked_until = time.time()
    assert looked_until < pathology_release, (
        f"the test looked {looked_until - pathology_release:.1f} s too late to see the pathology result wait"
    )
    assert results == []
    assert {(u["result_id"], u["kind"], u["category"], u["name"], u["waiting_for_review"]) for u in upcoming} == {
        (pathology["result_id"], "result", "pathology", "Surgical pathology report", False),
        (imaging["result_id"], "result", "imaging", "XR Chest 2 Views", False),
    }
    for waiting in upcoming:  # when, and what test: never a value
        assert set(waiting) == {
            "result_id",
            "kind",
            "type",
            "category",
            "name",
            "release_at",
            "waiting_for_review",
            "being_reviewed",
        }
    assert "keratosis" not in str(upcoming) and "cardiopulmonary" not in str(upcoming)
    assert {u["category"]: u["release_at"] for u in upcoming} == {
        "pathology": pathology["released_at"],
        "imaging": imaging["released_at"],
    }
    assert epoch_of(imaging["released_at"]) - pathology_release >= IMAGING_DELAY - PATHOLOGY_DELAY - 1
    assert hidden.status_code == 404, hidden.text
    assert emails_before == []  # nothing was released since she enrolled

    # Staff hold the imaging result for the clinician's review.
    held = ok(api.call("POST", f"/v1/staff/results/{imaging['result_id']}/hold", {"reason": "clinician_review"}, staff))
    assert held == {
        "result_id": imaging["result_id"],
        "kind": "result",
        "held": True,
        "held_reason": "clinician_review",
    }
    # Its hour-long release timer is stopped (a hold has no end until staff release it).
    # (the stop reaches the execution's thread a moment later: it looks every quarter second)
    assert eventually(lambda: timer_status(portal, f"release-{imaging['result_id']}-v1") == "ABORTED", seconds=10)

    # The pathology timer fires: the result shows (her polling keeps her session alive) ...
    shown = eventually(lambda: ok(api.call("GET", f"{me}/results", token=token))["results"], seconds=TIMER_SECONDS)
    assert [(r["result_id"], r["version"], r["status"]) for r in shown] == [(pathology["result_id"], 1, "final")]
    assert time.time() >= pathology_release

    # ... and the email that says something is waiting arrives (without saying what), with a notice
    # in her inbox (her reading the inbox while she waits keeps her session alive).
    def notified():
        notices = ok(api.call("GET", "/v1/me/notifications", token=token))["notifications"]
        emails = api.emails_to(amara.email, WAITING_SUBJECT)
        return (notices, emails) if notices and emails else None

    told = eventually(notified, seconds=TIMER_SECONDS)
    assert told, "no email or inbox notice after the pathology timer"
    notices, emails = told
    assert eventually(lambda: timer_status(portal, f"release-{pathology['result_id']}-v1") == "SUCCEEDED")
    assert [(n["template"], n["read_at"]) for n in notices] == [("something_waiting", None)]
    assert len(emails) == 1, f"expected one email to {amara.email}, found {len(emails)}"
    for phi in ("pathology", "Pathology", "keratosis", "Okafor", amara.mrn):
        assert phi not in emails[0]["text"] and phi not in emails[0]["subject"]
    # The held imaging result stays out of sight, waiting for review with no release moment.
    still = ok(api.call("GET", f"{me}/results", token=token))["results"]
    assert [r["result_id"] for r in still] == [pathology["result_id"]]
    (waiting,) = ok(api.call("GET", f"{me}/upcoming-releases", token=token))["upcoming"]
    assert (waiting["result_id"], waiting["release_at"], waiting["waiting_for_review"]) == (
        imaging["result_id"],
        None,
        True,
    )
    refused = api.call("GET", f"{me}/results/{imaging['result_id']}", token=token)
    assert refused.status_code == 404, refused.text
    staff_again = ok(api.call("GET", f"/v1/staff/patients/{amara.patient_id}/results", token=staff_token(api)))
    assert {(r["category"], r["held"], r["held_reason"]) for r in staff_again["results"]} == {
        ("pathology", False, None),
        ("imaging", True, "clinician_review"),
    }

    # The lab corrects the pathology report: same filler order, a new message, OBR-25 "C".
    feed.send(
        amara.result(
            "path",
            "PATH-2",
            "SP",
            "C",
            PATHOLOGY_CODE,
            PATHOLOGY_OBSERVATION,
            "Corrected: benign seborrheic keratosis, irritated type. Margins clear.",
            reported + timedelta(minutes=30),
        )
    )
    corrected = eventually(
        lambda: [r for r in ok(api.call("GET", f"{me}/results", token=token))["results"] if r["version"] == 2],
        seconds=30,
    )
    assert [(r["result_id"], r["status"]) for r in corrected] == [(pathology["result_id"], "corrected")], feed.statuses(
        amara.control_id("PATH-2")
    )
    detail = ok(api.call("GET", f"{me}/results/{pathology['result_id']}", token=token))
    assert (detail["version"], detail["status"]) == (2, "corrected")
    assert detail["report"]["observations"][0]["value"]["text"].startswith("Corrected: benign")
    assert [
        (v["version"], v["status"], v["report"]["observations"][0]["value"]["text"]) for v in detail["earlier_versions"]
    ] == [(1, "final", "Benign seborrheic keratosis. Margins clear.")]
    assert [r["result_id"] for r in ok(api.call("GET", f"{me}/results", token=token))["results"]] == [
        pathology["result_id"]
    ]  # still one result, and the imaging one still held
