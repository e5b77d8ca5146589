"""The record collector (records/everything.py) over moto with real feeds: the patient gets every
released item of each area; a parent's grant gets only what is dated before the child's 12th
birthday, and only the grant's areas, with no denial written for the others; a stranger gets
nothing (404). Each area read is audited once."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.access.domain import Area
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.records.everything import read_visible_record
from tests.integration.identity.conftest import (  # noqa: F401  (fixtures)
    enrolled,
    seeded,
    staff_token,
)
from tests.integration.test_proxy_filter import family  # noqa: F401  (fixture)

ORIGIN = Origin("198.51.100.7", "corr-everything")


def patient_caller(container, username: str) -> Caller:
    account = container.directory.account_by_username(username)
    return Caller(account.account_id, "patient", account.organization_id, account.patient_id, "s-1", "")


def fed_before_and_after(family) -> None:
    before = family.cutoff - timedelta(days=2)
    family.feed(family.oru("c-1", "ORD-1", before), family.vitals("c-2", "VS-1", before))
    family.feed(family.mdm("c-3", "DOC-1", before), family.siu("c-4", "APT-1", family.cutoff - timedelta(hours=3)))
    family.clock.advance(seconds=(family.cutoff - family.clock.now()).total_seconds() + 3600)
    after = family.cutoff + timedelta(minutes=30)
    family.feed(family.oru("c-5", "ORD-2", after), family.vitals("c-6", "VS-2", after))
    family.feed(family.mdm("c-7", "DOC-2", after), family.siu("c-8", "APT-2", family.clock.now() + timedelta(days=3)))


def counts(record) -> dict[str, int]:
    return {
        "results": len(record.results),
        "documents": len(record.documents),
        "vital_signs": len(record.vital_signs),
        "appointments": len(record.appointments),
    }


def test_the_patient_gets_everything_released_and_each_area_is_audited_once(family, container):
    fed_before_and_after(family)
    emma = patient_caller(container, "emma.child")

    record = read_visible_record(container, emma, ORIGIN, family.emma)

    assert record.patient.patient_id == family.emma and record.organization is not None
    assert counts(record) == {"results": 2, "documents": 2, "vital_signs": 2, "appointments": 2}
    assert record.complete
    events = [e for e in container.audit_log.for_patient(family.emma, 200)[0] if e.event_type == "record.read"]
    assert sorted(e.resource_type for e in events) == sorted(
        ["DiagnosticReport", "DocumentReference", "Condition", "MedicationRequest", "Encounter"]
    )


def test_a_parent_gets_only_what_came_before_the_cutoff_and_only_the_grants_areas(family, container):
    fed_before_and_after(family)
    family.grant(areas=frozenset({Area.RESULTS, Area.APPOINTMENTS}))
    ana = patient_caller(container, "ana.nunez")

    record = read_visible_record(container, ana, ORIGIN, family.emma)

    assert record.areas == {Area.RESULTS, Area.APPOINTMENTS}
    assert counts(record) == {"results": 1, "documents": 0, "vital_signs": 0, "appointments": 1}
    denied = [e for e in container.audit_log.for_patient(family.emma, 200)[0] if e.outcome.value != "success"]
    assert denied == []


def test_someone_with_no_standing_gets_not_found(family, container):
    fed_before_and_after(family)
    ana = patient_caller(container, "ana.nunez")  # no grant
    with pytest.raises(NotFound):
        read_visible_record(container, ana, ORIGIN, family.emma)
