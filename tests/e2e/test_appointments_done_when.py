"""Appointments, reminders, check-in and signed forms as ONE journey over real HTTP, on a stack of
its own (its clock moves days ahead, which would shift the time of every journey sharing a stack):

the demo patient requests a visit; staff book it; the booking comes back through the feed as an
SIU S12 whose SCH-1 is the request's id and closes the request; the clock moves to 24 hours before
the visit and the reminder lands in the local mailbox, saying nothing of the visit; she checks in
(details, answers) and signs two forms, one with a drawn signature; that signed PDF downloads
through its link, opens, carries the signature as an image and hashes to its record; the outbound
queue carries her request (Appointment proposed), staff's booking (Appointment booked), each
DocumentReference and the QuestionnaireResponse, each valid R4. And the refusals hold: cancelling
inside the cutoff (409 with the office's phone), checking in before the window opens and for
another patient's visit, the video link before and after its window (given inside it), and
overwriting or deleting the locked signed PDF. (Its clock moves days ahead in all, five at the end.)

The helpers are the single-piece journeys' own, imported, so the pieces and this chain stay one.
"""

from __future__ import annotations

import hashlib
import io
import json
import urllib.parse
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from botocore.exceptions import ClientError
from pypdf import PdfReader

from chalicelib.outbound import fhir
from tests.e2e.conftest import RunningPortal, eventually, running_portal
from tests.e2e.test_appointment_requests_journey import NEW_YORK, OFFICE_PHONE, siu_s12
from tests.e2e.test_checkin_journey import ANSWERS
from tests.e2e.test_dev_clock import DANA, REMINDER_SUBJECT, clock_now, video_visit_siu
from tests.e2e.test_dev_clock import post as post_dev
from tests.e2e.test_identity_journey import PASSWORD, Api, enrolled, sign_in, staff_token
from tests.e2e.test_refill_journey import OUTBOUND_QUEUE, dana_signs_in
from tests.e2e.test_release_journey import ADMIN_PASSWORD, ADMIN_USER
from tests.e2e.test_signed_forms_journey import drawn_signature

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with running_portal(tmp_path_factory.mktemp("done-when")) as running:
        yield running


def test_a_requested_visit_is_booked_reminded_checked_in_and_signed_and_the_refusals_hold(
    stack: RunningPortal, tmp_path: Path
):
    api = Api(stack)
    patient_id, _ = dana_signs_in(api)

    def dana() -> str:
        """A fresh session: the stack ends one idle for six seconds, and a moved clock idles it."""
        answer = api.call("POST", "/v1/sessions", {"username": "dana.rivera", "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        return answer.json()["token"]

    def post(path: str, body: dict | None, token: str, key: str = ""):
        return api.http.post(
            f"{api.url}{path}",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key or str(uuid.uuid4())},
            timeout=30,
        )

    def feed(name: str, message: str) -> None:
        path = tmp_path / name
        path.write_text(message)
        sent = stack.feed(path)
        assert sent.returncode == 0 and "filed" in sent.stdout, sent.stdout + sent.stderr

    def move_clock_to(moment) -> None:
        status, moved = post_dev(stack, "/dev/clock", {"set": moment.isoformat()})
        assert status == 200, moved

    admin = api.call("POST", "/v1/sessions", {"username": ADMIN_USER, "password": ADMIN_PASSWORD}).json()["token"]
    policy = api.call("GET", "/v1/admin/appointment-policy", token=admin).json()
    assert api.call("PUT", "/v1/admin/appointment-policy", {**policy, "office_phone": OFFICE_PHONE}, admin).ok

    # GIVEN Dana asks Primary Care for a visit two days ahead on the stack's clock
    now = clock_now(stack)
    start = (now + timedelta(days=2)).astimezone(NEW_YORK).replace(second=0, microsecond=0)
    teams = api.call("GET", f"/v1/patients/{patient_id}/care-teams", token=dana()).json()["care_teams"]
    team_id = next(t["team_id"] for t in teams if t["name"] == "Primary Care")
    asked = post(
        f"/v1/patients/{patient_id}/appointment-requests",
        {
            "care_team_id": team_id,
            "reason": "My knee hurts on the stairs",
            "mode": "in_person",
            "preferred": [{"date": start.date().isoformat(), "time_of_day": "any"}],
        },
        dana(),
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request_id"]

    # WHEN staff book it at that time, and the scheduler's SIU S12 comes back naming the request
    slot = {"starts_at": f"{start:%Y-%m-%dT%H:%M}", "minutes": 20, "clinician": "Dr Okoro", "mode": "in_person"}
    booked = post(f"/v1/staff/appointment-requests/{request_id}/book", slot, staff_token(api))
    assert booked.status_code == 200 and booked.json()["status"] == "booked", booked.text
    filler = f"E2E-DONE-{uuid.uuid4().hex[:8]}"
    feed("booking.hl7", siu_s12(f"E2E-{filler}", request_id, filler, start))

    # THEN the request is closed by that visit, whose check-in is already open (three days before)
    closed = eventually(
        lambda: (lambda r: r if r["status"] == "scheduled" else None)(
            api.call("GET", f"/v1/patients/{patient_id}/appointment-requests/{request_id}", token=dana()).json()
        ),
        seconds=30,
    )
    assert closed, "the feed's booking did not close the request"
    visit_id = closed["scheduled_appointment_id"]
    visit = api.call("GET", f"/v1/patients/{patient_id}/appointments/{visit_id}", token=dana()).json()
    assert visit["request_id"] == request_id and visit["status"] == "booked"
    assert visit["check_in"]["state"] == "open"

    # AND a video visit five days ahead: its check-in is not open yet, nor is its link
    video_start = (now + timedelta(days=5)).replace(microsecond=0)
    sqs = stack.client("sqs")
    inbound = sqs.get_queue_url(QueueName="patient-portal-clinical-inbound.fifo")["QueueUrl"]
    sqs.send_message(QueueUrl=inbound, MessageBody=video_visit_siu(video_start), MessageGroupId="e2e-scheduler")

    def the_video_visit():
        listed = api.call("GET", f"/v1/patients/{patient_id}/appointments?limit=50", token=dana()).json()
        # (found by its start: the demo feed files a video visit of its own, happening now)
        return next(
            (
                a
                for a in listed["appointments"]
                if a["starts_at"] and datetime.fromisoformat(a["starts_at"]) == video_start
            ),
            None,
        )

    video = eventually(the_video_visit, seconds=30)
    assert video and video["video"]["state"] == "not_yet"
    early = post(f"/v1/patients/{patient_id}/appointments/{video['id']}/check-in/details", {"confirmed": True}, dana())
    assert early.status_code == 409, early.text
    assert early.json()["error"]["details"] == [{"field": "appointment", "issue": "not_open_yet"}]
    assert early.json()["error"]["message"].startswith("Check-in opens on ")
    join = f"/v1/patients/{patient_id}/appointments/{video['id']}/video-link"
    too_soon = api.call("POST", join, token=dana())
    assert too_soon.status_code == 409 and too_soon.json()["error"]["details"][0]["issue"] == "not_open_yet"

    # WHEN the clock reaches 24 hours before the booked visit THEN its reminder is in the mailbox,
    # linking to the portal and saying nothing of the visit
    move_clock_to(start - timedelta(hours=24, seconds=-30))
    reminders = eventually(lambda: api.emails_to(DANA, REMINDER_SUBJECT), seconds=30)
    assert reminders, "no reminder arrived"
    for reminder in reminders:
        assert any(link.endswith("/appointments") for link in reminder["links"])
        for private in ("Okoro", "Follow-up", "Rivera", "knee", "Primary Care", f"{start:%H:%M}", request_id):
            assert private not in reminder["text"] and private not in reminder["subject"]

    # AND it is now inside the cutoff: cancelling online is refused with the office's phone
    base = f"/v1/patients/{patient_id}/appointments/{visit_id}"
    late = post(f"{base}/cancel", {"reason": ""}, dana())
    assert late.status_code == 409, late.text
    assert late.json()["error"]["details"] == [{"field": "appointment", "issue": "past_cutoff"}]
    assert (
        late.json()["error"]["message"] == f"It is too late to cancel online. Please call the office at {OFFICE_PHONE}."
    )

    # WHEN she checks in: confirms her details, answers the questions, signs the two forms (the
    # consent with a signature drawn, the notice with her typed name only) and finishes
    confirmed = post(f"{base}/check-in/details", {"confirmed": True, "changes": None}, dana())
    assert confirmed.status_code == 200, confirmed.text
    answered = post(f"{base}/check-in/answers", {"answers": ANSWERS}, dana())
    assert answered.status_code == 200, answered.text
    forms = answered.json()["forms"]
    assert [f["title"] for f in forms] == ["Consent to treat", "Notice of privacy practices"]
    signed = []
    for form, signature in zip(forms, (drawn_signature(), None), strict=True):
        body = {
            "version": form["version"],
            "sha256": form["sha256"],
            "typed_name": "Dana Rivera",
            "signature_png": signature,
            "agree": True,
        }
        answer = post(f"{base}/check-in/forms/{form['form_id']}/sign", body, dana())
        assert answer.status_code == 201, answer.text
        signed.append(answer.json())
    done = post(f"{base}/check-in/complete", None, dana())
    assert done.status_code == 200 and done.json()["state"] == "completed", done.text

    # THEN the signed consent downloads through its link, opens, shows her drawn signature as an
    # image on the page and hashes to the SHA-256 on its record
    consent = signed[0]
    assert consent["has_drawn_signature"] is True
    record = api.call("GET", f"/v1/patients/{patient_id}/signed-forms/{consent['document_id']}", token=dana())
    assert record.status_code == 200, record.text
    link = record.json()["download_url"]
    pdf = api.http.get(link, timeout=30)
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == consent["pdf_sha256"]
    pages = PdfReader(io.BytesIO(pdf.content)).pages
    assert "Signed by: Dana Rivera" in "\n".join(page.extract_text() for page in pages)
    assert sum(len(page.images) for page in pages) >= 1, "the drawn signature is not on the PDF"

    # AND an overwrite in the bucket leaves the locked version as recorded, which cannot be deleted
    s3 = stack.client("s3")
    url = urllib.parse.urlsplit(link)
    bucket, _, key = urllib.parse.unquote(url.path).lstrip("/").partition("/")
    version = urllib.parse.parse_qs(url.query)["versionId"][0]
    s3.put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.7 forged")
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=bucket, Key=key, VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    kept = s3.get_object(Bucket=bucket, Key=key, VersionId=version)
    assert hashlib.sha256(kept["Body"].read()).hexdigest() == consent["pdf_sha256"]

    # AND another patient reaching for her visit's check-in is told it does not exist
    someone = sign_in(api, enrolled(api, api.call("GET", "/v1/terms").json()["version"], "done-when"))
    assert api.call("GET", f"{base}/check-in", token=someone).status_code == 404
    assert post(f"{base}/check-in/details", {"confirmed": True}, someone).status_code == 404

    # AND the outbound queue carries the Appointment (proposed, then booked), each signed form's
    # DocumentReference and her answers' QuestionnaireResponse, each valid R4
    outbound = sqs.get_queue_url(QueueName=OUTBOUND_QUEUE)["QueueUrl"]
    received: list[dict] = []
    documents = {s["document_id"] for s in signed}

    def all_of_hers():
        for message in sqs.receive_message(QueueUrl=outbound, MaxNumberOfMessages=10).get("Messages", []):
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=outbound, ReceiptHandle=message["ReceiptHandle"])
        appointments = [
            r for r in received if r["resourceType"] == "Appointment" and r["identifier"][0]["value"] == request_id
        ]
        references = [
            r
            for r in received
            if r["resourceType"] == "DocumentReference" and r["masterIdentifier"]["value"] in documents
        ]
        answers = [
            r
            for r in received
            if r["resourceType"] == "QuestionnaireResponse" and r["identifier"]["value"].startswith(visit_id)
        ]
        statuses = [r["status"] for r in appointments]
        found = {"proposed", "booked"} <= set(statuses) and len(references) == 2 and answers
        return (appointments, references, answers) if found else None

    mine = eventually(all_of_hers, seconds=30)
    assert mine, f"the outbound queue lacks some of hers: {[r['resourceType'] for r in received]}"
    appointments, references, answers = mine
    assert [r["status"] for r in appointments][:2] == ["proposed", "booked"]  # FIFO: in the order they happened
    for resource in (*appointments, *references, *answers):
        assert fhir.validated(resource) == resource
    assert {r["identifier"][0]["value"] for r in references} == {s["pdf_sha256"] for s in signed}
    assert [i["linkId"] for i in answers[0]["item"]] == ["reason", "allergies-changed", "pain"]

    # AND the video visit's link is given from 15 minutes before its start, and refused once it is over
    move_clock_to(video_start - timedelta(minutes=14))
    given = api.call("POST", join, token=dana())
    assert given.status_code == 200 and given.json()["url"].startswith("https://"), given.text
    move_clock_to(video_start + timedelta(minutes=21))
    ended = api.call("POST", join, token=dana())
    assert ended.status_code == 409 and ended.json()["error"]["details"][0]["issue"] == "ended"
