"""The CapabilityStatement an app reads at /metadata: valid FHIR R4, every type the API serves
with its US Core profiles and searches, and the SMART endpoints where SMART clients look for
them (fhirclient, a client nobody here wrote, reads them from it)."""

from __future__ import annotations

from fhirclient.models.capabilitystatement import CapabilityStatement

from chalicelib.apps.domain import RESOURCE_TYPES
from chalicelib.interop.writer import capability_statement, validate
from chalicelib.interop.writer.capability import OAUTH_URIS, US_CORE_SERVER
from chalicelib.interop.writer.profiles import PROFILES

BASE = "https://portal.example.org/fhir/R4"


def a_statement(**changes):
    return capability_statement(
        BASE,
        authorize_url="https://portal.example.org/oauth2/authorize",
        token_url="https://portal.example.org/oauth2/token",
        revoke_url="https://portal.example.org/oauth2/revoke",
        introspect_url="https://portal.example.org/oauth2/introspect",
        resource_types=RESOURCE_TYPES,
        **changes,
    )


def test_the_statement_is_valid_r4_instantiating_us_core_server():
    statement = a_statement()
    validate(statement)
    assert statement["instantiates"] == [US_CORE_SERVER]
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["rest"][0]["mode"] == "server"


def test_each_type_the_api_serves_is_listed_with_its_profile_read_and_search():
    resources = {r["type"]: r for r in a_statement()["rest"][0]["resource"]}
    assert list(resources) == list(RESOURCE_TYPES)
    for name, described in resources.items():
        assert described.get("profile") == PROFILES[name]
        assert [i["code"] for i in described["interaction"]] == ["read", "search-type"]
    observation = {p["name"] for p in resources["Observation"]["searchParam"]}
    assert {"patient", "category", "code", "date"} <= observation
    assert "clinical-status" in {p["name"] for p in resources["Condition"]["searchParam"]}
    assert "type" in {p["name"] for p in resources["DocumentReference"]["searchParam"]}
    assert f"{PROFILES['Patient']}" in resources["Patient"]["supportedProfile"]


def test_fhirclient_reads_the_smart_endpoints_from_it():
    statement = CapabilityStatement(a_statement())
    security = statement.rest[0].security
    assert security.service[0].coding[0].code == "SMART-on-FHIR"
    uris = next(e for e in security.extension if e.url == OAUTH_URIS)
    found = {e.url: e.valueUri for e in uris.extension}
    assert found == {
        "authorize": "https://portal.example.org/oauth2/authorize",
        "token": "https://portal.example.org/oauth2/token",
        "revoke": "https://portal.example.org/oauth2/revoke",
        "introspect": "https://portal.example.org/oauth2/introspect",
    }


def test_endpoints_not_given_are_not_claimed():
    statement = capability_statement(BASE, authorize_url=f"{BASE}/a", token_url=f"{BASE}/t")
    uris = statement["rest"][0]["security"]["extension"][0]["extension"]
    assert [u["url"] for u in uris] == ["authorize", "token"]


def test_fhirclient_chooses_oauth2_with_the_authorize_and_token_urls():
    from fhirclient.auth import FHIRAuth

    state: dict = {}
    auth = FHIRAuth.from_capability_security(CapabilityStatement(a_statement()).rest[0].security, state)
    assert auth.auth_type == "oauth2"
    assert auth._authorize_uri == "https://portal.example.org/oauth2/authorize"
    assert auth._token_uri == "https://portal.example.org/oauth2/token"
