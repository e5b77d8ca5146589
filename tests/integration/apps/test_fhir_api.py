"""The FHIR R4 read API (/fhir/R4) through the real app over moto, with records filed by real
feeds and tokens minted through the apps store (tests/apps_support): the token matrix (another
patient's record, a type outside the consent, a revoked token, a proxy's grant and cutoff, hidden
results), paging Bundles, and every resource valid FHIR with its US Core profile."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlsplit

from chalicelib.access.domain import Area
from chalicelib.apps.domain import RESOURCE_TYPES, AuthorizationStatus
from chalicelib.interop import writer
from tests.apps_support import issue, issue_token
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    enrolled,
    seeded,
    staff_token,
)
from tests.integration.test_proxy_filter import family  # noqa: F401  (fixture)
from tests.integration.test_release_policy import set_policy

BASE = "/fhir/R4"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"


def fhir(api, path: str, token: str = ""):
    headers = {"Accept": "application/fhir+json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return api.http.get(path if path.startswith(BASE) else f"{BASE}/{path}", headers=headers)


def ok(answer) -> dict:
    assert answer.status_code == 200, answer.body
    assert answer.headers["Content-Type"].startswith("application/fhir+json")
    return json.loads(answer.body)


def outcome(answer, status: int) -> str:
    assert answer.status_code == status, answer.body
    assert answer.headers["Content-Type"].startswith("application/fhir+json")
    body = json.loads(answer.body)
    assert body["resourceType"] == "OperationOutcome"
    writer.validate(body)
    return " ".join(issue.get("diagnostics", "") for issue in body["issue"])


def resources(bundle: dict) -> list[dict]:
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
    return [entry["resource"] for entry in bundle.get("entry", [])]


def every_page(api, first: str, token: str) -> tuple[list[dict], list[dict]]:
    """(each page's Bundle, every resource across them), following the next links."""
    pages, found, path = [], [], first
    while path:
        bundle = ok(fhir(api, path, token))
        pages.append(bundle)
        found.extend(resources(bundle))
        following = [link["url"] for link in bundle.get("link", []) if link["relation"] == "next"]
        path = "" if not following else _local(following[0])
        assert len(pages) < 20
    return pages, found


def _local(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def categories(resource: dict) -> set[str]:
    return {c.get("code") for concept in resource.get("category") or [] for c in concept.get("coding") or []}


def profiles(resource: dict) -> list[str]:
    return (resource.get("meta") or {}).get("profile") or []


def before_and_after(family) -> None:
    """Two results, two vital signs, two notes and two visits: one of each before Emma's 12th
    birthday (her parent's cutoff), one after."""
    before = family.cutoff - timedelta(days=2)
    family.feed(family.oru("c-1", "ORD-1", before), family.vitals("c-2", "VS-1", before))
    family.feed(family.mdm("c-3", "DOC-1", before), family.siu("c-4", "APT-1", family.cutoff - timedelta(hours=3)))
    family.clock.advance(seconds=(family.cutoff - family.clock.now()).total_seconds() + 3600)
    after = family.cutoff + timedelta(minutes=30)
    family.feed(family.oru("c-5", "ORD-2", after), family.vitals("c-6", "VS-2", after))
    family.feed(family.mdm("c-7", "DOC-2", after), family.siu("c-8", "APT-2", family.clock.now() + timedelta(days=3)))


def account(container, username: str):
    return container.directory.account_by_username(username)


def emmas_token(family, container) -> str:
    """A fresh token of Emma's own app (an access token lives an hour: mint it after the clock moved)."""
    return issue_token(container, family.emma, account(container, "emma.child").account_id)


def test_the_capability_statement_is_valid_and_names_the_smart_endpoints(seeded):
    statement = ok(fhir(seeded, "metadata"))

    writer.validate(statement)
    assert statement["resourceType"] == "CapabilityStatement" and statement["fhirVersion"].startswith("4.0")
    [rest] = statement["rest"]
    served = {r["type"] for r in rest["resource"]}
    assert set(RESOURCE_TYPES) <= served
    uris = next(e for e in rest["security"]["extension"] if e["url"].endswith("StructureDefinition/oauth-uris"))[
        "extension"
    ]
    assert {e["url"] for e in uris} >= {"authorize", "token"}


def test_a_token_reads_its_patients_record_as_valid_us_core_resources(family, container):
    before_and_after(family)
    emma_token = emmas_token(family, container)
    api = family.api

    patient = ok(fhir(api, f"Patient/{family.emma}", emma_token))
    labs = resources(ok(fhir(api, f"Observation?patient={family.emma}&category=laboratory", emma_token)))
    vitals = resources(ok(fhir(api, f"Observation?patient={family.emma}&category=vital-signs", emma_token)))

    assert patient["id"] == family.emma and US_CORE + "us-core-patient" in profiles(patient)
    assert len(labs) == 2 and all(categories(o) == {"laboratory"} for o in labs)
    assert {o["valueQuantity"]["value"] for o in labs} == {85}
    assert len(vitals) == 2 and all(US_CORE + "us-core-vital-signs" in profiles(o) for o in vitals)
    for resource_type in ("DiagnosticReport", "DocumentReference", "Encounter", "Appointment", "Condition"):
        found = resources(ok(fhir(api, f"{resource_type}?patient={family.emma}", emma_token)))
        for resource in found:
            writer.validate(resource)
            if resource_type != "Appointment":  # (US Core profiles no Appointment)
                assert any(p.startswith(US_CORE) for p in profiles(resource)), resource_type
    [note, _] = resources(ok(fhir(api, "DocumentReference", emma_token)))
    # the note's file: a five-minute link, as the portal's own pages hand out
    assert "X-Amz-Expires=300" in note["content"][0]["attachment"]["url"]
    for resource in [patient, *labs, *vitals]:
        writer.validate(resource)
        assert ok(fhir(api, f"{resource['resourceType']}/{resource['id']}", emma_token))["id"] == resource["id"]


def test_a_token_for_one_patient_reads_nothing_of_another(family, container):
    before_and_after(family)
    emma_token = emmas_token(family, container)
    emmas = resources(ok(fhir(family.api, "Observation", emma_token)))
    assert emmas, "Emma's own token reads her results"
    ana = account(container, "ana.nunez")  # a patient of the same organization, with no grant
    anas_token = issue_token(container, ana.patient_id, ana.account_id)
    assert ok(fhir(family.api, f"Patient/{ana.patient_id}", anas_token))["id"] == ana.patient_id

    assert "No Patient" in outcome(fhir(family.api, f"Patient/{family.emma}", anas_token), 404)
    for observation in emmas:
        outcome(fhir(family.api, f"Observation/{observation['id']}", anas_token), 404)
    searched = ok(fhir(family.api, f"Observation?patient={family.emma}", anas_token))
    assert (searched["total"], resources(searched)) == (0, [])


def test_a_type_outside_the_consent_is_refused_with_403(family, container):
    before_and_after(family)
    token = issue_token(container, family.emma, account(container, "emma.child").account_id, ["Patient", "Condition"])

    assert outcome(fhir(family.api, "Observation", token), 403) == "This app may not read Observation."
    observation_id = "x" * 32
    assert outcome(fhir(family.api, f"Observation/{observation_id}", token), 403) == (
        "This app may not read Observation."
    )
    assert ok(fhir(family.api, f"Patient/{family.emma}", token))["id"] == family.emma


def test_a_missing_or_revoked_token_is_refused_at_once(family, container):
    issued = issue(container, family.emma, account(container, "emma.child").account_id)
    ok(fhir(family.api, f"Patient/{family.emma}", issued.access_token))

    missing = fhir(family.api, f"Patient/{family.emma}")
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    outcome(missing, 401)
    current = container.apps.authorization(family.emma, issued.authorization.authorization_id)
    assert container.apps.save_authorization(replace(current, status=AuthorizationStatus.REVOKED))

    refused = fhir(family.api, f"Patient/{family.emma}", issued.access_token)
    assert refused.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    outcome(refused, 401)


def test_a_proxys_token_sees_only_the_grants_areas_before_the_cutoff_and_nothing_once_it_ends(family, container):
    before_and_after(family)
    # an HIV test before the cutoff: sensitive care, never a proxy's
    family.feed(family.oru("c-10", "ORD-10", family.cutoff - timedelta(days=3), "75622-1^HIV 1+2 Ab+Ag^LN"))
    grant = family.grant(areas=frozenset({Area.RESULTS}), ends_at=family.clock.now() + timedelta(minutes=30))
    ana = account(container, "ana.nunez")
    token = issue_token(
        container, family.emma, ana.account_id, caller_patient_id=ana.patient_id, proxy_grant_id=grant.grant_id
    )
    emma_token = issue_token(container, family.emma, account(container, "emma.child").account_id)
    emmas_labs = resources(ok(fhir(family.api, "Observation?category=laboratory", emma_token)))
    assert len(emmas_labs) == 3

    labs = resources(ok(fhir(family.api, "Observation?category=laboratory", token)))
    assert len(labs) == 1  # the glucose before the cutoff: not the later one, not the HIV test
    for hidden in (o for o in emmas_labs if o["id"] != labs[0]["id"]):
        outcome(fhir(family.api, f"Observation/{hidden['id']}", token), 404)
    assert resources(ok(fhir(family.api, "Observation?category=vital-signs", token))) == []
    assert resources(ok(fhir(family.api, "Encounter", token))) == []
    assert resources(ok(fhir(family.api, "DocumentReference", token))) == []
    events = container.audit_log.for_patient(family.emma, 200)[0]
    searches = [e for e in events if e.event_type == "fhir.search" and e.actor.account_id == ana.account_id]
    assert searches and all(e.actor.proxy_grant_id == grant.grant_id for e in searches)

    family.clock.advance(minutes=31)  # the grant has ended (the token, an hour long, has not)

    # the app authorized under it stops with it (apps.oauth.standing): its token is refused
    outcome(fhir(family.api, "Observation", token), 401)
    outcome(fhir(family.api, f"Observation/{labs[0]['id']}", token), 401)
    outcome(fhir(family.api, f"Patient/{family.emma}", token), 401)


def test_a_result_waiting_for_release_is_absent_until_its_moment(family, container):
    set_policy(family.api, {"code:LN|75622-1": 3600})
    family.feed(family.oru("c-11", "ORD-11", family.clock.now(), "75622-1^HIV 1+2 Ab+Ag^LN"))
    emma_token = emmas_token(family, container)

    assert resources(ok(fhir(family.api, "Observation", emma_token))) == []
    assert resources(ok(fhir(family.api, "DiagnosticReport", emma_token))) == []


def test_a_search_pages_through_everything_once_with_its_total(family, container):
    moment = family.clock.now() - timedelta(days=10)
    family.feed(*(family.oru(f"p-{n}", f"ORD-P{n}", moment + timedelta(hours=n)) for n in range(5)))
    emma_token = emmas_token(family, container)

    pages, found = every_page(family.api, f"{BASE}/Observation?patient={family.emma}&_count=2", emma_token)

    assert [len(resources(p)) for p in pages] == [2, 2, 1]
    assert {p["total"] for p in pages} == {5}
    assert len({o["id"] for o in found}) == 5
    writer.validate(pages[0])
    dated = resources(
        ok(
            fhir(
                family.api,
                f"Observation?date=ge{moment.date().isoformat()}&date=lt{(moment + timedelta(hours=2)).isoformat()}",
                emma_token,
            )
        )
    )
    assert len(dated) == 2


def test_a_search_it_cannot_run_is_a_400_operation_outcome(family, container):
    emma_token = emmas_token(family, container)
    assert "_sort" in outcome(fhir(family.api, "Observation?_sort=date", emma_token), 400)
    assert "_cursor" in outcome(fhir(family.api, "Observation?_cursor=bogus", emma_token), 400)
    assert "date" in outcome(fhir(family.api, "Observation?date=soon", emma_token), 400)
    outcome(fhir(family.api, "Spaceship?patient=x", emma_token), 404)


def test_every_read_is_audited_under_the_app(family, container):
    before_and_after(family)
    emma_token = emmas_token(family, container)
    resources(ok(fhir(family.api, "Observation", emma_token)))
    ok(fhir(family.api, f"Patient/{family.emma}", emma_token))

    events = container.audit_log.for_patient(family.emma, 200)[0]
    fhir_events = {(e.event_type, e.resource_type) for e in events if e.event_type.startswith("fhir.")}
    assert fhir_events == {("fhir.search", "Observation"), ("fhir.read", "Patient")}
    assert all(e.actor.app_authorization_id for e in events if e.event_type.startswith("fhir."))
