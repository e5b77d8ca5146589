"""HL7 v2 pharmacy orders (RDE^O11) read as medications, as FHIR MedicationRequests are: what,
how to take it, who prescribed it, refills, the order's end, its controlled substance schedule
(RXE-35) and the prescription number the outbound refill Task sends back."""

from __future__ import annotations

import pytest

from chalicelib.interop.hl7v2 import read_hl7
from chalicelib.records.domain import Unreadable
from chalicelib.refills.domain import Medication

MSH = "MSH|^~\\&|PHARM|AMC|PORTAL|AMC|20261201093000||RDE^O11^RDE_O11|RX-CTRL-1|P|2.5.1"
PID = "PID|1||MRN-1001^^^AMC-MRN^MR||Núñez^Ana||19840309|F"


def rde(*order: str) -> str:
    return "\r".join([MSH, PID, *order]) + "\r"


def test_a_pharmacy_order_is_read_as_a_medication_with_its_refills_schedule_and_end():
    message = read_hl7(
        rde(
            "ORC|NW|PL-77^EHR|FL-88^PHARM^2.16.840.1.113883.19.5.7^ISO||IP||||20261130120000|||1234^Okoro^Grace^^^^MD",
            "TQ1|1||||||20261130|20270531",
            "RXE||1049621^Oxycodone 5 mg tablet^RXNORM|1||TAB^tablet|||||||0|||RX-4411" + "|" * 20 + "CII",
        )
    )

    [entry] = message.entries
    medication = Medication.from_entry("m" * 32, entry.content)
    assert (entry.kind, entry.source_id) == ("medication", "medication@FL-88")
    assert medication.name == "Oxycodone 5 mg tablet" and medication.rxnorm == ("1049621",)
    assert (medication.status, medication.refills_allowed, medication.schedule) == ("active", 0, "II")
    assert medication.expires_on == "2027-05-31"
    assert medication.prescriber == "Grace Okoro MD"
    assert medication.dosage == ("1 tablet",)
    assert (medication.prescription_system, medication.prescription_value) == ("2.16.840.1.113883.19.5.7", "RX-4411")


def test_the_providers_instructions_are_the_dosage_and_a_discontinued_order_is_stopped():
    message = read_hl7(
        rde(
            "ORC|DC|PL-78^EHR||||||||20261130120000",
            "RXE||314076^Lisinopril 10 mg tablet^RXN|1||TAB||^Take 1 tablet by mouth once a day|||||3",
        )
    )
    [entry] = message.entries
    medication = Medication.from_entry("m" * 32, entry.content)
    assert medication.status == "stopped" and medication.refills_allowed == 3
    assert medication.dosage == ("Take 1 tablet by mouth once a day",)
    assert entry.source_id == "medication@PL-78"


def test_each_order_of_a_message_is_a_medication():
    message = read_hl7(
        rde(
            "ORC|NW|PL-1",
            "RXE||1^First^L|1",
            "ORC|NW|PL-2",
            "RXE||2^Second^L|1",
        )
    )
    assert [e.content["medication"]["display"] for e in message.entries] == ["First", "Second"]


@pytest.mark.parametrize(
    "order, reason",
    [(("RXE||1^First^L|1",), "ORC"), (("ORC|NW", "RXE||1^First^L|1"), "ORC-2")],
)
def test_an_order_the_portal_cannot_tell_apart_is_unreadable(order, reason):
    with pytest.raises(Unreadable) as caught:
        read_hl7(rde(*order))
    assert reason in str(caught.value)


def _medications(*order: str) -> list[Medication]:
    return [Medication.from_entry("m" * 32, e.content) for e in read_hl7(rde(*order)).entries]


def test_each_order_ends_when_its_own_timing_says_not_when_the_first_orders_does():
    first, second, third = _medications(
        "ORC|NW|PL-1||||||||20261130120000",
        "TQ1|1||||||20261130|20270131",
        "RXE||1^First^L|1",
        "ORC|NW|PL-2||||||||20261130120000",
        "TQ1|1||||||20261130|20271231",
        "RXE||2^Second^L|1",
        "ORC|NW|PL-3||||||||20261130120000",
        "RXE||3^Third^L|1",
    )
    assert [m.expires_on for m in (first, second, third)] == ["2027-01-31", "2027-12-31", ""]


def test_the_refills_left_count_not_the_refills_the_prescription_first_allowed():
    # RXE-12: 5 refills prescribed; RXE-16: none left, so no refill can be asked for online
    [used_up] = _medications("ORC|NW|PL-1|||IP", "RXE||1^First^L|1" + "|" * 9 + "5" + "|" * 4 + "0")
    [unsaid] = _medications("ORC|NW|PL-2|||IP", "RXE||2^Second^L|1" + "|" * 9 + "5")
    assert (used_up.refills_allowed, unsaid.refills_allowed) == (0, 5)


@pytest.mark.parametrize(
    "control, order_status, status",
    [
        ("NW", "IP", "active"),
        ("SC", "SC", "active"),
        ("OK", "A", "active"),
        ("NW", "", "active"),  # a new order is in effect when it is sent
        ("XO", "", "active"),
        ("SC", "", "unknown"),  # a status message that gives no status says nothing
        ("SC", "ER", "unknown"),
        ("SC", "RP", "unknown"),
        ("SC", "ZZ", "unknown"),
        ("SC", "CM", "completed"),
        ("NW", "HD", "on-hold"),
    ],
)
def test_only_an_order_status_in_effect_makes_an_order_refillable(control, order_status, status):
    [medication] = _medications(f"ORC|{control}|PL-1|||{order_status}", "RXE||1^First^L|1")
    assert medication.status == status
    assert medication.active is (status == "active")
