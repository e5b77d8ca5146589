"""``fhirclient`` (SMART on FHIR client-py, written by nobody here) against the app in process:
its HTTP session is routed into chalice's test client, so the same launch the e2e test makes on
the local stack (tests/e2e/test_smart_launch.py) runs in the integration layer too. It reads the
CapabilityStatement's OAuth endpoints, the patient approves on the consent API, fhirclient
exchanges the code (PKCE) and reads the Patient and the lab Observations fed for her; after she
revokes the app on her Connected apps list, its next read fails."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from fhirclient import client
from fhirclient.models.observation import Observation
from fhirclient.server import FHIRUnauthorizedException
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from tests.integration.apps.conftest import FHIR, REDIRECT_URI, call
from tests.integration.identity.conftest import sign_in
from tests.integration.test_patient_results import ana, feed, oru  # noqa: F401  (fixtures)

SCOPE = "launch/patient openid fhirUser patient/*.rs offline_access"


class InProcess(BaseAdapter):
    """A requests transport that hands each request to chalice's test client."""

    def __init__(self, api):
        super().__init__()
        self.api = api

    def send(self, request, **_options):
        parts = urlsplit(request.url)
        body = request.body or b""
        answer = self.api.http.request(
            request.method,
            parts.path + (f"?{parts.query}" if parts.query else ""),
            headers=dict(request.headers),
            body=body.encode() if isinstance(body, str) else body,
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.body
        response.url = request.url
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self):
        pass


def in_process_client(api) -> client.FHIRClient:
    smart = client.FHIRClient(
        settings={"app_id": "test-health-app", "api_base": FHIR, "redirect_uri": REDIRECT_URI, "scope": SCOPE}
    )
    smart.server.session.mount("https://", InProcess(api))
    return smart


@pytest.fixture
def launched(app_registered, ana, feed):  # noqa: F811  (fixtures)
    patient_id, _ = ana
    feed(oru("c-1", "ORD-1", "85"))
    return patient_id


def test_fhirclient_launches_reads_labs_and_is_refused_once_revoked(app_registered, launched):
    api, patient_id = app_registered, launched
    session = sign_in(api, "ana.nunez", "correct horse battery")
    smart = in_process_client(api)

    authorize_url = smart.authorize_url
    assert parse_qs(urlsplit(authorize_url).query)["code_challenge_method"] == ["S256"]
    consent = api.http.get(authorize_url.removeprefix(FHIR.removesuffix("/fhir/R4")))
    assert consent.status_code == 302, consent.body
    [request_id] = parse_qs(urlsplit(consent.headers["Location"]).query)["request"]
    offer = call(api, "GET", f"/v1/app-authorizations/requests/{request_id}", token=session).json_body
    approved = call(
        api,
        "POST",
        f"/v1/app-authorizations/requests/{request_id}/approve",
        {"patient_id": patient_id, "resource_types": offer["patients"][0]["resource_types"]},
        session,
    )
    assert approved.status_code == 200, approved.json_body

    smart.handle_callback(approved.json_body["redirect_to"])

    assert smart.ready and smart.patient_id == patient_id
    assert smart.patient.name[0].family == "Núñez"
    observations = Observation.where({"patient": patient_id, "category": "laboratory"}).perform_resources(smart.server)
    assert [(o.code.coding[0].code, o.valueQuantity.value) for o in observations] == [("2345-7", 85)]

    apps = call(api, "GET", f"/v1/patients/{patient_id}/apps", token=session).json_body["apps"]
    [connected] = [a for a in apps if a["app"]["client_id"] == "test-health-app"]
    assert {r["resource_type"] for r in connected["reads"]} >= {"Patient", "Observation"}
    revoked = call(api, "POST", f"/v1/patients/{patient_id}/apps/{connected['authorization_id']}/revoke", token=session)
    assert revoked.status_code == 204, revoked.json_body

    with pytest.raises(FHIRUnauthorizedException):
        Observation.where({"patient": patient_id}).perform_resources(smart.server)
