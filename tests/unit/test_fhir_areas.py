"""Which parts of a record each FHIR type comes from (apps/fhir_api/service.areas_of): what a
proxy's grant must cover for an app to read it."""

from __future__ import annotations

from datetime import datetime, timezone

from chalicelib.access.domain import Area
from chalicelib.apps.domain import AppAuthorization, AuthorizationStatus
from chalicelib.apps.fhir_api.service import areas_of


def consent(*types: str) -> AppAuthorization:
    return AppAuthorization(
        authorization_id="a1",
        client_id="app",
        organization_id="org",
        patient_id="p1",
        account_id="acct",
        resource_types=frozenset(types),
        scope="",
        status=AuthorizationStatus.ACTIVE,
        created_at=datetime(2026, 1, 1, tzinfo=timezone.utc),
    )


def test_an_observation_is_a_results_or_a_vital_signs_so_it_needs_either_area():
    assert areas_of("Observation", consent("Observation").resource_types) == {Area.RESULTS, Area.HEALTH_SUMMARY}


def test_items_come_from_their_own_area_and_the_patient_from_none():
    assert areas_of("MedicationRequest", consent("MedicationRequest").resource_types) == {Area.MEDICATIONS}
    assert areas_of("Appointment", consent("Appointment").resource_types) == {Area.APPOINTMENTS}
    assert areas_of("Patient", consent("Patient").resource_types) == frozenset()


def test_the_frame_comes_with_the_items_of_every_type_the_app_may_read():
    authorization = consent("Practitioner", "Provenance", "DocumentReference", "Condition")
    assert areas_of("Practitioner", authorization.resource_types) == {Area.DOCUMENTS, Area.HEALTH_SUMMARY}
    assert areas_of("Provenance", consent("Provenance").resource_types) == frozenset()
