"""Refills over real HTTP against the local stack: the demo patient (her prescriptions arrive
through the real feed when the stack starts, infra/local/demo/08_FHIR_medications.json) asks for a
refill of her lisinopril, twice with one Idempotency-Key as a double click does; her oxycodone is
refused with the explanation; demo.staff approves the request; she sees it approved and got an
email that says there is an update and nothing of what; the outbound queue carries the Task
requested and then accepted, as the integration engine receives them."""

from __future__ import annotations

import json
import uuid

import pytest

from tests.e2e.conftest import RunningPortal, eventually
from tests.e2e.test_identity_journey import PASSWORD, Api, invitation_code, staff_token

pytestmark = pytest.mark.e2e

DANA_EMAIL = "dana.rivera@example.org"
UPDATE_SUBJECT = "There is an update to your refill request"
OUTBOUND_QUEUE = "patient-portal-clinical-outbound.fifo"
CONTROLLED = (
    "This medication is a controlled substance (Schedule II); refills cannot be requested online. "
    "Please call your care team."
)


def dana_signs_in(api: Api) -> tuple[str, str]:
    """Dana's patient id and a session: enrolled here, unless another journey of this run did."""
    staff = staff_token(api)
    found = eventually(
        lambda: (lambda r: r if r.status_code == 200 and r.json()["patients"] else None)(
            api.call("POST", "/v1/staff/patients/search", {"mrn": "AMC-100001"}, staff)
        ),
        seconds=30,
    )
    patient_id = found.json()["patients"][0]["patient"]["patient_id"]
    signed_in = api.call("POST", "/v1/sessions", {"username": "dana.rivera", "password": PASSWORD})
    if signed_in.status_code != 201:
        invited = api.call("POST", "/v1/staff/invitations", {"patient_id": patient_id, "email": DANA_EMAIL}, staff)
        assert invited.status_code == 201, invited.text
        enrolled = api.call(
            "POST",
            "/v1/enrollments",
            {
                "invitation_code": invitation_code(api, DANA_EMAIL),
                "date_of_birth": "1980-04-12",
                "family_name": "rivera",
                "username": "dana.rivera",
                "password": PASSWORD,
                "email": DANA_EMAIL,
                "accepted_terms_version": api.call("GET", "/v1/terms").json()["version"],
            },
        )
        assert enrolled.status_code == 201, enrolled.text
        signed_in = api.call("POST", "/v1/sessions", {"username": "dana.rivera", "password": PASSWORD})
    assert signed_in.status_code == 201, signed_in.text
    return patient_id, signed_in.json()["token"]


def test_the_demo_patient_gets_a_refill_approved_and_the_clinical_systems_are_told(portal: RunningPortal):
    api = Api(portal)
    patient_id, token = dana_signs_in(api)
    meds_path = f"/v1/patients/{patient_id}/medications"

    # GIVEN her prescriptions are filed, each saying whether it can be refilled online
    listed = eventually(
        lambda: (lambda ms: ms if len(ms) >= 5 else None)(
            {m["name"]: m for m in api.call("GET", meds_path, token=token).json()["medications"]}
        ),
        seconds=30,
    )
    lisinopril, oxycodone = listed["Lisinopril 10 mg tablet"], listed["Oxycodone 5 mg tablet"]
    assert lisinopril["refill"]["can_request"] is True
    assert (oxycodone["refill"]["reason"], oxycodone["refill"]["schedule"]) == ("controlled_substance", "II")

    def ask(medication_id: str, key: str):
        body = {
            "medication_id": medication_id,
            "pharmacy": {"name": "Main Street Pharmacy", "phone": "(518) 555-0199", "address": None},
            "note": "Nearly out",
        }
        return api.http.post(
            f"{api.url}/v1/patients/{patient_id}/refill-requests",
            json=body,
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
            timeout=30,
        )

    # WHEN she asks for a refill of the oxycodone: refused, with the explanation
    refused = ask(oxycodone["medication_id"], str(uuid.uuid4()))
    assert refused.status_code == 409
    assert refused.json()["error"]["message"] == CONTROLLED
    assert refused.json()["error"]["details"] == [{"field": "medication_id", "issue": "controlled_substance"}]

    # AND of the lisinopril, with a double click: one request
    key = str(uuid.uuid4())
    first, again = ask(lisinopril["medication_id"], key), ask(lisinopril["medication_id"], key)
    assert first.status_code == again.status_code == 201, first.text
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    request_id = first.json()["request_id"]
    mine = api.call("GET", f"/v1/patients/{patient_id}/refill-requests", token=token).json()["refill_requests"]
    assert [r["request_id"] for r in mine].count(request_id) == 1

    # THEN demo.staff finds it waiting, and approves it
    staff = staff_token(api)
    waiting = api.call("GET", "/v1/staff/refill-requests?limit=100", token=staff).json()["refill_requests"]
    [queued] = [r for r in waiting if r["request_id"] == request_id]
    assert queued["patient"]["name"] == "Dana M Rivera" and queued["medication"]["name"] == "Lisinopril 10 mg tablet"
    approved = api.http.post(
        f"{api.url}/v1/staff/refill-requests/{request_id}/decision",
        json={"decision": "approved", "reason": None},
        headers={"Authorization": f"Bearer {staff}", "Idempotency-Key": str(uuid.uuid4())},
        timeout=30,
    )
    assert approved.status_code == 200, approved.text

    # AND she sees it approved, and was emailed that there is an update (and nothing of what)
    seen = api.call("GET", f"/v1/patients/{patient_id}/refill-requests/{request_id}", token=token).json()
    assert seen["status"] == "approved" and seen["decided_at"]
    [email] = eventually(lambda: api.emails_to(DANA_EMAIL, UPDATE_SUBJECT), seconds=30)
    assert any(link.endswith("/medications") for link in email["links"])
    for secret in ("Lisinopril", "lisinopril", "Main Street", "approved", "Rivera", "Okoro"):
        assert secret not in email["text"] and secret not in email["subject"]

    # AND the outbound queue carries her Task, requested and then accepted, the prescription contained
    sqs = portal.client("sqs")
    queue_url = sqs.get_queue_url(QueueName=OUTBOUND_QUEUE)["QueueUrl"]
    received: list[dict] = []

    def both_tasks():
        for message in sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
            received.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
        mine = [r for r in received if r["resourceType"] == "Task" and r["identifier"][0]["value"] == request_id]
        return mine if len(mine) == 2 else None

    tasks = eventually(both_tasks, seconds=30)
    assert [t["status"] for t in tasks] == ["requested", "accepted"]
    for task in tasks:
        prescription, pharmacy = task["contained"]
        assert prescription["resourceType"] == "MedicationRequest"
        # the pharmacy she chose is where it is to be dispensed
        assert prescription["dispenseRequest"]["performer"]["reference"] == "#pharmacy"
        assert (pharmacy["resourceType"], pharmacy["name"]) == ("Organization", "Main Street Pharmacy")
        assert prescription["identifier"] == [{"system": "urn:demo:amc-ehr:prescription", "value": "DEMO-RX-0002"}]
        assert task["for"]["identifier"] == {"system": "AMC-MRN", "value": "AMC-100001"}
