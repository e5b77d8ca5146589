"""A stand-in for a third-party health app, so a newcomer can try the portal's SMART on FHIR
launch without writing a client: `make demo-app` (while `make run` runs) serves it at
http://localhost:8765. It uses ``fhirclient`` (SMART on FHIR client-py, written by nobody here)
as an outside developer would: the standalone launch to the portal's sign-in and consent page,
the code exchanged at /callback, then the patient's name, birth date and lab results read over
the FHIR API. Revoking the app on the portal's Connected apps page stops it; reading again then
shows the refusal in words.

State is kept in memory (one browser, one connection at a time): it is a demo, not a product.
It prints only its address and the kind of an error, never a value read: those are PHI."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from fhirclient import client
from fhirclient.models.observation import Observation
from fhirclient.models.patient import Patient
from fhirclient.server import FHIRPermissionDeniedException, FHIRUnauthorizedException

from infra.local.seed_apps import DEMO_APP_CLIENT_ID, DEMO_APP_NAME

PORT = 8765
REDIRECT_URI = f"http://localhost:{PORT}/callback"
# What a patient-facing app asks for: her record's types to read, who she is, and a refresh token.
SCOPE = "launch/patient openid fhirUser patient/*.rs offline_access"
PORTAL_NAME = "Albany Medical Center"

ClientFactory = Callable[[dict[str, str]], client.FHIRClient]


@dataclass(frozen=True)
class Page:
    """What a handler answers: a page, or a redirect when ``location`` is set."""

    status: int = 200
    body: str = ""
    location: str | None = None


@dataclass(frozen=True)
class LabResult:
    name: str
    value: str
    unit: str
    date: str


@dataclass
class DemoApp:
    """The app's four pages, each a method taking plain values, so a test drives them directly."""

    portal_url: str
    client_id: str = DEMO_APP_CLIENT_ID
    redirect_uri: str = REDIRECT_URI
    make_client: ClientFactory = field(default=lambda settings: client.FHIRClient(settings=settings))
    smart: client.FHIRClient | None = None

    def settings(self) -> dict[str, str]:
        return {
            "app_id": self.client_id,
            "api_base": f"{self.portal_url}/fhir/R4",
            "redirect_uri": self.redirect_uri,
            "scope": SCOPE,
        }

    def home(self) -> Page:
        note = ""
        if self.smart is not None and self.smart.ready:
            note = '<p>You are connected. <a href="/results">See what the app reads</a>.</p>'
        return page(
            f"{DEMO_APP_NAME}",
            f"""<p>This is a stand-in for a third-party health app: it asks {PORTAL_NAME}'s patient portal
for your permission, then reads your record over the portal's FHIR API, as a real app would.</p>
{note}
<p><a class="button" href="/connect">Connect to {PORTAL_NAME}'s portal</a></p>""",
        )

    def connect(self) -> Page:
        """A new launch: fhirclient reads the portal's CapabilityStatement for its OAuth endpoints
        and builds the authorize URL (with a PKCE challenge and a state it checks on return)."""
        self.smart = self.make_client(self.settings())
        try:
            return Page(status=302, location=self.smart.authorize_url)
        except requests.RequestException as error:
            return refusal(
                f"The portal at {self.portal_url} did not answer ({type(error).__name__}). "
                "Is `make run` running, on the port this app was started with?"
            )

    def callback(self, url: str) -> Page:
        """The portal sends the browser back here with a code (or an error): exchange it."""
        query = parse_qs(urlsplit(url).query)
        if "error" in query:
            self.smart = None
            return refusal("You did not share your record with the app, so it has read nothing.")
        if self.smart is None:
            return refusal("This app has no launch in progress (was it restarted?). Connect again.")
        try:
            self.smart.handle_callback(url)
        except Exception as error:  # fhirclient raises bare Exceptions for a bad state or a refused code
            print(f"demo app: the code exchange failed ({type(error).__name__})", file=sys.stderr)
            self.smart = None
            return refusal("The portal did not accept this sign-in's answer. Connect again.")
        return Page(status=303, location="/results")

    def results(self) -> Page:
        """Reads the patient and her lab results afresh each time ("Read again")."""
        smart = self.smart
        if smart is None or not smart.ready or smart.patient_id is None:
            return Page(status=303, location="/")
        try:
            patient, labs = read_with_refresh(smart)
        except (FHIRUnauthorizedException, FHIRPermissionDeniedException, requests.HTTPError) as error:
            print(f"demo app: the portal refused a read ({type(error).__name__})", file=sys.stderr)
            return refusal(
                "The portal refused to let this app read your record: it was disconnected in the "
                "portal's Connected apps. Connect again to ask for it.",
                status=403,
            )
        except requests.RequestException as error:
            print(f"demo app: the portal did not answer ({type(error).__name__})", file=sys.stderr)
            return refusal("The portal did not answer. Is `make run` still running?", status=502)
        return page(f"{DEMO_APP_NAME}: what it read", record_html(smart, patient, labs))


def read_with_refresh(smart: client.FHIRClient) -> tuple[Patient, list[LabResult]]:
    """An access token lives an hour; the refresh token (offline_access) gets another until the
    patient disconnects the app, when the refresh is refused too and its error is raised."""
    try:
        return read_record(smart)
    except FHIRUnauthorizedException:
        if not smart.reauthorize():
            raise
        return read_record(smart)


def read_record(smart: client.FHIRClient) -> tuple[Patient, list[LabResult]]:
    patient = Patient.read(smart.patient_id, smart.server)
    search = Observation.where({"patient": smart.patient_id, "category": "laboratory"})
    labs = [lab_result(o) for o in search.perform_resources_iter(smart.server) if isinstance(o, Observation)]
    return patient, sorted(labs, key=lambda lab: lab.date, reverse=True)


def lab_result(observation: Observation) -> LabResult:
    code = observation.code
    coding = (code.coding or [None])[0] if code else None
    name = (code.text if code else None) or (coding.display if coding else None) or (coding.code if coding else "")
    value, unit = "", ""
    if observation.valueQuantity is not None:
        value, unit = f"{observation.valueQuantity.value}", observation.valueQuantity.unit or ""
    elif observation.valueString is not None:
        value = observation.valueString
    elif observation.valueCodeableConcept is not None:
        value = observation.valueCodeableConcept.text or ""
    when = observation.effectiveDateTime or observation.issued
    return LabResult(name=name or "", value=value, unit=unit, date=when.isostring[:10] if when else "")


def record_html(smart: client.FHIRClient, patient: Patient, labs: list[LabResult]) -> str:
    name = smart.human_name(patient.name[0]) if patient.name else "(no name)"
    born = patient.birthDate.isostring if patient.birthDate else "(not shared)"
    scope = (smart.launch_context or {}).get("scope", "")
    rows = "".join(
        f"<tr><td>{escape(lab.name)}</td><td>{escape(lab.value)}</td><td>{escape(lab.unit)}</td>"
        f"<td>{escape(lab.date)}</td></tr>"
        for lab in labs
    )
    table = (
        f"<table><thead><tr><th>Test</th><th>Value</th><th>Unit</th><th>Date</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        if labs
        else "<p>No lab results were shared with the app.</p>"
    )
    return f"""<dl><dt>Name</dt><dd>{escape(name)}</dd><dt>Birth date</dt><dd>{escape(born)}</dd></dl>
<h2>Lab results</h2>
{table}
<h2>What you allowed</h2>
<p>Granted scope: <code>{escape(scope)}</code></p>
<p><a class="button" href="/results">Read again</a></p>
<p>Disconnecting (revoking) the app in the portal's <strong>Connected apps</strong> stops it: reading
again then shows the portal's refusal. The portal's "Who looked at my record" names this app for each
read.</p>"""


def refusal(words: str, status: int = 400) -> Page:
    return page(
        f"{DEMO_APP_NAME}",
        f'<p role="alert">{escape(words)}</p><p><a class="button" href="/connect">Connect again</a></p>',
        status,
    )


def page(title: str, body: str, status: int = 200) -> Page:
    return Page(
        status=status,
        body=f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse}}td,th{{border:1px solid #999;padding:.3rem .6rem;text-align:left}}
.button{{display:inline-block;background:#005ea2;color:#fff;padding:.6rem 1rem;text-decoration:none}}</style>
</head><body><h1>{escape(title)}</h1>
{body}
</body></html>""",
    )


def handler_for(app: DemoApp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802  (http.server's name)
            path = urlsplit(self.path).path
            routes: dict[str, Callable[[], Page]] = {
                "/": app.home,
                "/connect": app.connect,
                "/callback": lambda: app.callback(f"{app.redirect_uri}?{urlsplit(self.path).query}"),
                "/results": app.results,
            }
            answer = routes[path]() if path in routes else page("Not found", "<p>No such page.</p>", 404)
            self.send_response(answer.status)
            if answer.location:
                self.send_header("Location", answer.location)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Cache-Control", "no-store")
            body = answer.body.encode()
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (http.server's name)
            # Request lines carry the authorization code; nothing of a request is printed.
            pass

    return Handler


def main() -> None:
    portal_url = f"http://127.0.0.1:{int(os.environ.get('PORTAL_PORT', '8000'))}"
    try:
        server = HTTPServer(("127.0.0.1", PORT), handler_for(DemoApp(portal_url)))
    except OSError as error:
        # The port is fixed: the app is registered with redirect URIs on it.
        sys.exit(f"demo app: port {PORT} is not free ({error.strerror}): stop what uses it and try again")
    print(f"{DEMO_APP_NAME} at http://localhost:{PORT} (the portal at {portal_url}); Ctrl-C stops it")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
