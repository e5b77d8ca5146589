"""A proxy grant as FHIR R4 RelatedPerson and Consent, validated by fhir.resources: who acts, for
which areas, for which period, with the minor's cutoff and sensitive care denied."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent
from fhir.resources.R4B.relatedperson import RelatedPerson

from chalicelib.access.domain import Area
from chalicelib.proxies import fhir as proxy_fhir
from chalicelib.proxies.domain import Access, GrantStatus, ProxyGrant, Relationship

START = datetime(2026, 3, 1, 14, 0, tzinfo=timezone.utc)
CUTOFF = datetime(2031, 6, 15, 4, 0, tzinfo=timezone.utc)
MRN = ("urn:oid:1.2.3.4", "MRN-77")


def parents_grant(**changes) -> ProxyGrant:
    base = ProxyGrant(
        grant_id="0123456789abcdef0123456789abcdef",
        patient_id="fedcba9876543210fedcba9876543210",
        organization_id="org-1",
        proxy_account_id="acct-parent",
        relationship=Relationship.PARENT,
        access=Access.READ_ONLY,
        areas=frozenset({Area.RESULTS, Area.APPOINTMENTS}),
        starts_at=START,
        ends_at=None,
        visible_until=CUTOFF,
        status=GrantStatus.ACTIVE,
        created_at=START,
        proxy_name="Pat Parent",
        patient_name="Emma",
    )
    return dataclasses.replace(base, **changes)


def test_the_related_person_names_the_relationship_and_the_proxy_never_the_patient():
    person = proxy_fhir.related_person(parents_grant(), MRN)
    RelatedPerson.model_validate(person)
    assert person["relationship"][0]["coding"][0]["code"] == "PRN"
    assert person["patient"]["identifier"] == {"system": MRN[0], "value": MRN[1]}
    assert person["name"] == [{"text": "Pat Parent"}]
    assert person["active"] is True
    assert "Emma" not in json.dumps(person)


def test_the_consent_permits_the_areas_and_denies_the_cutoff_and_sensitive_care():
    resource = proxy_fhir.consent(parents_grant(), "RelatedPerson/1", MRN)
    Consent.model_validate(resource)
    assert resource["scope"]["coding"][0]["code"] == "patient-privacy"
    assert resource["status"] == "active"
    provision = resource["provision"]
    assert provision["period"] == {"start": "2026-03-01T14:00:00Z"}
    assert [a["coding"][0]["code"] for a in provision["action"]] == ["access"]  # read only
    permit, cutoff, sensitive = provision["provision"]
    assert {c["code"] for c in permit["class"]} == {"Observation", "DiagnosticReport", "Appointment"}
    assert cutoff == {"type": "deny", "dataPeriod": {"start": "2031-06-15T04:00:00Z"}}
    labels = {(c["system"].rsplit("/", 1)[-1], c["code"]) for c in sensitive["securityLabel"]}
    assert {
        ("v3-Confidentiality", "R"),
        ("v3-Confidentiality", "V"),
        ("v3-ActCode", "HIV"),
        ("v3-ActCode", "PSY"),
    } <= labels
    assert sensitive["type"] == "deny"


def test_an_adults_revoked_grant_is_inactive_and_its_period_ends_when_it_was_revoked():
    revoked_at = datetime(2026, 5, 1, tzinfo=timezone.utc)
    grant = parents_grant(
        relationship=Relationship.HEALTH_CARE_AGENT,
        access=Access.FULL,
        visible_until=None,
        ends_at=datetime(2027, 3, 1, tzinfo=timezone.utc),
        status=GrantStatus.REVOKED,
        ended_at=revoked_at,
    )
    resource = proxy_fhir.consent(grant, "RelatedPerson/1")
    assert resource["status"] == "inactive"
    assert resource["provision"]["period"]["end"] == "2026-05-01T00:00:00Z"
    assert [p["type"] for p in resource["provision"]["provision"]] == ["permit", "deny"]  # no cutoff
    assert resource["patient"]["identifier"]["system"] == proxy_fhir.PATIENT_SYSTEM  # no MRN given
    assert resource["provision"]["actor"][0]["role"]["coding"][0]["code"] == "HPOWATT"


def test_the_bundle_carries_both_and_the_consent_points_at_the_related_person():
    bundle = proxy_fhir.grant_bundle(parents_grant(), MRN)
    Bundle.model_validate(bundle)
    person, consent = bundle["entry"]
    assert bundle["type"] == "collection"
    assert consent["resource"]["provision"]["actor"][0]["reference"]["reference"] == person["fullUrl"]
    # The same grant exports the same URLs.
    assert proxy_fhir.grant_bundle(parents_grant(), MRN) == bundle


def test_a_declined_grant_is_a_rejected_consent():
    assert proxy_fhir.consent(parents_grant(status=GrantStatus.DECLINED), "RelatedPerson/1")["status"] == "rejected"
    assert (
        proxy_fhir.consent(parents_grant(status=GrantStatus.AWAITING_CONSENT), "RelatedPerson/1")["status"]
        == "proposed"
    )
