"""The web portal on the local stack: its build served beside the API, on the same origin."""

from __future__ import annotations

import json
import re

import pytest

from infra.local.web import content_security_policy

pytestmark = pytest.mark.e2e


def _assert_page_headers(headers: dict, uploads: str) -> None:
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    # (the page may also POST a message attachment to the AWS stand-in's bucket, and show staff a
    # document from it in a frame or an image)
    assert headers["Content-Security-Policy"] == content_security_policy(uploads, uploads)
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_the_root_and_a_page_the_app_routes_answer_the_built_page(portal):
    status, headers, root = portal.get("/")
    assert status == 200, root[:200]
    _assert_page_headers(headers, portal.aws_url)
    assert b'<div id="root"></div>' in root

    # An invitation email's link: the app reads the code, so the server must answer index.html.
    status, headers, enroll = portal.get("/enroll?code=x")
    assert status == 200
    _assert_page_headers(headers, portal.aws_url)
    assert enroll == root


def test_the_pages_script_is_served_as_javascript_with_no_inline_script(portal):
    _, _, page = portal.get("/")
    scripts = re.findall(rb"<script[^>]*>", page)
    assert scripts and all(b' src="/assets/' in tag for tag in scripts), scripts  # none inline
    asset = re.search(rb'src="(/assets/[^"]+\.js)"', page).group(1).decode()

    status, headers, body = portal.get(asset)

    assert status == 200
    assert headers["Content-Type"] == "text/javascript; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "immutable" in headers["Cache-Control"]
    assert len(body) > 1000
    assert portal.get("/assets/no-such-bundle.js")[0] == 404  # never index.html in its place


def test_the_api_still_answers_beside_the_portal(portal):
    status, headers, body = portal.get("/v1/health")
    assert status == 200 and json.loads(body)["status"] == "ok"
    assert headers["Content-Type"] == "application/json"

    status, _, body = portal.get("/v1")
    assert status == 200 and json.loads(body)["links"]["health"] == "/v1/health"
    # an unknown API path is the API's 404 in its error shape, not the portal's page
    status, _, body = portal.get("/v1/no-such-route")
    assert status in (403, 404) and "error" in json.loads(body)
