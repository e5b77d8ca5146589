"""Issue 16's "done when", over real HTTP against the local stack with a client nobody here wrote:
``fhirclient`` (SMART on FHIR client-py) reads the CapabilityStatement, builds the standalone
launch's authorize URL (PKCE S256), the demo patient approves the demo app on the consent API as
the portal's page would, fhirclient exchanges the code and reads her Patient and her lab
Observations; her access log shows what the app read; she revokes the app and the next read
fails."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from fhirclient import client
from fhirclient.models.observation import Observation
from fhirclient.server import FHIRUnauthorizedException

from chalicelib.apps.domain import RESOURCE_TYPES
from chalicelib.interop import writer
from tests.e2e.conftest import eventually
from tests.e2e.test_identity_journey import Api
from tests.e2e.test_refill_journey import dana_signs_in

pytestmark = pytest.mark.e2e

APP_ID = "demo-health-tracker"
REDIRECT_URI = "http://localhost:8765/callback"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
SCOPE = "launch/patient openid fhirUser patient/*.rs offline_access"


def smart_client(portal) -> client.FHIRClient:
    return client.FHIRClient(
        settings={
            "app_id": APP_ID,
            "api_base": f"{portal.api_url}/fhir/R4",
            "redirect_uri": REDIRECT_URI,
            "scope": SCOPE,
        }
    )


def consent_request_of(authorize_url: str) -> str:
    """The consent request the authorization server sends the browser to the portal's page with."""
    answer = requests.get(authorize_url, allow_redirects=False, timeout=30)
    assert answer.status_code in (302, 303), answer.text
    location = answer.headers["Location"]
    assert urlsplit(location).path == "/apps/authorize", location
    [request_id] = parse_qs(urlsplit(location).query)["request"]
    return request_id


def test_fhirclient_launches_reads_the_demo_patients_labs_and_is_cut_off_by_a_revoke(portal):
    api = Api(portal)
    patient_id, session = dana_signs_in(api)
    # The demo feed files her results within moments of the stack starting.
    assert eventually(
        lambda: api.call("GET", f"/v1/patients/{patient_id}/results", token=session).json()["results"], seconds=30
    )
    smart = smart_client(portal)

    # fhirclient reads /metadata for the OAuth endpoints and builds the authorize URL with PKCE.
    authorize_url = smart.authorize_url
    assert authorize_url.startswith(f"{portal.api_url}/oauth2/authorize?")
    assert parse_qs(urlsplit(authorize_url).query)["code_challenge_method"] == ["S256"]
    request_id = consent_request_of(authorize_url)
    offered = api.call("GET", f"/v1/app-authorizations/requests/{request_id}", token=session)
    assert offered.status_code == 200, offered.text
    assert offered.json()["app"]["client_id"] == APP_ID
    [mine] = [p for p in offered.json()["patients"] if p["patient_id"] == patient_id]
    approved = api.call(
        "POST",
        f"/v1/app-authorizations/requests/{request_id}/approve",
        {"patient_id": patient_id, "resource_types": mine["resource_types"]},
        session,
    )
    assert approved.status_code == 200, approved.text
    redirect_to = approved.json()["redirect_to"]
    assert redirect_to.startswith(REDIRECT_URI + "?")

    smart.handle_callback(redirect_to)

    assert smart.ready and smart.patient_id == patient_id
    assert smart.patient.name[0].family == "Rivera"
    observations = Observation.where({"patient": patient_id}).perform_resources(smart.server)
    values = {(o.code.coding[0].code, o.valueQuantity.value) for o in observations if o.valueQuantity is not None}
    # her cholesterol, and her hemoglobin A1c as corrected, as her results page shows them
    assert {("2093-3", 212), ("4548-4", 5.6)} <= values

    # Every type the app may read is valid FHIR R4 with its US Core profile, her health summary included.
    found = {}
    for resource_type in RESOURCE_TYPES:
        answer = requests.get(
            f"{portal.api_url}/fhir/R4/{resource_type}?_count=100",
            headers={"Authorization": f"Bearer {smart.server.auth.access_token}"},
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        writer.validate(answer.json())
        for entry in answer.json().get("entry", []):
            writer.validate(entry["resource"])
            found.setdefault(resource_type, []).append(entry["resource"])
    assert set(found) == set(RESOURCE_TYPES)  # the demo record has something of every type
    for resource_type, resources in found.items():
        if resource_type != "Appointment":  # (US Core profiles no Appointment)
            assert all(any(p.startswith(US_CORE) for p in r["meta"]["profile"]) for r in resources), resource_type

    # Her access log says the app read her record.
    log = api.call("GET", f"/v1/patients/{patient_id}/access-log", token=session).json()
    assert any(e.get("app_name") == "Health Tracker Demo" for e in log["events"]), log

    # She revokes it on her Connected apps page: the app's next read fails at once.
    apps = api.call("GET", f"/v1/patients/{patient_id}/apps", token=session).json()["apps"]
    [connected] = [a for a in apps if a["app"]["client_id"] == APP_ID]
    revoked = api.call("POST", f"/v1/patients/{patient_id}/apps/{connected['authorization_id']}/revoke", token=session)
    assert revoked.status_code == 204, revoked.text
    refused = requests.get(
        f"{portal.api_url}/fhir/R4/Patient/{patient_id}",
        headers={"Authorization": f"Bearer {smart.server.auth.access_token}"},
        timeout=30,
    )
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    with pytest.raises(FHIRUnauthorizedException):
        Observation.where({"patient": patient_id}).perform_resources(smart.server)
