"""The API contract over real HTTP on the local stack: CORS preflights as a browser sends them,
and the API's document and its rendering.

(chalice's test client cannot send an OPTIONS preflight, so CORS is tried here, where the local
gateway and the app answer it as API Gateway and the deployed function would.)
"""

from __future__ import annotations

import json
import urllib.request

import pytest

from infra.local.stack import LOCAL_FRONTEND_ORIGINS

pytestmark = pytest.mark.e2e

FRONTEND = LOCAL_FRONTEND_ORIGINS.split(",")[0]
STRANGER = "https://evil.example"


def _call(portal, method: str, path: str, headers: dict[str, str]):
    request = urllib.request.Request(portal.api_url + path, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _preflight(portal, origin: str, method: str = "POST", path: str = "/v1/sessions"):
    return _call(
        portal,
        "OPTIONS",
        path,
        {
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )


def test_a_preflight_from_the_configured_origin_is_allowed(portal):
    status, headers, _ = _preflight(
        portal, FRONTEND, method="GET", path="/v1/patients/0123456789abcdef0123456789abcdef/results"
    )

    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == FRONTEND
    assert headers["Access-Control-Allow-Methods"] == "GET"
    allowed_headers = {h.strip().lower() for h in headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed_headers
    assert "Access-Control-Allow-Credentials" not in headers  # bearer tokens only: never cookies
    assert headers["Vary"] == "Origin"


def test_a_preflight_from_another_origin_gets_no_cors_header(portal):
    status, headers, body = _preflight(portal, STRANGER)

    assert status == 403
    assert not [name for name in headers if name.lower().startswith("access-control-")]
    assert json.loads(body)["error"]["code"] == "cors_refused"


def test_a_preflight_for_a_method_the_path_does_not_serve_is_refused(portal):
    status, headers, _ = _preflight(portal, FRONTEND, method="DELETE")

    assert status == 403
    assert "Access-Control-Allow-Origin" not in headers


def test_an_answer_to_the_configured_origin_may_be_read_by_it_and_not_by_another(portal):
    _, allowed, _ = _call(portal, "GET", "/v1/terms", {"Origin": FRONTEND})
    _, refused, _ = _call(portal, "GET", "/v1/terms", {"Origin": STRANGER})

    assert allowed["Access-Control-Allow-Origin"] == FRONTEND
    assert "X-Correlation-Id" in allowed["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in refused
    assert refused["Vary"] == "Origin"


def test_the_document_and_its_rendering_are_served(portal):
    status, headers, body = _call(portal, "GET", "/v1/openapi.json", {})
    page_status, page_headers, page = _call(portal, "GET", "/v1/docs", {})
    script_status, _, _ = _call(portal, "GET", "/v1/docs/swagger-ui-bundle.js", {})

    assert status == 200 and json.loads(body)["openapi"] == "3.1.0"
    assert "/v1/sessions" in json.loads(body)["paths"]
    assert page_status == 200 and b"docs/initializer.js" in page
    assert "script-src 'self'" in page_headers["Content-Security-Policy"]
    assert script_status == 200


def test_a_health_links_manifest_may_be_asked_for_from_any_origin_without_credentials(portal):
    # A SMART Health Link is opened by whatever viewer its holder uses: any origin, no cookies.
    path = "/shl/" + "A" * 43
    status, headers, _ = _preflight(portal, STRANGER, path=path)
    _, answered, _ = _call(portal, "POST", path, {"Origin": STRANGER, "Content-Type": "application/json"})
    refused, _, _ = _preflight(portal, STRANGER, method="DELETE", path=path)

    assert status == 204
    assert headers["Access-Control-Allow-Origin"] == "*" and headers["Access-Control-Allow-Methods"] == "POST"
    assert "Access-Control-Allow-Credentials" not in headers
    assert answered["Access-Control-Allow-Origin"] == "*"  # (a 400 here: the body is missing)
    assert refused == 403
