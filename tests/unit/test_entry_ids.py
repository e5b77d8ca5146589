"""How appointments and visits are named for filing (filing/entry_ids.py and the readers): which
ids an SIU, an ADT and a FHIR Appointment give, in which order, and the key each id becomes, so
that one booking named by two ids stays one and two senders' equal numbers stay apart. No AWS."""

from __future__ import annotations

from chalicelib.feeds.domain import FeedSource
from chalicelib.filing.entry_ids import AUTHORITY_SCOPE, EntryKey, entry_keys, legacy_key
from chalicelib.filing.matching import scoped_authority
from chalicelib.interop.fhir import read_fhir
from chalicelib.interop.hl7v2 import read_hl7
from chalicelib.records.domain import SentIdentifier

SOURCE = FeedSource("SCHED|AMC", "amc", "AMC-MRN", authorities=(("CADENCE", "AMC-APPOINTMENTS"),))
PID = "PID|1||MRN-1^^^AMC-MRN^MR||Doe^Jane||19800102|F"


def siu(sch1: str, sch2: str) -> tuple[SentIdentifier, ...]:
    message = read_hl7(
        "\r".join(
            [
                "MSH|^~\\&|SCHED|AMC|PORTAL|AMC|20240304153000||SIU^S12|c-1|P|2.5.1",
                f"SCH|{sch1}|{sch2}|||||^Checkup|||30|min|^^30^20240310090000",
                PID,
            ]
        )
    )
    [appointment] = message.entries
    return appointment.ids


def adt_visit(pv1_19: str) -> tuple[SentIdentifier, ...]:
    pv1 = "|".join(["PV1", "1", "I"] + [""] * 16 + [pv1_19])
    message = read_hl7("\r".join(["MSH|^~\\&|ADT|AMC|PORTAL|AMC|20240304153000||ADT^A01|c-1|P|2.5.1", PID, pv1]))
    [visit] = message.entries
    return visit.ids


def test_an_siu_names_its_appointment_by_the_scheduler_id_first_then_the_requester_id():
    assert siu("4455^EPIC", "98765^CADENCE") == (
        SentIdentifier("98765", "FILL", "CADENCE"),
        SentIdentifier("4455", "PLAC", "EPIC"),
    )
    assert siu("4455^EPIC", "") == (SentIdentifier("4455", "PLAC", "EPIC"),)


def test_an_oid_in_an_ei_is_the_universal_id_wherever_the_sender_put_it():
    assert siu("", "A-1^^2.16.840.1.113883.3.13^ISO") == (
        SentIdentifier("A-1", "FILL", "", "urn:oid:2.16.840.1.113883.3.13"),
    )
    assert siu("", "A-1^2.16.840.1.113883.3.13") == (
        SentIdentifier("A-1", "FILL", "", "urn:oid:2.16.840.1.113883.3.13"),
    )


def test_a_visit_number_carries_its_assigning_authority():
    assert adt_visit("V-5^^^AMCADT&2.16.840.1.113883.19.7&ISO^VN") == (
        SentIdentifier("V-5", "VN", "AMCADT", "urn:oid:2.16.840.1.113883.19.7"),
    )
    assert adt_visit("V-5") == (SentIdentifier("V-5", "VN"),)


def test_keys_put_a_declared_or_universal_issuer_before_the_sender_and_keep_roles_apart():
    keys = entry_keys(
        SOURCE,
        "SCHED|AMC",
        "appointment",
        (
            SentIdentifier("98765", "FILL", "CADENCE"),  # declared: the organization's authority
            SentIdentifier("4455", "PLAC", "EPIC"),  # a local name nobody declared: the sender's own
            SentIdentifier("4455", "PLAC"),  # no issuer: the sender's
            SentIdentifier("77", "FILL", "", "urn:oid:1.2.3"),  # universal: as it is
        ),
    )
    assert keys == (
        EntryKey(AUTHORITY_SCOPE + "AMC-APPOINTMENTS", "appointment@filler:98765"),
        EntryKey(AUTHORITY_SCOPE + scoped_authority("SCHED|AMC", "EPIC"), "appointment@placer:4455"),
        EntryKey("SCHED|AMC", "appointment@placer:4455"),
        EntryKey(AUTHORITY_SCOPE + "urn:oid:1.2.3", "appointment@filler:77"),
    )


def test_two_senders_bare_numbers_are_two_keys_and_a_shared_oid_is_one():
    other = FeedSource("CLINIC|AMC", "amc", "AMC-MRN")
    bare = SentIdentifier("100", "VN")
    assert entry_keys(SOURCE, "SCHED|AMC", "visit", [bare]) != entry_keys(other, "CLINIC|AMC", "visit", [bare])
    shared = SentIdentifier("100", "VN", "", "urn:oid:1.2.3")
    assert entry_keys(SOURCE, "SCHED|AMC", "visit", [shared]) == entry_keys(other, "CLINIC|AMC", "visit", [shared])


def test_a_bare_visit_number_never_takes_the_default_authority_of_record_numbers():
    [key] = entry_keys(SOURCE, "SCHED|AMC", "visit", [SentIdentifier("100", "VN")])
    assert key == EntryKey("SCHED|AMC", "visit@100")


def test_the_legacy_key_of_a_visit_number_is_the_organizations_and_of_anything_else_the_senders():
    assert legacy_key("ADT|AMC", "visit@100") == EntryKey("", "visit@100")
    assert legacy_key("ADT|AMC", "appointment@100") == EntryKey("ADT|AMC", "appointment@100")
    assert legacy_key("ehr", "Encounter/1") == EntryKey("ehr", "Encounter/1")


def test_a_fhir_appointment_is_named_by_its_filler_then_untyped_then_placer_identifiers_then_its_id():
    def typed(code: str) -> dict:
        return {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": code}]}

    appointment = {
        "resourceType": "Appointment",
        "id": "a1",
        "status": "booked",
        "identifier": [
            {"type": typed("PLAC"), "system": "urn:oid:1.2.840.114350.1", "value": "ORD-31"},
            {"system": "http://clinic.example.org/appointments", "value": "C-1"},
            {"type": typed("FILL"), "system": "CADENCE", "value": "CAD-9"},
            {"value": "no-system"},
        ],
        "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}],
    }
    [message] = read_fhir(appointment)
    [entry] = message.entries
    assert entry.ids == (
        SentIdentifier("CAD-9", "FILL", "CADENCE"),
        SentIdentifier("C-1", "FILL", "", "http://clinic.example.org/appointments"),
        SentIdentifier("ORD-31", "PLAC", "", "urn:oid:1.2.840.114350.1"),
        SentIdentifier("Appointment/a1", "RI"),
    )
