"""The portal as a newcomer meets it after `make run`: over real HTTP, against the local stand-in
for AWS, with the real SQS, Step Functions and SES paths."""

from __future__ import annotations

import http.client
import json
import signal
import socket
import urllib.parse
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest

from chalicelib.adapters.kms import KmsKeys
from chalicelib.http.envelope import SECURITY_HEADERS
from chalicelib.notifications.sealing import seal
from tests.conftest import SAMPLES_DIR
from tests.e2e.conftest import eventually, running_portal

pytestmark = pytest.mark.e2e


def test_health_answers_over_http_and_the_deep_check_finds_every_service_up(portal):
    status, headers, body = portal.get("/v1/health")

    assert status == 200
    assert json.loads(body)["status"] == "ok" and json.loads(body)["stage"] == "local"
    assert headers["Cache-Control"] == "no-store"
    status, _, body = portal.get("/v1/health/deep")
    assert status == 200
    assert json.loads(body)["services"] == {
        "dynamodb": "ok",
        "s3": "ok",
        "sqs": "ok",
        "ses": "ok",
        "stepfunctions": "ok",
        "kms": "ok",
    }


def test_start_up_prints_the_demo_accounts_and_their_emails_arrive_in_the_mailbox(portal):
    output = portal.output()
    assert "demo.admin / albany-admin-demo" in output
    assert "demo.staff / e2e staff passphrase" in output  # PORTAL_DEMO_STAFF_PASSWORD wins
    assert "parent demo.parent / albany-parent-demo" in output  # the third demo account, as the README says

    def ready() -> list:
        found = [e for e in portal.mailbox() if e["subject"].endswith("account is ready")]
        return found if len(found) >= 3 else []

    emails = eventually(ready)
    assert sorted(e["to"][0] for e in emails)[:3] == [
        "demo.admin@albany-medical-center.example",
        "demo.parent@albany-medical-center.example",
        "demo.staff@albany-medical-center.example",
    ]


def test_a_link_in_an_email_can_be_followed(portal):
    # An "account ready" email links to the portal's front page: the web portal's page, served by
    # the stack beside the API (tests/e2e/test_web_portal.py follows an /enroll link's address).
    emails = eventually(lambda: [e for e in portal.mailbox() if e["subject"].endswith("account is ready")])
    link = urllib.parse.urlsplit(emails[0]["links"][0])

    status, _, _ = portal.get(link.path or "/")

    assert f"{link.scheme}://{link.netloc}" == portal.api_url
    assert status == 200


def test_the_mailbox_page_shows_mail_newest_first(portal):
    # queued as a producer queues it: the token sealed with the stack's key
    key = portal.client("kms").describe_key(KeyId="alias/patient-portal")["KeyMetadata"]["Arn"]
    message = {
        "notification_id": "e2e-newest",
        "template": "invitation",
        "to_address": "newest@example.org",
        "token": "tok_0123456789abcdef",
        "lifetime": "7 days",  # (the deployment's invitation lifetime, in words, as the API sends it)
    }
    portal.client("sqs").send_message(
        QueueUrl=portal.client("sqs").get_queue_url(QueueName="patient-portal-notifications")["QueueUrl"],
        MessageBody=json.dumps(seal(KmsKeys(portal.client("kms"), key), message)),
    )

    newest = eventually(lambda: [e for e in portal.mailbox()[:1] if e["to"] == ["newest@example.org"]])
    assert newest and newest[0]["links"] == [portal.api_url + "/enroll?code=tok_0123456789abcdef"]
    status, headers, page = portal.get("/dev/mailbox")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert page.decode().index("newest@example.org") < page.decode().index("demo.admin@")


def test_an_hl7_result_sent_to_the_inbound_queue_is_recorded_and_filed(portal):
    sqs = portal.client("sqs")
    queue_url = sqs.get_queue_url(QueueName="patient-portal-clinical-inbound.fifo")["QueueUrl"]
    body = (SAMPLES_DIR / "hl7v2" / "nist_ORU_R01_lead-high_v2.5.1.hl7").read_bytes().decode()

    sqs.send_message(QueueUrl=queue_url, MessageBody=body, MessageGroupId="NIST")

    dynamodb = portal.client("dynamodb")
    table = next(t for t in dynamodb.list_tables()["TableNames"] if t.endswith("FeedMessagesTable"))
    # (recorded as "accepted" first, then "filed" once its result is under its patient)
    items = eventually(
        lambda: [
            i
            for i in dynamodb.scan(TableName=table)["Items"]
            # (records of other tests share the table; a quarantined body may have no control id)
            if i["status"]["S"] != "accepted" and i.get("control_id", {}).get("S", "").startswith("NIST")
        ]
    )
    assert [(i["message_type"]["S"], i["status"]["S"], i["control_id"]["S"]) for i in items] == [
        ("ORU^R01", "filed", "NIST-100929110701660")
    ]
    assert eventually(
        lambda: (
            sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["All"])["Attributes"][
                "ApproximateNumberOfMessages"
            ]
            == "0"
        )
    )


def test_make_feed_sends_a_file_too_large_for_sqs_as_a_claim_check(portal):
    synthea = SAMPLES_DIR / "fhir" / "synthea_Alberto_Atencio.json"  # ~300 KB: over SQS's 256 KiB

    sent = portal.feed(synthea, FEED_SENDER="synthea-e2e")

    assert sent.returncode == 0, sent.stderr
    assert "claim check" in sent.stdout
    # (the HL7 acknowledgements it then takes off the queue are indented or in brackets)
    outcomes = [line for line in sent.stdout.splitlines() if not line.startswith(("acknowledgement ", "  ", "("))]
    assert outcomes[-1].startswith("filed: ")


def test_a_dated_event_fires_through_step_functions_into_an_email(portal):
    sfn, sqs = portal.client("stepfunctions"), portal.client("sqs")
    machine = sfn.list_state_machines()["stateMachines"][0]["stateMachineArn"]
    fire_at = (datetime.now(timezone.utc) + timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    message = {"notification_id": "e2e-timer", "template": "something_waiting", "to_address": "timer@example.org"}

    sfn.start_execution(
        stateMachineArn=machine,
        name="e2e-timer",
        input=json.dumps(
            {
                "fire_at": fire_at,
                "message_body": json.dumps(message),
                "queue_url": sqs.get_queue_url(QueueName="patient-portal-notifications")["QueueUrl"],
            }
        ),
    )

    assert eventually(lambda: [e for e in portal.mailbox() if e["to"] == ["timer@example.org"]], seconds=30)


def test_a_body_over_the_gateways_limit_is_refused_before_the_app_reads_it(portal):
    import http.client
    import urllib.parse

    # 11 MB announced (only the start is sent: the answer must come before the body is read);
    # API Gateway refuses anything over 10 MB with 413
    address = urllib.parse.urlsplit(portal.api_url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.putrequest("POST", "/v1/sessions")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Content-Length", str(11 * 1024 * 1024))
    connection.endheaders(b"{}")
    answer = connection.getresponse()

    assert answer.status == 413
    assert json.loads(answer.read())["error"]["code"] == "gateway_rejected"
    assert answer.getheader("Cache-Control") == "no-store"
    connection.close()


def test_requests_the_gateway_refuses_come_in_the_portal_error_shape(portal):
    status, headers, body = portal.get("/v1/no-such-route", headers={"Authorization": "Bearer secret-session-token"})

    assert status == 404
    assert json.loads(body)["error"] == {"code": "not_found", "message": "No such route.", "details": []}
    assert b"secret-session-token" not in body  # the gateway's own message would quote the header
    assert {name: headers.get(name) for name in SECURITY_HEADERS} == SECURITY_HEADERS


@pytest.mark.parametrize("method", ["DELETE", "PATCH"])
def test_a_wrong_method_answers_as_an_unknown_route_as_the_deployed_gateway_does(portal, method):
    import requests

    # (chalice local would answer 405; OPTIONS is every path's CORS preflight: test_api_contract_http.py)
    answer = requests.request(
        method, portal.api_url + "/v1/terms", headers={"Authorization": "Bearer secret-session-token"}, timeout=10
    )

    assert answer.status_code == 404
    assert answer.json() == {"error": {"code": "not_found", "message": "No such route.", "details": []}}
    assert "Allow" not in answer.headers and "Access-Control-Allow-Methods" not in answer.headers


def get_with_host(url: str, path: str, host: str) -> tuple[int, str, bytes]:
    """GET ``path`` from the server at ``url`` with ``host`` in the Host header, as a browser sends
    it for a page whose name was rebound to this machine."""
    address = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", host)
        connection.endheaders()
        answer = connection.getresponse()
        return answer.status, answer.getheader("Content-Type", ""), answer.read()
    finally:
        connection.close()


def test_a_page_that_rebinds_its_name_to_this_machine_reads_neither_the_mailbox_nor_the_aws_stand_in(portal):
    for url, path in ((portal.api_url, "/dev/mailbox?format=json"), (portal.aws_url, "/moto-api/data.json")):
        port = urllib.parse.urlsplit(url).port
        # WHEN a request comes for another name (a DNS-rebinding page's)
        status, content_type, body = get_with_host(url, path, f"evil.example:{port}")

        # THEN it is refused with a short plain message, and nothing of the data
        assert status == 421, (url, body[:200])
        assert content_type.startswith("text/plain") and body.startswith(b"Misdirected request")
        assert b"@" not in body.replace(b"PORTAL_ALLOWED_HOSTS", b"")
        # AND the same request under the machine's own names is answered
        for name in ("127.0.0.1", "localhost", "LOCALHOST"):
            assert get_with_host(url, path, f"{name}:{port}")[0] == 200, (url, name)

    # AND the app's own AWS calls (boto3 and PynamoDB at 127.0.0.1) work, as do AWS clients that
    # name the stand-in localhost (as moto's Step Functions executor does)
    assert portal.get("/v1/health")[0] == 200
    aws_port = urllib.parse.urlsplit(portal.aws_url).port
    by_name = boto3.client(
        "sqs",
        endpoint_url=f"http://localhost:{aws_port}",
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    assert any(url.endswith("/patient-portal-notifications") for url in by_name.list_queues()["QueueUrls"])


def test_ctrl_c_stops_everything(tmp_path):
    """On a stack of its own: stopping the shared one would leave later modules without it."""
    with running_portal(tmp_path) as portal:
        assert json.loads(Path(portal.state_path).read_text())["api_url"] == portal.api_url

        portal.process.send_signal(signal.SIGINT)

        # (seconds when the machine is quiet; generous, for when other e2e stacks load the cores)
        assert portal.process.wait(timeout=60) == 0
        for url in (portal.api_url, portal.aws_url):
            port = int(url.rsplit(":", 1)[1])
            with socket.socket() as sock:
                assert sock.connect_ex(("127.0.0.1", port)) != 0, f"{url} still answers"
        # AND the file that said where it ran is gone, so `make feed` says plainly it is not running
        assert not Path(portal.state_path).exists()
        fed = portal.feed(SAMPLES_DIR / "hl7v2" / "nist_ORU_R01_lead-high_v2.5.1.hl7")
        assert fed.returncode == 1
        assert fed.stderr.strip() == "The local portal is not running: start it with `make run` in another terminal."


def test_health_answers_only_once_the_demo_accounts_can_sign_in(tmp_path):
    """A script that waits for health and signs in at once is never refused: the API answers only
    once seeding is done (a request made earlier waits for it)."""
    import requests

    with running_portal(tmp_path, wait_for_banner=False) as portal:
        # WHEN health is asked from the very start, until it first answers 200
        def healthy():
            try:
                return requests.get(portal.api_url + "/v1/health", timeout=30).status_code == 200
            except requests.ConnectionError:  # (the port is not bound yet)
                return False

        assert eventually(healthy, seconds=90, interval=0.05)
        # THEN the demo staff account signs in at once
        answer = requests.post(
            portal.api_url + "/v1/sessions",
            json={"username": "demo.staff", "password": "e2e staff passphrase"},
            timeout=30,
        )
        assert answer.status_code == 201, answer.text
