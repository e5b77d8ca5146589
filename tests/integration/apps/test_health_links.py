"""SMART Health Links through the real API over moto: a link the patient makes opens, with the
key its payload carries, to a valid International Patient Summary of what they see; a passcode
is asked and counted (the tenth wrong one locks the link); an expired or revoked link answers 404
and a revoked one's file is gone; each use is kept on the link and shows in the patient's access
log; nobody reaches another patient's links; a proxy shares only when their grant lets them act."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest

from chalicelib import wiring
from chalicelib.apps.health_links import sealing
from chalicelib.kernel.clock import iso
from chalicelib.proxies.domain import Access
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    call,
    enrolled,
    seeded,
    sign_in,
    staff_token,
)
from tests.integration.test_proxy_filter import family  # noqa: F401  (fixture)

RECIPIENT = "Dr. Rivera, Albany Cardiology"


def payload_of(shlink: str) -> dict:
    assert shlink.startswith("shlink:/")
    text = shlink.removeprefix("shlink:/")
    return json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))


def manifest_path(payload: dict) -> str:
    return urlsplit(payload["url"]).path


def key_of(payload: dict) -> bytes:
    return base64.urlsafe_b64decode(payload["key"] + "=")


def make_link(api, patient_id: str, token: str, **body) -> dict:
    answer = call(api, "POST", f"/v1/patients/{patient_id}/health-links", body, token)
    assert answer.status_code == 201, answer.json_body
    return answer.json_body


def ask(api, payload: dict, **body):
    return call(api, "POST", manifest_path(payload), {"recipient": RECIPIENT, **body})


def listed(api, patient_id: str, token: str) -> list[dict]:
    answer = call(api, "GET", f"/v1/patients/{patient_id}/health-links", token=token)
    assert answer.status_code == 200, answer.json_body
    return answer.json_body["links"]


@pytest.fixture
def emma(family):
    """Emma's record with a result and a vital sign, and her session."""
    before = family.clock.now() - timedelta(days=2)
    family.feed(family.oru("c-1", "ORD-1", before), family.vitals("c-2", "VS-1", before))
    _, token = family.tokens()
    return family, token


def test_a_link_opens_with_its_key_to_a_valid_ips_of_what_the_patient_sees(emma, container):
    from chalicelib.interop.writer import validate

    family, token = emma
    # WHEN Emma shares her record
    link = make_link(family.api, family.emma, token, label="For Dr Rivera", expires_in_days=7)
    payload = payload_of(link["shlink"])
    # THEN the payload is the spec's: the manifest URL, a 256-bit key, the expiry, the label
    assert len(payload["key"]) == 43 and len(key_of(payload)) == 32
    assert payload["exp"] == int(family.clock.now().timestamp()) + 7 * 86400
    assert payload["label"] == "For Dr Rivera" and "flag" not in payload
    assert link["viewer_url"].endswith("/shl#" + link["shlink"])
    assert link["qr_svg"].startswith("<svg") and link["status"] == "active"
    # ... AND the manifest gives the file; the payload's key opens it to an IPS document
    answer = ask(family.api, payload, embeddedLengthMax=10_000_000)
    assert answer.status_code == 200, answer.json_body
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    (file,) = answer.json_body["files"]
    assert file["contentType"] == "application/fhir+json"
    header = json.loads(base64.urlsafe_b64decode(file["embedded"].split(".")[0] + "=="))
    assert header == {"alg": "dir", "enc": "A256GCM", "cty": "application/fhir+json"}
    bundle = json.loads(sealing.decrypt(file["embedded"], key_of(payload)))
    validate(bundle)
    assert bundle["type"] == "document"
    types = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert types[0] == "Composition" and "Patient" in types
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    assert patient["name"][0]["family"] == "Stone"
    codes = {
        coding["code"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "Observation"
        for coding in e["resource"]["code"].get("coding", [])
    }
    assert {"2345-7", "8867-4"} <= codes  # the glucose result and the heart rate


def test_the_location_works_for_a_minute_and_serves_the_encrypted_file(emma):
    family, token = emma
    payload = payload_of(make_link(family.api, family.emma, token)["shlink"])

    answer = ask(family.api, payload)

    (file,) = answer.json_body["files"]
    location = urlsplit(file["location"])
    assert parse_qs(location.query)["X-Amz-Expires"] == ["60"]
    bucket, key = wiring.container().settings.attachments_bucket, location.path.split("/", 2)[2]
    if location.path.split("/")[1] != bucket:  # virtual-hosted style: the bucket is in the host
        key = location.path.lstrip("/")
    token_text = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read().decode()
    assert json.loads(sealing.decrypt(token_text, key_of(payload)))["resourceType"] == "Bundle"


def test_each_use_is_kept_on_the_link_and_shows_in_the_access_log(emma, container):
    family, token = emma
    link = make_link(family.api, family.emma, token)
    ask(family.api, payload_of(link["shlink"]), recipient="  Dr.\nRivera  ")

    uses = call(family.api, "GET", f"/v1/patients/{family.emma}/health-links/{link['link_id']}/uses", token=token)

    assert uses.status_code == 200, uses.json_body
    assert [(u["recipient"], u["outcome"]) for u in uses.json_body["uses"]] == [("Dr. Rivera", "opened")]
    (shown,) = listed(family.api, family.emma, token)
    assert shown["use_count"] == 1 and shown["last_used_at"] is not None and shown["made_by"] == "you"
    log = call(family.api, "GET", f"/v1/patients/{family.emma}/access-log", token=token).json_body["events"]
    assert [(e["who"], e["outcome"]) for e in log if e["what"] == "health_link.use"] == [("anonymous", "success")]
    assert any(e["what"] == "health_link.create" and e["who"] == "you" for e in log)


def test_a_passcode_is_asked_and_the_tenth_wrong_one_locks_the_link(emma):
    family, token = emma
    link = make_link(family.api, family.emma, token, passcode="blue-heron-7")
    payload = payload_of(link["shlink"])
    assert payload["flag"] == "P"

    missing = ask(family.api, payload)
    assert missing.status_code == 401 and missing.json_body["remainingAttempts"] == 9
    right = ask(family.api, payload, passcode="blue-heron-7")
    assert right.status_code == 200, right.json_body
    answers = [ask(family.api, payload, passcode=f"guess-{n}") for n in range(9)]
    assert [a.json_body["remainingAttempts"] for a in answers] == [8, 7, 6, 5, 4, 3, 2, 1, 0]
    # THEN the link is locked for good: even the right passcode gets nothing
    assert ask(family.api, payload, passcode="blue-heron-7").status_code == 404
    (shown,) = listed(family.api, family.emma, token)
    assert shown["status"] == "locked" and shown["remaining_attempts"] == 0
    assert shown["use_count"] == 1  # the one right passcode opened it; the wrong ones are not openings


def test_an_expired_link_answers_nothing(emma):
    family, token = emma
    payload = payload_of(make_link(family.api, family.emma, token, expires_in_days=1)["shlink"])

    family.clock.advance(days=1, seconds=1)

    assert ask(family.api, payload).status_code == 404
    _, token = family.tokens()
    assert listed(family.api, family.emma, token)[0]["status"] == "expired"


def test_a_revoked_link_answers_nothing_and_its_file_is_gone(emma):
    family, token = emma
    link = make_link(family.api, family.emma, token)
    payload = payload_of(link["shlink"])
    base = f"/v1/patients/{family.emma}/health-links/{link['link_id']}"
    assert call(family.api, "GET", base, token=token).status_code == 200

    revoked = call(family.api, "POST", base + "/revoke", token=token)

    assert revoked.status_code == 204
    assert ask(family.api, payload).status_code == 404
    bucket = wiring.container().settings.attachments_bucket
    versions = boto3.client("s3").list_object_versions(Bucket=bucket, Prefix=f"health-links/{link['link_id']}")
    assert versions.get("Versions", []) == []
    assert call(family.api, "GET", base, token=token).status_code == 409
    (stopped,) = listed(family.api, family.emma, token)
    assert stopped["status"] == "revoked" and stopped["revoked_at"] == iso(family.clock.now())


def test_nobody_reaches_another_patients_links(emma, container):
    family, token = emma
    link = make_link(family.api, family.emma, token)
    ana_token, _ = family.tokens()  # Ana, with no grant for Emma
    ana = container.directory.account_by_username("ana.nunez")

    for method, path in [
        ("GET", f"/v1/patients/{family.emma}/health-links"),
        ("GET", f"/v1/patients/{family.emma}/health-links/{link['link_id']}"),
        ("POST", f"/v1/patients/{family.emma}/health-links/{link['link_id']}/revoke"),
        ("GET", f"/v1/patients/{ana.patient_id}/health-links/{link['link_id']}/uses"),
    ]:
        assert call(family.api, method, path, token=ana_token).status_code == 404, path
    assert ask(family.api, payload_of(link["shlink"])).status_code == 200


def test_a_read_only_proxy_may_not_share(emma):
    family, _ = emma
    family.grant(access=Access.READ_ONLY)
    ana_token, _ = family.tokens()

    refused = call(family.api, "POST", f"/v1/patients/{family.emma}/health-links", {}, ana_token)

    assert refused.status_code == 403


def test_a_proxy_who_may_act_shares_and_the_patient_sees_and_may_revoke_it(emma):
    family, token = emma
    family.grant()
    ana_token, _ = family.tokens()

    made = make_link(family.api, family.emma, ana_token)

    assert made["made_by"] == "you"
    assert [link["made_by"] for link in listed(family.api, family.emma, token)] == ["proxy"]
    path = f"/v1/patients/{family.emma}/health-links/{made['link_id']}/revoke"
    assert call(family.api, "POST", path, token=token).status_code == 204


def test_the_links_key_is_never_kept_in_clear_for_a_repeat(emma):
    family, token = emma
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}", "Idempotency-Key": "k" * 36}
    path = f"/v1/patients/{family.emma}/health-links"

    # WHEN the page sends its form twice with one Idempotency-Key (a double click)
    first, second = (family.api.http.request("POST", path, headers=headers, body=b"{}") for _ in range(2))

    # THEN each makes its own link (both listed, either one revocable) ...
    assert first.status_code == second.status_code == 201
    assert first.json_body["link_id"] != second.json_body["link_id"]
    assert len(listed(family.api, family.emma, token)) == 2
    # ... AND no answer holding a key was kept to replay
    table = wiring.container().settings.idempotency_table
    kept = json.dumps(boto3.client("dynamodb").scan(TableName=table)["Items"])
    assert payload_of(first.json_body["shlink"])["key"] not in kept


def test_a_former_proxys_links_stop_with_their_access(emma):
    family, token = emma
    family.grant(ends_at=family.clock.now() + timedelta(days=1))
    ana_token, _ = family.tokens()
    made = make_link(family.api, family.emma, ana_token)
    payload = payload_of(made["shlink"])
    assert ask(family.api, payload).status_code == 200

    # WHEN Ana's grant ends (the link itself would work for 29 more days)
    family.clock.advance(days=1, seconds=1)

    # THEN the link opens to nothing, as a revoked one does ...
    refused = ask(family.api, payload)
    assert refused.status_code == 404, refused.json_body
    # ... AND Emma's list says why it stopped, and it cannot be shown again
    _, token = family.tokens()
    assert [link["status"] for link in listed(family.api, family.emma, token)] == ["access_ended"]
    again = call(family.api, "GET", f"/v1/patients/{family.emma}/health-links/{made['link_id']}", token=token)
    assert again.status_code == 409
