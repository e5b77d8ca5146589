"""The API's contract: the generated OpenAPI document, the routes it describes, and how requests
that break the declared models are refused.

GIVEN the app as deployed (chalice's test client on the local stage)
WHEN its document is read, or a request breaks a route's declared model
THEN the document is valid OpenAPI 3.1 and matches the routes both ways, and the refusal is a
400 that names each wrong field.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from openapi_spec_validator import validate

from chalicelib.http.routing import Access, contract_of

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def signed_in_staff(api) -> str:
    from chalicelib import wiring
    from infra.local import seed
    from tests.integration.identity.conftest import STAFF_PASSWORD, STAFF_USER, sign_in

    seed.seed(wiring.container(), {})
    return sign_in(api, STAFF_USER, STAFF_PASSWORD)


def _document(api) -> dict:
    response = api.http.get("/v1/openapi.json")
    assert response.status_code == 200
    return json.loads(response.body)


def _served_operations() -> set[tuple[str, str]]:
    import app as app_module

    return {
        (path, method.lower())
        for path, methods in app_module.app.routes.items()
        for method in methods
        if method != "OPTIONS"  # preflights: answered for every path, described by CORS, not the document
    }


def test_the_document_is_valid_openapi_3_1(api):
    document = _document(api)

    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_route_is_documented_and_nothing_else_is(api):
    document = _document(api)
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}

    assert documented - _served_operations() == set(), "documented but not served"
    assert _served_operations() - documented == set(), "served but not documented"


def test_every_route_declares_its_contract():
    """(``route`` requires the responses; a view registered around it would have no contract.)"""
    import app as app_module

    without = sorted(
        f"{method} {path}"
        for path, methods in app_module.app.routes.items()
        for method, entry in methods.items()
        if method != "OPTIONS" and contract_of(entry.view_function) is None
    )
    assert without == []


def test_signed_in_routes_name_the_bearer_scheme_and_public_ones_none(api):
    document = _document(api)
    import app as app_module

    for path, methods in app_module.app.routes.items():
        for method, entry in methods.items():
            if method == "OPTIONS":
                continue
            operation = document["paths"][path][method.lower()]
            contract = contract_of(entry.view_function)
            if contract.access.needs_session:
                assert operation["security"] == [{"session": []}], f"{method} {path}"
                assert {"401", "403"} <= set(operation["responses"]), f"{method} {path}"
            else:
                assert operation["security"] == [], f"{method} {path}"
    assert document["components"]["securitySchemes"]["session"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "The session token from POST /v1/sessions (or /v1/sessions/mfa).",
    }


def test_every_response_has_a_schema_and_errors_share_one_shape(api):
    import app as app_module

    document = _document(api)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert operation["tags"], f"{method} {path} has no tag"
            contract = contract_of(app_module.app.routes[path][method.upper()].view_function)
            for status, response in operation["responses"].items():
                if status == "204":
                    assert "content" not in response
                    continue
                assert response.get("content"), f"{method} {path} {status} has no schema"
                if int(status) >= 400 and int(status) not in contract.responses:
                    assert response["content"]["application/json"]["schema"] == {
                        "$ref": "#/components/schemas/ErrorBody"
                    }, f"{method} {path} {status}"


def test_request_bodies_bound_every_string_and_list(api):
    """Unbounded text or lists in a request would let one call store megabytes."""
    schemas = _document(api)["components"]["schemas"]
    bodies = {
        next(iter(operation["requestBody"]["content"].values()))["schema"]["$ref"].rsplit("/", 1)[1]
        for operations in _document(api)["paths"].values()
        for operation in operations.values()
        if "requestBody" in operation
    }
    unbounded = []

    def walk(schema: dict, where: str) -> None:
        if "$ref" in schema:
            walk(schemas[schema["$ref"].rsplit("/", 1)[1]], where)
            return
        for option in schema.get("anyOf", []) + schema.get("oneOf", []):
            walk(option, where)
        if (
            schema.get("type") == "string"
            and "maxLength" not in schema
            and "enum" not in schema
            and "format" not in schema
            and "const" not in schema
        ):
            unbounded.append(where)
        if schema.get("type") == "array":
            if "maxItems" not in schema:
                unbounded.append(where)
            walk(schema.get("items", {}), f"{where}[]")
        for name, prop in schema.get("properties", {}).items():
            walk(prop, f"{where}.{name}")

    for name in sorted(bodies):
        walk(schemas[name], name)
    assert unbounded == []


def test_an_unknown_field_is_refused_with_its_name(api, signed_in_staff):
    response = api.http.post(
        "/v1/staff/worklist/0123456789abcdef0123456789abcdef/done",
        headers={"Authorization": f"Bearer {signed_in_staff}", "Content-Type": "application/json"},
        body=json.dumps({"outcome": "reached", "is_admin": True}),
    )

    assert response.status_code == 400
    error = json.loads(response.body)["error"]
    assert error["code"] == "validation_failed"
    assert error["details"] == [{"field": "is_admin", "issue": "not accepted"}]


def test_a_wrong_value_is_refused_without_echoing_it(api, signed_in_staff):
    response = api.http.post(
        "/v1/staff/worklist/0123456789abcdef0123456789abcdef/done",
        headers={"Authorization": f"Bearer {signed_in_staff}", "Content-Type": "application/json"},
        body=json.dumps({"outcome": "secret-value-123"}),
    )

    assert response.status_code == 400
    assert b"secret-value-123" not in response.body
    assert json.loads(response.body)["error"]["details"][0]["field"] == "outcome"


def test_a_query_parameter_a_route_does_not_take_is_refused(api, signed_in_staff):
    response = api.http.get("/v1/staff/worklist?debug=1", headers={"Authorization": f"Bearer {signed_in_staff}"})

    assert response.status_code == 400
    assert json.loads(response.body)["error"]["details"] == [{"field": "debug", "issue": "not accepted"}]


def test_the_docs_page_renders_the_document_without_inline_script(api):
    page = api.http.get("/v1/docs")
    script = api.http.get("/v1/docs/swagger-ui-bundle.js")
    initializer = api.http.get("/v1/docs/initializer.js")

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert b"<script>" not in page.body  # every script is a file
    assert script.status_code == 200 and b"SwaggerUIBundle" in script.body
    # relative links: the deployed API sits under its stage (/api/v1/docs), where /v1/... would miss
    assert b'url: "openapi.json"' in initializer.body
    assert b'href="docs/swagger-ui.css"' in page.body and b'"/v1/' not in page.body
    assert json.loads(api.http.get("/v1/openapi.json").body)["servers"] == [{"url": ".."}]
    assert api.http.get("/v1/docs/..%2Fsettings.py").status_code == 404


# Every route a caller may use without a session. A route made public by mistake fails here.
PUBLIC_ROUTES = {
    "GET /dev/clock",
    "GET /dev/mailbox",
    "POST /dev/clock",
    "GET /v1",
    "GET /v1/docs",
    "GET /v1/docs/{asset}",
    "GET /v1/health",
    "GET /v1/health/deep",
    "GET /v1/openapi.json",
    "GET /v1/terms",
    "GET /v1/support-requests/organizations",
    "POST /v1/support-requests",
    "POST /v1/account/email-verifications",
    "POST /v1/account/contact-email-confirmations",
    "POST /v1/account/password-resets",
    "POST /v1/account/password-resets/confirm",
    "POST /v1/account/setup",
    "POST /v1/account/username-reminders",
    "POST /v1/enrollments",
    "POST /v1/sessions",
    "POST /v1/sessions/mfa",
    "POST /v1/sessions/mfa/email-code",
    # the FHIR API: an app's bearer token is checked by the route itself (apps/fhir_api)
    "GET /fhir/R4/metadata",
    "GET /fhir/R4/{resource_type}",
    "GET /fhir/R4/{resource_type}/{resource_id}",
    # SMART on FHIR's authorization server and discovery: apps call them without a session
    "GET /oauth2/authorize",
    "POST /oauth2/token",
    "POST /oauth2/introspect",
    "POST /oauth2/revoke",
    "GET /oauth2/jwks",
    "GET /fhir/R4/.well-known/smart-configuration",
    "POST /shl/{manifest_id}",  # a SMART Health Link's manifest: the link is the permission
}


def test_only_the_known_routes_are_public():
    import app as app_module

    public = {
        f"{method} {path}"
        for path, methods in app_module.app.routes.items()
        for method, entry in methods.items()
        if method != "OPTIONS" and contract_of(entry.view_function).access in (Access.PUBLIC, Access.LOCAL_DEV)
    }
    assert public == PUBLIC_ROUTES


def test_the_route_reference_page_is_current():
    """docs/api-reference.md is generated from the document: regenerate it with `make api-reference`."""
    from infra.api_reference import TARGET, document, render

    assert TARGET.read_text() == render(document()), "docs/api-reference.md is stale: run `make api-reference`"


API_MD = Path(__file__).resolve().parents[2] / "docs" / "api.md"
# A route heading of docs/api.md: "### GET /v1/me", or two routes joined by "and".
_ROUTE = re.compile(r"(GET|POST|PUT|DELETE|PATCH) (/[A-Za-z0-9_{}./-]*)")
# Routes api.md explains under another route's heading rather than one of their own.
DOCUMENTED_UNDER = {("GET", "/v1/docs/{asset}"): ("GET", "/v1/docs")}


def _routes_in_api_md() -> set[tuple[str, str]]:
    """Every route a heading of docs/api.md names. A heading that starts with a method but is not
    "METHOD /path" (or two of them joined by "and") fails, so a typo cannot hide a route."""
    named: set[tuple[str, str]] = set()
    malformed = []
    for line in API_MD.read_text().splitlines():
        if not line.startswith("### ") or line[4:].split(" ", 1)[0] not in {"GET", "POST", "PUT", "DELETE", "PATCH"}:
            continue
        parts = [_ROUTE.fullmatch(part.strip()) for part in line[4:].split(" and ")]
        if not all(parts):
            malformed.append(line)
            continue
        named |= {(match.group(1), match.group(2)) for match in parts if match}
    assert malformed == [], "route headings must read METHOD /path [and METHOD /path]"
    return named


def _served_routes() -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, method in _served_operations()}


def test_every_route_api_md_describes_is_served():
    """docs/api.md keeps no route the app no longer has (or has under another method or path)."""
    assert _routes_in_api_md() - _served_routes() == set(), "in docs/api.md but not served"


def test_every_served_route_is_described_in_api_md():
    """A new route gets its section in docs/api.md (who may call it, what it audits, what its
    refusals mean), or is listed in DOCUMENTED_UNDER beside the heading that explains it."""
    named = _routes_in_api_md()

    assert _served_routes() - named - set(DOCUMENTED_UNDER) == set(), "served but missing from docs/api.md"
    assert set(DOCUMENTED_UNDER.values()) <= named, "DOCUMENTED_UNDER points at a heading api.md does not have"
    assert set(DOCUMENTED_UNDER) <= _served_routes(), "DOCUMENTED_UNDER names a route that is not served"


def test_a_field_given_twice_is_refused(api):
    """JSON parsers disagree on which of two equal keys wins: the portal takes neither."""
    from chalicelib import wiring
    from infra.local import seed

    seed.seed(wiring.container(), {})
    body = b'{"username": "someone.else", "username": "demo.staff", "password": "albany-staff-demo"}'

    answer = api.http.post("/v1/sessions", headers={"Content-Type": "application/json"}, body=body)

    assert answer.status_code == 400
    assert json.loads(answer.body)["error"]["details"] == [{"field": "username", "issue": "given twice"}]


def test_query_parameters_are_described_as_a_query_string_can_carry_them(api):
    """A query string has no null: an optional parameter is one left out, not one that may be null."""
    document = _document(api)
    described = [
        (path, parameter["name"], parameter["schema"])
        for path, operations in document["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
        if parameter["in"] == "query"
    ]

    assert described, "no query parameter at all"
    for path, name, schema in described:
        assert "null" not in json.dumps(schema), (path, name, schema)


# A value no declared field takes: not text, a number, a flag, a date, an object, nor a list of
# any of those (its one item is itself a list).
_WRONG = [[[]]]
_PLACEHOLDER_ID = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def tokens(api) -> dict[str, str]:
    """A session of each role, to reach every route with a body as its callers do."""
    from chalicelib import wiring
    from infra.local import seed
    from tests.integration.conftest import deliver_notifications
    from tests.integration.identity.conftest import (
        ADMIN_PASSWORD,
        ADMIN_USER,
        STAFF_PASSWORD,
        STAFF_USER,
        call,
        enrollment,
        register_and_invite,
        sign_in,
    )

    seed.seed(wiring.container(), {})
    deliver_notifications(api)
    staff = sign_in(api, STAFF_USER, STAFF_PASSWORD)
    invited = register_and_invite(api, staff)
    enrolled = call(api, "POST", "/v1/enrollments", enrollment(invited))
    assert enrolled.status_code == 201, enrolled.json_body
    patient = sign_in(api, "ana.nunez", "correct horse battery")
    admin = sign_in(api, ADMIN_USER, ADMIN_PASSWORD)
    return {"patient": patient, "staff": staff, "admin": admin}


def _routes_with_a_body() -> list[tuple[str, str, Access, type]]:
    import app as app_module

    found = []
    for path, methods in sorted(app_module.app.routes.items()):
        for method, entry in sorted(methods.items()):
            contract = contract_of(entry.view_function)
            if method != "OPTIONS" and contract is not None and contract.body is not None:
                found.append((method, path, contract.access, contract.body))
    return found


def _two_wrong(model) -> tuple[dict, list[str]]:
    """A body with two wrong fields, and their names: two declared fields given a value of the
    wrong kind, or, for a model of one field, that one and a field it does not take."""
    names = list(model.model_fields)[:2]
    body = {name: _WRONG for name in names}
    if len(names) < 2:
        body["not_a_field"] = 1
        names.append("not_a_field")
    return body, names


def test_every_route_with_a_body_names_every_wrong_field_at_once_each_in_words(api, tokens):
    token_for = {Access.PATIENT: "patient", Access.SIGNED_IN: "patient", Access.STAFF: "staff", Access.ADMIN: "admin"}
    routes = _routes_with_a_body()
    assert len(routes) > 20, "the route table was not walked"
    for method, path, access, model in routes:
        body, wrong = _two_wrong(model)
        headers = {"Content-Type": "application/json"}
        if access in token_for:
            headers["Authorization"] = f"Bearer {tokens[token_for[access]]}"
        url = re.sub(r"\{[^}]+\}", _PLACEHOLDER_ID, path)

        answer = api.http.request(method, url, headers=headers, body=json.dumps(body).encode())

        route = f"{method} {path}"
        assert answer.status_code == 400, (route, answer.status_code, answer.body[:200])
        error = json.loads(answer.body)["error"]
        assert error["code"] == "validation_failed" and error["message"], route
        named = {detail["field"].split(".")[0]: detail for detail in error["details"] if detail.get("field")}
        for field in wrong:
            assert field in named, (route, field, error["details"])
            assert named[field].get("issue"), (route, field, error["details"])
