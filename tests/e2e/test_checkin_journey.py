"""Check-in over real HTTP against the local stack: the scheduling feed files a visit of the demo
patient two days ahead (an SIU S12 through `make feed`); she checks in on it (confirms her details,
answers the visit type's questions, signs its two forms, finishes) and staff see it completed on
the day's list; the QuestionnaireResponse of her answers is on the outbound queue. A visit five
days ahead refuses check-in (not open yet), and another patient reaching for her visit is told it
does not exist."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.e2e.conftest import RunningPortal, eventually
from tests.e2e.test_identity_journey import PASSWORD, Api, enrolled, sign_in, staff_token
from tests.e2e.test_refill_journey import OUTBOUND_QUEUE, dana_signs_in
from tests.e2e.test_signed_forms_journey import NEW_YORK, siu_s12

pytestmark = pytest.mark.e2e

ANSWERS = [
    {"link_id": "reason", "value": "Yearly check-up"},
    {"link_id": "allergies-changed", "value": False},
    {"link_id": "pain", "value": "2"},
]


def test_the_patient_checks_in_for_a_visit_the_feed_filed_and_staff_see_it_completed(
    portal: RunningPortal, tmp_path: Path
):
    api = Api(portal)
    patient_id, _ = dana_signs_in(api)

    def dana() -> str:
        """A fresh session: the e2e stack ends one idle for six seconds."""
        answer = api.call("POST", "/v1/sessions", {"username": "dana.rivera", "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        return answer.json()["token"]

    def file_visit(days: int) -> dict:
        filler = f"E2E-CHECKIN-{uuid.uuid4().hex[:8]}"
        start = (datetime.now(timezone.utc) + timedelta(days=days)).replace(second=0, microsecond=0)
        message = tmp_path / f"{filler}.hl7"
        message.write_text(siu_s12(filler, filler, start))
        sent = portal.feed(message)
        assert sent.returncode == 0 and "filed" in sent.stdout, sent.stdout + sent.stderr
        wanted = start.astimezone(NEW_YORK).isoformat()

        def listed():
            page = api.call("GET", f"/v1/patients/{patient_id}/appointments?limit=50", token=dana()).json()
            return next((a for a in page["appointments"] if a["starts_at"] == wanted), None)

        return eventually(listed, seconds=30)

    def post(path: str, body: dict | None, token: str):
        return api.http.post(
            f"{api.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
            timeout=30,
        )

    # GIVEN a visit two days ahead, booked through the feed: its check-in is open
    visit = file_visit(days=2)
    assert visit["check_in"]["state"] == "open"
    base = f"/v1/patients/{patient_id}/appointments/{visit['id']}/check-in"

    # WHEN she confirms her details, answers the questions and signs the two forms
    token = dana()
    confirmed = post(f"{base}/details", {"confirmed": True, "changes": None}, token)
    assert confirmed.status_code == 200, confirmed.text
    answered = post(f"{base}/answers", {"answers": ANSWERS}, token)
    assert answered.status_code == 200, answered.text
    for form in answered.json()["forms"]:
        body = {"version": form["version"], "sha256": form["sha256"], "typed_name": "Dana Rivera", "agree": True}
        signed = post(f"{base}/forms/{form['form_id']}/sign", body, token)
        assert signed.status_code == 201, signed.text

    # AND finishes
    done = post(f"{base}/complete", None, dana())

    # THEN the check-in is completed, and staff see it so on the visit's day
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "completed"
    assert done.json()["steps"] == {"details": True, "questionnaire": True, "forms": True}
    day = visit["starts_at"][:10]
    listed = api.call("GET", f"/v1/staff/check-ins?date={day}", token=staff_token(api))
    assert listed.status_code == 200, listed.text
    [row] = [v for v in listed.json()["visits"] if v["appointment_id"] == visit["id"]]
    assert row["patient"]["name"] == "Dana M Rivera"
    assert row["check_in"]["state"] == "completed"
    assert (row["check_in"]["forms_signed"], row["check_in"]["forms_required"]) == (2, 2)

    # AND the clinical systems got her answers as a QuestionnaireResponse
    sqs = portal.client("sqs")
    url = sqs.get_queue_url(QueueName=OUTBOUND_QUEUE)["QueueUrl"]

    received: list[dict] = []

    def her_answers():
        # As the integration engine does: each message read once, then taken off the queue.
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return next(
            (
                r
                for r in received
                if r["resourceType"] == "QuestionnaireResponse" and r["identifier"]["value"].startswith(visit["id"])
            ),
            None,
        )

    response = eventually(her_answers, seconds=30)
    assert response["status"] == "completed"
    assert response["subject"]["identifier"] == {"system": "AMC-MRN", "value": "AMC-100001"}
    assert [i["linkId"] for i in response["item"]] == ["reason", "allergies-changed", "pain"]

    # AND a visit five days ahead cannot be checked in yet: the answer says when it opens
    later = file_visit(days=5)
    refused = post(
        f"/v1/patients/{patient_id}/appointments/{later['id']}/check-in/details", {"confirmed": True}, dana()
    )
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["details"] == [{"field": "appointment", "issue": "not_open_yet"}]
    assert refused.json()["error"]["message"].startswith("Check-in opens on ")

    # AND another patient reaching for her visit is told it does not exist
    terms_version = api.call("GET", "/v1/terms").json()["version"]
    someone = enrolled(api, terms_version, "checkin")
    theirs = sign_in(api, someone)
    assert api.call("GET", base, token=theirs).status_code == 404
    assert post(f"{base}/details", {"confirmed": True}, theirs).status_code == 404
