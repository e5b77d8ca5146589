"""What each route of a Monday-morning mix costs, and the limits that follow: the figures of
docs/capacity.md, from the model in infra/capacity.yaml (the mix, the peak, the limits the
template sets; tests/unit/test_capacity_model.py keeps the template and the doc equal to it).

Every route runs through chalice's test client on moto (decorator mode), on the demo
organization's data: the demo feed filed for Dana Rivera plus 40 more results (a page of 20 is
full), her account signing in with a password at production cost. For each route, one counted
pass, then timed turns:

- calls, and read and write units from the sizes of the items each call touched, as DynamoDB
  bills them on demand (bench/aws_calls.py; moto's own ConsumedCapacity is a constant);
- CPU per request, warm, the routes taking turns (A B C ... A B C), medians; moto's own CPU
  (inside its before-send stubber, which builds every answer) measured and taken out, which
  leaves what the Lambda function itself spends.

Then the model (bench/capacity_model.py): Lambda time at each function's memory, requests/s per
route and method, busy instances per function, DynamoDB units/s per table and per shared key,
beside the limits infra/capacity.yaml gives the template. `python -m bench.route_costs --quick`
runs 2 turns (the smoke test's size).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import secrets
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

os.environ.setdefault("AWS_ACCESS_KEY_ID", "bench")
os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "bench")
os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")  # the seed's and the routes' info lines are not the result

import boto3  # noqa: E402
import moto  # noqa: E402,F401
from moto import mock_aws  # noqa: E402

from bench import aws_calls, capacity_model  # noqa: E402
from bench.aws_calls import MotoClock, Recorder  # noqa: E402
from bench.capacity_model import Case  # noqa: E402
from bench.table import Row  # noqa: E402
from infra.capacity import load_model  # noqa: E402

PROJECT_DIR = Path(__file__).resolve().parents[1]
TURNS = 15
EXTRA_RESULTS = 40
PASSWORD = "bench correct horse battery"


# -- the stack and the routes --------------------------------------------------------------------


def _local_stage_environment() -> None:
    config = json.loads((PROJECT_DIR / ".chalice" / "config.json").read_text())
    for name, value in config["stages"]["local"]["environment_variables"].items():
        if name.startswith("PORTAL_"):
            os.environ[name] = value


def _file_demo_data(container) -> str:
    """The demo organization seeded, its feed filed (and 40 more results for Dana); her patient id."""
    from bench.feed_intake import oru_with_20_obx
    from chalicelib.feeds import service as feeds
    from chalicelib.filing import service as filing
    from chalicelib.patients.domain import identifier
    from infra.local import seed

    seed.seed(container, {})

    def filer(envelope, message_key: str) -> None:
        filing.file_message(container, envelope, message_key, container.clock.now())

    def send(body: bytes) -> None:
        feeds.receive(
            body,
            archive=container.feed_archive,
            messages=container.feed_messages,
            sender_hint="LAB",
            filer=filer,
            received_at=container.clock.now(),
        )

    demo = sorted([*seed.DEMO_FEED.glob("*.hl7"), *seed.DEMO_FEED.glob("*.json")], key=lambda p: p.name)
    today = container.clock.now().date()
    for path in demo:
        send(path.read_bytes().replace(seed.EMMA_BORN_AS_FILED.encode(), seed.emma_birth_date(today).encode()))
    dana = "PID|1||AMC-100001^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F"
    for number in range(EXTRA_RESULTS):
        lines = oru_with_20_obx(900_000 + number).decode().split("\r")
        send("\r".join(dana if line.startswith("PID|") else line for line in lines).encode())
    patient = container.patients.by_identifier(
        seed.ORGANIZATION_ID, identifier(seed.MRN_AUTHORITY, seed.DEMO_PATIENT_MRN)
    )
    return patient.patient_id


def _dana_account(container, patient_id: str) -> str:
    """Dana's patient account, its password hashed at production cost; its user name."""
    from chalicelib.accounts.domain import Account, AccountStatus, Role
    from chalicelib.accounts.passwords import hash_password
    from chalicelib.identity import terms
    from infra.local import seed

    at = container.clock.now()
    container.directory.add_account(
        Account(
            account_id=uuid.uuid4().hex,
            username="dana.rivera",
            organization_id=seed.ORGANIZATION_ID,
            role=Role.PATIENT,
            password_hash=hash_password(PASSWORD),
            status=AccountStatus.ACTIVE,
            email="dana@bench.example",
            created_at=at,
            email_verified=True,
            patient_id=patient_id,
            terms_version=terms.SHIPPED.version,
            terms_accepted_at=at,
        )
    )
    return "dana.rivera"


def _cases(client, container, patient_id: str, username: str) -> list[Case]:
    from infra.local import seed

    def request(method: str, path: str, body: dict | None = None, token: str | None = None, **headers: str):
        headers = {"Content-Type": "application/json", **headers}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else b""
        return client.http.request(method, path, headers=headers, body=data)

    def sign_in() -> int:
        return request("POST", "/v1/sessions", {"username": username, "password": PASSWORD}).status_code

    def sign_in_unknown() -> int:
        """A user name nobody has (a typo, or credential stuffing): the same work and answer as a
        wrong password, its failure counted under the anonymous account."""
        unknown = f"nobody.{uuid.uuid4().hex[:12]}"
        return request("POST", "/v1/sessions", {"username": unknown, "password": PASSWORD}).status_code

    signed = request("POST", "/v1/sessions", {"username": username, "password": PASSWORD})
    assert signed.status_code == 201, signed.json_body
    token = signed.json_body["token"]
    base = f"/v1/patients/{patient_id}"
    results = request("GET", f"{base}/results?limit=20", token=token).json_body["results"]
    teams, _ = container.care_teams.teams_of(seed.ORGANIZATION_ID)
    team_id = teams[0].team_id
    medications = request("GET", f"{base}/medications", token=token).json_body
    refillable = [m["medication_id"] for m in medications.get("medications", []) if m["refill"]["can_request"]]
    future = (container.clock.now() + timedelta(days=10)).date().isoformat()

    def get(path: str) -> Callable[[], int]:
        return lambda: request("GET", path, token=token).status_code

    app_token = _app_token(client, container, token, patient_id)

    def fhir_search() -> int:
        headers = {"Authorization": f"Bearer {app_token}", "Accept": "application/fhir+json"}
        return client.http.request("GET", "/fhir/R4/Observation?category=laboratory", headers=headers).status_code

    def post(path: str, body: Callable[[], dict]) -> Callable[[], int]:
        return lambda: request("POST", path, body(), token=token, **{"Idempotency-Key": uuid.uuid4().hex}).status_code

    def refill() -> dict:
        return {"medication_id": refillable[0] if refillable else "0" * 32, "pharmacy": {"name": "Main St"}, "note": ""}

    def forget_pending_refill() -> None:
        """The request's pending mark, which refuses a second request for the same medication."""
        from chalicelib.data.models import RefillPendingModel
        from chalicelib.data.refills import patient_partition

        if refillable:
            RefillPendingModel(patient_partition(patient_id), f"pending#{refillable[0]}").delete()

    api = "APIHandler"
    return [
        Case("sign_in", sign_in, "SignInHandler"),
        Case("sign_in_unknown", sign_in_unknown, "SignInHandler", expect=(401,)),
        Case("me", get("/v1/me"), api),
        Case("notifications", get("/v1/me/notifications"), api),
        Case("results_list", get(f"{base}/results?limit=20"), api),
        Case("result", get(f"{base}/results/{results[0]['result_id']}"), api),
        Case("documents", get(f"{base}/documents"), api),
        Case("messages", get(f"{base}/messages"), api),
        Case("appointments", get(f"{base}/appointments"), api),
        Case("medications", get(f"{base}/medications"), api),
        Case("fhir_search", fhir_search, api),
        Case(
            "message_write",
            post(f"{base}/messages", lambda: {"team_id": team_id, "subject": "A question", "body": "Hello"}),
            api,
        ),
        Case("refill_write", post(f"{base}/refill-requests", refill), api, forget_pending_refill),
        Case(
            "appointment_request",
            post(
                f"{base}/appointment-requests",
                lambda: {
                    "care_team_id": team_id,
                    "reason": "A check-up",
                    "mode": "in_person",
                    "preferred": [{"date": future, "time_of_day": "morning"}],
                },
            ),
            api,
        ),
    ]


def _app_token(client, container, session: str, patient_id: str) -> str:
    """The demo health app's access token for Dana's record: SMART's standalone launch (authorize,
    the patient's approval, the code exchanged with PKCE)."""
    from infra.local.seed_apps import DEMO_APP_CLIENT_ID, DEMO_APP_REDIRECT_URIS

    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect = DEMO_APP_REDIRECT_URIS[0]
    params = {
        "response_type": "code",
        "client_id": DEMO_APP_CLIENT_ID,
        "redirect_uri": redirect,
        "scope": "launch/patient patient/*.rs",
        "state": "bench",
        "aud": container.settings.public_base_url + "/fhir/R4",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    location = client.http.get("/oauth2/authorize?" + urlencode(params)).headers["Location"]
    request_id = parse_qs(urlsplit(location).query)["request"][0]
    approved = client.http.request(
        "POST",
        f"/v1/app-authorizations/requests/{request_id}/approve",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {session}"},
        body=json.dumps({"patient_id": patient_id, "resource_types": ["Observation"]}).encode(),
    )
    code = parse_qs(urlsplit(approved.json_body["redirect_to"]).query)["code"][0]
    fields = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": redirect,
        "code_verifier": verifier,
        "client_id": DEMO_APP_CLIENT_ID,
    }
    exchanged = client.http.post(
        "/oauth2/token",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        body=urlencode(fields).encode(),
    )
    return json.loads(exchanged.body)["access_token"]


def _ingest_case(container) -> Case:
    """One ORU^R01 with 20 OBX from the lab, received and filed (the feed function's work)."""
    from bench.feed_intake import oru_with_20_obx
    from chalicelib.feeds import service as feeds
    from chalicelib.filing import service as filing

    numbers = iter(range(700_000, 10**9))

    def filer(envelope, message_key: str) -> None:
        filing.file_message(container, envelope, message_key, container.clock.now())

    def ingest() -> int:
        feeds.receive(
            oru_with_20_obx(next(numbers)),
            archive=container.feed_archive,
            messages=container.feed_messages,
            sender_hint="LAB",
            filer=filer,
            received_at=container.clock.now(),
        )
        return 200

    return Case("feed_ingest", ingest, "OnClinicalFeedMessage")


def measure(turns: int = TURNS) -> list[Case]:
    from chalice.test import Client

    import app as app_module
    from bench.feed_intake import frozen_heap
    from chalicelib import wiring
    from infra.local.provision import provision

    with mock_aws():
        _local_stage_environment()
        # sign-in's per-address throttle would refuse the timed turns (all from one address)
        os.environ["PORTAL_ATTEMPTS_PER_ADDRESS"] = "100000"
        os.environ.update(provision(boto3.session.Session()).environment)
        wiring.reset()
        container = wiring.container()
        patient_id = _file_demo_data(container)
        username = _dana_account(container, patient_id)
        # one key per user name, one per message's control id: spread, not shared
        aws_calls.PER_CALLER += [re.compile(re.escape(username)), re.compile(r"CTRL\d+")]
        with Client(app_module.app, stage_name="local", project_dir=str(PROJECT_DIR)) as client:
            cases = [*_cases(client, container, patient_id, username), _ingest_case(container)]
            for case in cases:
                case.send()  # warm: the first call of each route builds what it keeps
                if case.after:
                    case.after()
            recorder = Recorder()
            for case in cases:
                with recorder.counting() as counted:
                    case.statuses[case.send()] += 1
                case.counted = counted
                if case.after:
                    case.after()
            with frozen_heap():
                for _ in range(turns):
                    for case in cases:
                        with MotoClock() as moto_clock:
                            cpu, wall = time.process_time(), time.perf_counter()
                            case.statuses[case.send()] += 1
                            case.cpu.append((time.process_time() - cpu - moto_clock.spent) * 1000)
                            case.wall.append((time.perf_counter() - wall) * 1000)
                        if case.after:
                            case.after()
    return cases


def rows(turns: int = TURNS) -> list[Row]:
    cases, model = measure(turns), load_model()
    capacity_model.print_details(cases, model)
    return capacity_model.rows(cases, model)


def main() -> None:
    from bench.table import render

    turns = 2 if "--quick" in sys.argv else TURNS
    print(render(rows(turns)))


if __name__ == "__main__":
    main()
