"""Staff's document viewer over real HTTP: the proxy request page frames the request's PDF (and
shows its pictures) straight from the bucket, which works only when the page's CSP names the
bucket's origin in frame-src and the link answers the file inline rather than as a download.

GIVEN Dana asks for access to a child and sends a PDF with her signed request, WHEN staff open
the document's and the signed form's links from the request page, THEN each link answers the PDF
inline, and the page that frames it allows frames from exactly that origin.
"""

from __future__ import annotations

import urllib.parse
import uuid
from datetime import date

import pytest
import requests

from infra.local.web import content_security_policy
from tests.e2e.conftest import RunningPortal, eventually
from tests.e2e.test_identity_journey import Api, staff_token
from tests.e2e.test_proxy_done_when import PDF
from tests.e2e.test_refill_journey import dana_signs_in
from tests.e2e.test_signed_forms_journey import drawn_signature

pytestmark = pytest.mark.e2e


def _directives(policy: str) -> dict[str, list[str]]:
    return {d.split()[0]: d.split()[1:] for d in policy.split("; ")}


def test_the_request_page_may_frame_the_links_and_the_links_answer_inline(portal: RunningPortal):
    api = Api(portal)
    # (the demo feed files Dana a moment after the stack starts; this may be the run's first test)
    staff = staff_token(api)
    found = eventually(
        lambda: (lambda r: r if r.status_code == 200 and r.json()["patients"] else None)(
            api.call("POST", "/v1/staff/patients/search", {"mrn": "AMC-100001"}, staff)
        ),
        seconds=120,
    )
    assert found is not None, "the demo feed never filed Dana"
    _, dana = dana_signs_in(api)

    def call(method: str, path: str, body=None, token: str = "") -> requests.Response:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        return api.http.request(method, api.url + path, json=body, headers=headers, timeout=30)

    # GIVEN Dana's signed request for a child, with a PDF the check kept
    me = call("GET", "/v1/me", token=dana).json()
    asked = call(
        "POST",
        "/v1/proxy-requests",
        {
            "organization_id": me["account"]["organization_id"],
            "patient": {
                "given_name": f"Viewer{uuid.uuid4().hex[:6]}",
                "family_name": "Rivera",
                "birth_date": date.today().replace(year=date.today().year - 5, day=1).isoformat(),
            },
            "relationship": "parent",
            "requester_name": "Dana Rivera",
        },
        dana,
    )
    assert asked.status_code == 201, asked.text
    request_id = asked.json()["request_id"]
    announced = {"kind": "birth_certificate", "file_name": "scan.pdf", "content_type": "application/pdf"}
    started = call("POST", f"/v1/proxy-requests/{request_id}/documents", {**announced, "size": len(PDF)}, dana)
    assert started.status_code == 201, started.text
    form = started.json()["upload"]
    posted = requests.post(
        form["url"], data=form["fields"], files={"file": ("scan.pdf", PDF, "application/pdf")}, timeout=30
    )
    assert posted.status_code in (200, 201, 204), posted.text
    document_id = started.json()["document"]["document_id"]
    checked = call("POST", f"/v1/proxy-requests/{request_id}/documents/{document_id}/check", token=dana)
    assert checked.status_code == 200 and checked.json()["status"] == "ready", checked.text
    version = call("GET", "/v1/proxy-requests/form", token=dana).json()["version"]
    signed = call(
        "POST",
        f"/v1/proxy-requests/{request_id}/sign",
        {"typed_name": "Dana Rivera", "signature_png": drawn_signature(), "agreed": True, "form_version": version},
        dana,
    )
    assert signed.status_code == 200, signed.text

    # WHEN staff open the request page and its two links (a fresh session: the stack ends one idle
    # for a few seconds)
    staff = staff_token(api)
    status, page_headers, _ = portal.get(f"/staff/proxy-requests/{request_id}")
    assert status == 200
    policy = _directives(page_headers["Content-Security-Policy"])
    assert policy == _directives(content_security_policy(portal.aws_url, portal.aws_url))
    links = [
        call("GET", f"/v1/staff/proxy-requests/{request_id}/documents/{document_id}/link", token=staff),
        call("GET", f"/v1/staff/proxy-requests/{request_id}/signed-form/link", token=staff),
    ]

    for link in links:
        assert link.status_code == 200, link.text
        url = urllib.parse.urlsplit(link.json()["url"])
        # THEN the page may frame and show what the link points at, and nothing else
        origin = f"{url.scheme}://{url.netloc}"
        assert policy["frame-src"] == [origin]
        assert origin in policy["img-src"]
        # AND the link answers a PDF the frame shows, not a download, never cached
        answer = requests.get(link.json()["url"], timeout=30)
        assert answer.status_code == 200
        assert answer.headers["Content-Type"] == "application/pdf"
        assert answer.headers["Content-Disposition"].split(";")[0].strip() == "inline"
        assert answer.headers["Cache-Control"] == "no-store"
        assert answer.content.startswith(b"%PDF")
        # (the bucket's answer carries nothing that forbids the frame)
        assert "X-Frame-Options" not in answer.headers
