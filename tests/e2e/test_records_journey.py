"""Issue 4 so far, over real HTTP against the local stack: the demo patient's history arrives
through the real feed when the stack starts (infra/local/demo/: an ADT that creates her, two
results, a correction); staff find her by MRN and invite her; she enrolls and sees her released
results newest first, the corrected one as version 2 with its earlier version; a new result sent
while she is enrolled tells her by email (without saying what) and shows up, with the earlier
panel's values beside it (trends); a page opens her after-visit summary through its JSON link."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from tests.e2e.conftest import eventually
from tests.e2e.test_identity_journey import Api, staff_token
from tests.e2e.test_refill_journey import dana_signs_in

pytestmark = pytest.mark.e2e

DEMO_FEED = Path(__file__).resolve().parents[2] / "infra" / "local" / "demo"
WAITING_SUBJECT = "Something new is waiting in your patient portal"


def test_the_seeded_patient_enrolls_and_reads_her_results(portal):
    api = Api(portal)
    staff = staff_token(api)
    # The feed files her within moments of the stack starting.
    found = eventually(
        lambda: (lambda r: r if r.status_code == 200 and r.json()["patients"] else None)(
            api.call("POST", "/v1/staff/patients/search", {"mrn": "AMC-100001"}, staff)
        ),
        seconds=30,
    )
    dana = found.json()["patients"][0]["patient"]
    assert (dana["family_name"], dana["birth_date"]) == ("Rivera", "1980-04-12")
    # She enrolls here (from the invitation email), unless a journey of this run that needed her
    # did first (the stack is shared: the appointment journeys run before this one).
    _, token = dana_signs_in(api)
    results_path = f"/v1/patients/{dana['patient_id']}/results"

    # Every demo result is filed (the correction after its original) before she looks.
    listed = eventually(
        lambda: (lambda rs: rs if len(rs) == 2 and any(r["version"] == 2 for r in rs) else None)(
            api.call("GET", results_path, token=token).json()["results"]
        ),
        seconds=30,
    )
    assert [(r["name"], r["version"], r["status"]) for r in listed] == [
        ("Hemoglobin A1c/Hemoglobin.total in Blood", 2, "corrected"),
        ("Lipid panel with direct LDL", 1, "final"),
    ]
    a1c = api.call("GET", f"{results_path}/{listed[0]['result_id']}", token=token).json()
    assert a1c["report"]["observations"][0]["value"] == {"type": "numeric", "number": "5.6"}
    assert [v["report"]["observations"][0]["value"]["number"] for v in a1c["earlier_versions"]] == ["5.9"]

    # A new result for her, sent to the feed as the lab would: an email says something is waiting.
    new = (DEMO_FEED / "02_ORU_R01_lipid_panel.hl7").read_bytes().decode()
    new = new.replace("DEMO-LAB-0001", "E2E-LAB-0042").replace("FL-88001", "FL-99042")
    sqs = portal.client("sqs")
    queue = sqs.get_queue_url(QueueName="patient-portal-clinical-inbound.fifo")["QueueUrl"]
    sqs.send_message(QueueUrl=queue, MessageBody=new, MessageGroupId="e2e-lab")

    emails = eventually(lambda: api.emails_to("dana.rivera@example.org", WAITING_SUBJECT), seconds=30)
    assert "Lipid" not in emails[0]["text"] and "Rivera" not in emails[0]["text"]
    assert eventually(lambda: len(api.call("GET", results_path, token=token).json()["results"]) == 3, seconds=30)

    # The new lipid panel and the first one make a line for each of its tests.
    newest = api.call("GET", results_path, token=token).json()["results"][0]
    trends = api.call("GET", f"{results_path}/{newest['result_id']}/trends", token=token).json()
    assert trends["trends"] and all(len(t["points"]) == 2 for t in trends["trends"])

    # A page opens her after-visit summary: the JSON link, then the link itself, as a browser
    # would (no token): the stand-in for storage answers it on its own port.
    documents_path = f"/v1/patients/{dana['patient_id']}/documents"
    # (the check-in journeys of this run may have added her signed forms beside it)
    [summary] = eventually(
        lambda: [
            d for d in api.call("GET", documents_path, token=token).json()["documents"] if d["type"] == "visit-summary"
        ],
        seconds=30,
    )
    link = api.call("GET", f"{documents_path}/{summary['document_id']}/content-link", token=token).json()
    assert link["disposition"] == "inline" and link["media_type"].startswith("text/plain")
    with urllib.request.urlopen(link["url"], timeout=10) as opened:
        assert opened.status == 200 and opened.headers["Content-Type"].startswith("text/plain")
        assert b"family medicine" in opened.read()
