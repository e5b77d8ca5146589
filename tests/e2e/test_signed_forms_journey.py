"""Signed check-in forms over real HTTP against the local stack: a visit of the demo patient comes
through the real feed as an SIU S12; she signs the two forms its visit type asks for (one with a
drawn signature, one sent twice with one Idempotency-Key as a double click does); the signed PDF
downloads through its five-minute link, opens, shows her typed name and matches the SHA-256 on
its record; a PutObject over it in the signed-documents bucket leaves the locked version as it
was and its deletion is refused; the outbound queue carries each DocumentReference."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import urllib.parse
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from botocore.exceptions import ClientError
from PIL import Image, ImageDraw
from pypdf import PdfReader

from tests.e2e.conftest import RunningPortal, eventually
from tests.e2e.test_identity_journey import PASSWORD, Api
from tests.e2e.test_refill_journey import OUTBOUND_QUEUE, dana_signs_in

pytestmark = pytest.mark.e2e

NEW_YORK = ZoneInfo("America/New_York")  # the demo organization's zone


def siu_s12(control: str, filler: str, start: datetime) -> str:
    at = f"{start.astimezone(NEW_YORK):%Y%m%d%H%M00}"
    return "\r".join(
        [
            f"MSH|^~\\&|CADENCE|AMC|PORTAL|AMC|20261201090000||SIU^S12^SIU_S12|{control}|P|2.5.1",
            f"SCH||{filler}^CADENCE|||||PHYS^Annual physical|PHYS30^Physical 30 minutes|30|min|"
            f"^^30^{at}||||||||||||||Booked",
            "PID|1||AMC-100001^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F",
            "AIL|1||AMC-FM^^^AMC Family Medicine",
            "AIP|1||1234^Okoro^Grace^^^Dr^MD",
        ]
    )


def drawn_signature() -> str:
    image = Image.new("RGB", (400, 120), "white")
    ImageDraw.Draw(image).line([(20, 90), (120, 30), (200, 80), (380, 40)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


def test_the_patient_signs_two_forms_and_the_locked_pdf_downloads_matching_its_record(
    portal: RunningPortal, tmp_path: Path
):
    api = Api(portal)
    patient_id, _ = dana_signs_in(api)

    def dana() -> str:
        """A fresh session: the e2e stack ends one idle for six seconds."""
        answer = api.call("POST", "/v1/sessions", {"username": "dana.rivera", "password": PASSWORD})
        assert answer.status_code == 201, answer.text
        return answer.json()["token"]

    # GIVEN a visit two days ahead (inside the three-day check-in window), booked through the feed
    filler = f"E2E-FORMS-{uuid.uuid4().hex[:8]}"
    start = (datetime.now(timezone.utc) + timedelta(days=2)).replace(second=0, microsecond=0)
    message = tmp_path / "physical.hl7"
    message.write_text(siu_s12(filler, filler, start))
    sent = portal.feed(message)
    assert sent.returncode == 0 and "filed" in sent.stdout, sent.stdout + sent.stderr
    wanted = start.astimezone(NEW_YORK).isoformat()

    def the_visit():
        listed = api.call("GET", f"/v1/patients/{patient_id}/appointments?limit=50", token=dana()).json()
        return next((a for a in listed["appointments"] if a["starts_at"] == wanted), None)

    visit = eventually(the_visit, seconds=30)
    assert visit is not None
    base = f"/v1/patients/{patient_id}/appointments/{visit['id']}/check-in"
    token = dana()
    check_in = api.call("GET", base, token=token)
    assert check_in.status_code == 200, check_in.text
    forms = check_in.json()["forms"]
    assert [f["title"] for f in forms] == ["Consent to treat", "Notice of privacy practices"]

    def sign(form: dict, key: str, signature: str | None):
        body = {
            "version": form["version"],
            "sha256": form["sha256"],
            "typed_name": "Dana Rivera",
            "signature_png": signature,
            "agree": True,
        }
        return api.http.post(
            f"{api.url}{base}/forms/{form['form_id']}/sign",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            timeout=30,
        )

    # WHEN she signs both, the consent with a drawn signature, the notice twice with one key
    consent = sign(forms[0], str(uuid.uuid4()), drawn_signature())
    key = str(uuid.uuid4())
    notice, again = sign(forms[1], key, None), sign(forms[1], key, None)

    # THEN each is signed once, the double click answered with the first answer
    assert consent.status_code == notice.status_code == again.status_code == 201, consent.text + notice.text
    assert again.headers.get("Idempotent-Replayed") == "true" and again.json() == notice.json()
    signed = [consent.json(), notice.json()]
    assert [s["has_drawn_signature"] for s in signed] == [True, False]
    shown = api.call("GET", base, token=token).json()
    assert all(f["signed"] is not None for f in shown["forms"]) and shown["steps"]["forms"] is True

    # AND the PDF downloads through its short link, opens, shows her name and matches its record
    s3 = portal.client("s3")
    for record in signed:
        answer = api.call("GET", f"/v1/patients/{patient_id}/signed-forms/{record['document_id']}", token=token)
        assert answer.status_code == 200, answer.text
        link = answer.json()["download_url"]
        assert "X-Amz-Expires=300" in link
        pdf = api.http.get(link, timeout=30)
        assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
        assert hashlib.sha256(pdf.content).hexdigest() == record["pdf_sha256"]
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
        assert "Signed by: Dana Rivera" in text and f"Form SHA-256 {record['form_sha256']}" in text

        # AND an overwrite of it in the bucket leaves the locked version as it was
        url = urllib.parse.urlsplit(link)
        bucket, _, key_path = urllib.parse.unquote(url.path).lstrip("/").partition("/")
        version = urllib.parse.parse_qs(url.query)["versionId"][0]
        s3.put_object(Bucket=bucket, Key=key_path, Body=b"%PDF-1.7 forged")
        with pytest.raises(ClientError) as refused:
            s3.delete_object(Bucket=bucket, Key=key_path, VersionId=version)
        assert refused.value.response["Error"]["Code"] == "AccessDenied"
        kept = s3.get_object(Bucket=bucket, Key=key_path, VersionId=version)
        assert hashlib.sha256(kept["Body"].read()).hexdigest() == record["pdf_sha256"]
        assert kept["ObjectLockMode"] == "GOVERNANCE"

    # AND it is one of her documents, a "signed-form"
    documents = api.call("GET", f"/v1/patients/{patient_id}/documents?type=signed-form", token=token).json()
    listed = {d["document_id"] for d in documents["documents"]}
    assert {s["document_id"] for s in signed} <= listed

    # AND the outbound queue carries a DocumentReference of each, naming the PDF's SHA-256
    sqs = portal.client("sqs")
    queue_url = sqs.get_queue_url(QueueName=OUTBOUND_QUEUE)["QueueUrl"]
    received: list[dict] = []

    def both_documents():
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        mine = {
            r["masterIdentifier"]["value"]: r
            for r in received
            if r["resourceType"] == "DocumentReference"
            and r["masterIdentifier"]["value"] in {s["document_id"] for s in signed}
        }
        return mine if len(mine) == 2 else None

    references = eventually(both_documents, seconds=30)
    assert references is not None
    for record in signed:
        reference = references[record["document_id"]]
        assert reference["identifier"][0]["value"] == record["pdf_sha256"]
        assert reference["subject"]["identifier"] == {"system": "AMC-MRN", "value": "AMC-100001"}
