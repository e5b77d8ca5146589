"""Which appointment and which visit a message is about, as the patient sees it: an appointment
booked with the requester's id (SCH-1) and later named by the scheduler's (SCH-2) stays one; two
senders' equal numbers stay apart unless an authority they share issued them; two ADT systems of
one hospital that number visits alike do not share visits; and visits filed before visit numbers
had issuers keep being updated. The messages are written in three vendors' styles: an Epic-style
EHR (Cadence scheduling, namespaced EI ids, a placer-typed FHIR identifier), a Cerner-style
interface (ids issued under an OID), and a lab vendor's registration feed (bare numbers). moto,
the real feed handler, the real API."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from chalicelib import wiring
from chalicelib.feeds.domain import FeedSource
from chalicelib.kernel.keys import timed_key
from chalicelib.records.domain import StoredResult, content_hash
from tests.integration.records.conftest import ORG, all_records, deliver, feed_records, rid
from tests.integration.records.test_health_summary import ANA_PID, hl7_segment, section
from tests.integration.test_patient_results import ana, feed  # noqa: F401  (fixtures)

CERNER_SCHEDULING_OID = "2.16.840.1.113883.3.13.6"


def siu(
    event: str,
    control: str,
    *,
    placer: str = "",
    filler: str = "",
    start: str = "20270115093000",
    app: str = "EPICADT",
    status: str = "Booked",
) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|{app}|AMC|||20261125{control[-2:].rjust(2, '0')}0000||SIU^{event}^SIU_S12|{control}|P|2.5.1",
            hl7_segment(
                "SCH",
                {1: placer, 2: filler, 7: "^Follow-up visit", 9: "30", 10: "min", 11: f"^^30^{start}", 25: status},
            ),
            ANA_PID,
            hl7_segment("AIP", {1: "1", 3: "1234^Welby^Marcus^^^^MD"}),
        ]
    )


def adt(
    event: str, control: str, visit: str, *, app: str, admitted: str = "20261201080000", discharged: str = ""
) -> str:
    return "\r".join(
        [
            f"MSH|^~\\&|{app}|AMC|||20261201{control[-2:].rjust(2, '0')}0000||ADT^{event}^ADT_A01|{control}|P|2.5.1",
            f"EVN|{event}|20261201080000",
            ANA_PID,
            hl7_segment("PV1", {1: "1", 2: "I", 3: "4W^401^A^AMC", 19: visit, 44: admitted, 45: discharged}),
        ]
    )


def senders(container, *names: str, authorities: tuple[tuple[str, str], ...] = ()) -> None:
    for name in names:
        container.records.add_feed_source(FeedSource(f"{name}|AMC", ORG, "AMC-MRN", authorities=authorities))


def quarantine_reasons() -> list[str]:
    return [item.reason for item in feed_records().values() if item.status == "quarantined"]


# -- appointments ---------------------------------------------------------------------------------------


def test_an_appointment_booked_with_the_placer_id_stays_one_when_the_scheduler_adds_and_then_uses_its_own(
    feed, ana, seeded, container
):
    """Epic style: the EHR books with its order's id (SCH-1), Cadence answers with its own (SCH-2),
    and the move and the cancellation name only Cadence's."""
    patient_id, token = ana
    senders(container, "EPICADT")
    feed(siu("S12", "s-01", placer="4455^EPIC"))
    feed(siu("S14", "s-02", placer="4455^EPIC", filler="98765^CADENCE", start="20270120140000"))
    feed(siu("S14", "s-03", filler="98765^CADENCE", start="20270121100000"))

    [moved] = section(seeded, patient_id, "appointments", token)
    assert (moved["starts_at"], moved["version"], moved["status"]) == ("2027-01-21T10:00:00-05:00", 3, "booked")

    feed(siu("S15", "s-04", filler="98765^CADENCE", start="20270121100000"))
    [cancelled] = section(seeded, patient_id, "appointments", token)
    assert (cancelled["status"], cancelled["version"]) == ("cancelled", 4)
    assert len({r.record_id for r in all_records() if r.kind == "appointment"}) == 1


def test_a_resend_that_only_adds_the_scheduler_id_lets_a_later_message_find_the_appointment_by_it(
    feed, ana, seeded, container
):
    """Nothing shown changes when SCH-2 first comes (the same booking resent): the appointment is
    still known by it afterwards."""
    patient_id, token = ana
    senders(container, "EPICADT")
    feed(siu("S12", "s-01", placer="4455^EPIC"))
    feed(siu("S12", "s-02", placer="4455^EPIC", filler="98765^CADENCE"))
    feed(siu("S15", "s-03", filler="98765^CADENCE"))

    [cancelled] = section(seeded, patient_id, "appointments", token)
    assert (cancelled["status"], cancelled["version"]) == ("cancelled", 2)


def test_two_schedulers_with_the_same_appointment_numbers_keep_their_own_appointments(feed, ana, seeded, container):
    """A lab vendor's draw-station scheduler and the clinic's both number from 1001, bare."""
    patient_id, token = ana
    senders(container, "LABSCHED", "CLINIC")
    feed(siu("S12", "s-01", filler="1001", app="LABSCHED", start="20270115093000"))
    feed(siu("S12", "s-02", filler="1001", app="CLINIC", start="20270116110000"))
    feed(siu("S15", "s-03", filler="1001", app="CLINIC", start="20270116110000"))

    shown = {a["starts_at"]: a["status"] for a in section(seeded, patient_id, "appointments", token)}
    assert shown == {"2027-01-15T09:30:00-05:00": "booked", "2027-01-16T11:00:00-05:00": "cancelled"}


def test_two_interfaces_sending_ids_issued_under_one_oid_update_one_appointment(feed, ana, seeded, container):
    """Cerner style: the scheduling system's ids carry its OID (EI.3, ISO), whichever interface
    engine channel sends them, so the move from the second channel moves the same appointment."""
    patient_id, token = ana
    senders(container, "CERNER1", "CERNER2")
    issued = f"A-77^^{CERNER_SCHEDULING_OID}^ISO"
    feed(siu("S12", "s-01", filler=issued, app="CERNER1"))
    feed(siu("S14", "s-02", filler=issued, app="CERNER2", start="20270201080000"))

    [moved] = section(seeded, patient_id, "appointments", token)
    assert (moved["starts_at"], moved["version"]) == ("2027-02-01T08:00:00-05:00", 2)


def test_a_placer_number_equal_to_another_appointments_scheduler_number_is_not_that_appointment(
    feed, ana, seeded, container
):
    patient_id, token = ana
    senders(container, "EPICADT")
    feed(siu("S12", "s-01", filler="500", start="20270115093000"))
    feed(siu("S12", "s-02", placer="500", start="20270301093000"))

    assert len(section(seeded, patient_id, "appointments", token)) == 2


def appointment(identifiers: list[dict], status: str = "booked", start: str = "2027-03-01T09:00:00Z") -> dict:
    return {
        "resourceType": "Appointment",
        "id": "epic-appt-1",
        "identifier": identifiers,
        "status": status,
        "start": start,
        "end": start.replace("09:00", "09:30"),
        "participant": [
            {"actor": {"reference": "Patient/ana", "display": "Ana"}, "status": "accepted"},
            {"actor": {"display": "Dr Marcus Welby"}, "status": "accepted"},
        ],
    }


def typed(code: str, system: str, value: str) -> dict:
    return {
        "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": code}]},
        "system": system,
        "value": value,
    }


def test_a_fhir_appointment_sent_with_its_placer_identifier_then_its_filler_one_stays_one(ana, seeded, container):
    """Epic style FHIR: the first Appointment carries only the order's (PLAC) identifier and the
    id of another resource; later ones the scheduler's (FILL), then the scheduler's alone."""
    patient_id, token = ana
    sender = "epic-fhir"
    container.records.add_feed_source(FeedSource(sender, ORG, "AMC-MRN"))
    patient = {
        "resourceType": "Patient",
        "id": "ana",
        "identifier": [{"system": "AMC-MRN", "value": "MRN-1001"}],
        "name": [{"family": "Núñez", "given": ["Ana"]}],
        "birthDate": "1984-03-09",
    }

    def send(resource: dict) -> None:
        body = json.dumps(
            {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": patient}, {"resource": resource}]}
        )
        assert deliver(seeded, body, group_id=sender, attributes={"sender": sender}) == {"batchItemFailures": []}

    placer = typed("PLAC", "urn:oid:1.2.840.114350.1.13.0.1.7.2.798268", "ORD-31")
    filler = typed("FILL", "urn:oid:1.2.840.114350.1.13.0.1.7.3.698084.8", "CAD-9")
    first = appointment([placer])
    first["id"] = "first-copy"
    send(first)
    send(appointment([placer, filler], start="2027-03-02T09:00:00Z"))
    final = appointment([filler], status="cancelled", start="2027-03-02T09:00:00Z")
    final["id"] = "another-copy"
    send(final)

    [cancelled] = section(seeded, patient_id, "appointments", token)
    assert (cancelled["status"], cancelled["starts_at"], cancelled["version"]) == (
        "cancelled",
        "2027-03-02T09:00:00Z",
        3,
    )


# -- visits ---------------------------------------------------------------------------------------------


def test_two_adt_systems_numbering_visits_alike_do_not_share_visits(feed, ana, seeded, container):
    """The main ADT (Epic style, namespaced AMCADT) and the emergency department's system
    (namespaced EDIS) both send visit 100; the lab vendor's registration feed sends 100 bare."""
    patient_id, token = ana
    senders(container, "EPICADT", "EDIS", "LABREG")
    feed(adt("A01", "a-01", "100^^^AMCADT^VN", app="EPICADT", admitted="20261201080000"))
    feed(adt("A04", "a-02", "100^^^EDIS^VN", app="EDIS", admitted="20261205230000"))
    feed(adt("A04", "a-03", "100", app="LABREG", admitted="20261210070000"))
    feed(adt("A03", "a-04", "100^^^EDIS^VN", app="EDIS", admitted="", discharged="20261206030000"))

    shown = {v["started_at"]: v["status"] for v in section(seeded, patient_id, "visits", token)}
    assert shown == {
        "2026-12-01T08:00:00-05:00": "in-progress",  # the inpatient stay is not discharged by the ED's A03
        "2026-12-05T23:00:00-05:00": "finished",
        "2026-12-10T07:00:00-05:00": "arrived",
    }


def test_two_systems_whose_visit_authority_the_hospital_declared_update_one_visit(feed, ana, seeded, container):
    """Registration (Cerner style, the visit numbers' OID) admits; the bed board, declaring its
    local name for the same authority, discharges."""
    patient_id, token = ana
    senders(container, "REG", "BEDS", authorities=(("BEDVN", f"urn:oid:{CERNER_SCHEDULING_OID}"),))
    feed(adt("A01", "a-01", f"V-5^^^&{CERNER_SCHEDULING_OID}&ISO^VN", app="REG"))
    feed(adt("A03", "a-02", "V-5^^^BEDVN^VN", app="BEDS", admitted="", discharged="20261203120000"))

    [visit] = section(seeded, patient_id, "visits", token)
    assert (visit["status"], visit["started_at"], visit["ended_at"]) == (
        "finished",
        "2026-12-01T08:00:00-05:00",
        "2026-12-03T12:00:00-05:00",
    )


def legacy_visit(patient_id: str, sender: str, number: str) -> StoredResult:
    """A visit as filing stored it before visit numbers had issuers: under the organization's key."""
    record_id = rid("", f"visit@{number}")
    content = {
        "status": "in-progress",
        "class": "inpatient",
        "started_at": "2026-11-01T08:00:00-05:00",
        "as_of": "2026-11-01T08:00:00-05:00",
    }
    at = datetime(2026, 11, 1, 13, tzinfo=timezone.utc)
    visit = StoredResult(
        patient_id=patient_id,
        result_id=record_id,
        version=1,
        category="visit",
        status="current",
        content_sha256=content_hash({"content": content, "withdrawn": False}),
        content=content,
        organization_id=ORG,
        source=f"{sender}|old-1",
        filed_at=at,
        release_at=at,
        kind="visit",
        listed_at=timed_key(at, record_id),
    )
    wiring.container().records.put_version(visit)
    return visit


def test_a_visit_filed_before_visit_numbers_had_issuers_is_discharged_by_its_own_system(feed, ana, seeded, container):
    patient_id, token = ana
    senders(container, "EPICADT", "EDIS")
    before = legacy_visit(patient_id, "EPICADT|AMC", "200")

    feed(adt("A03", "a-01", "200^^^AMCADT^VN", app="EPICADT", admitted="", discharged="20261105120000"))
    # another system's visit 200 is its own, not the old one
    feed(adt("A04", "a-02", "200", app="EDIS", admitted="20261210070000"))

    shown = {v["started_at"]: v["status"] for v in section(seeded, patient_id, "visits", token)}
    assert shown == {"2026-11-01T08:00:00-05:00": "finished", "2026-12-10T07:00:00-05:00": "arrived"}
    old = wiring.container().records.current(patient_id, before.result_id, kind="visit")
    assert old is not None and (old.version, old.content["status"]) == (2, "finished")
    assert old.content["started_at"] == "2026-11-01T08:00:00-05:00"  # kept: the A03 left it out


def test_an_appointment_message_without_any_id_is_quarantined_with_a_plain_reason(feed, ana, seeded, container):
    senders(container, "EPICADT")
    feed(siu("S12", "s-01"))
    assert quarantine_reasons() == ["SCH-1 and SCH-2 hold no appointment id."]


def test_an_appointment_filed_before_ids_had_issuers_is_moved_by_the_next_message(feed, ana, seeded, container):
    patient_id, token = ana
    senders(container, "EPICADT")
    record_id = rid("EPICADT|AMC", "appointment@98765")
    content = {"status": "booked", "starts_at": "2027-01-15T09:30:00-05:00", "as_of": "2026-11-01T08:00:00-05:00"}
    at = datetime(2026, 11, 1, 13, tzinfo=timezone.utc)
    container.records.put_version(
        StoredResult(
            patient_id=patient_id,
            result_id=record_id,
            version=1,
            category="appointment",
            status="current",
            content_sha256=content_hash({"content": content, "withdrawn": False}),
            content=content,
            organization_id=ORG,
            source="EPICADT|AMC|old-1",
            filed_at=at,
            release_at=at,
            kind="appointment",
            listed_at=timed_key(datetime(2027, 1, 15, 14, 30, tzinfo=timezone.utc), record_id),
        )
    )

    feed(siu("S14", "s-01", placer="4455^EPIC", filler="98765^CADENCE", start="20270120140000"))
    feed(siu("S15", "s-02", placer="4455^EPIC", start="20270120140000"))

    [cancelled] = section(seeded, patient_id, "appointments", token)
    assert (cancelled["id"], cancelled["status"], cancelled["version"]) == (record_id, "cancelled", 3)
