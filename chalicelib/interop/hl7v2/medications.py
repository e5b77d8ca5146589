"""Pharmacy orders: RDE^O11 (and RDE^O25, its refill form) read as medication entries, one per
ORC/RXE pair, with what the medication list and the refill rules need (what, how to take it, who
prescribed it, refills, the order's end, its controlled substance schedule, its prescription id).

The content has the shape FHIR MedicationRequests are read into (interop/fhir/entries.py), so a
prescription reads the same whichever way the sender sends it.
"""

from __future__ import annotations

from typing import Any

from chalicelib.interop.hl7v2.fields import FieldReader
from chalicelib.interop.hl7v2.values import iso_time, person
from chalicelib.kernel.terminology import RXNORM
from chalicelib.records.domain import ClinicalEntry, Unreadable

# HL7 table 0396's names of RxNorm (senders write either).
_RXNORM_SYSTEMS = {"RXN", "RXNORM"}
# ORC-5 (order status, table 0038) as MedicationRequest.status. In progress, scheduled and accepted
# are in effect; completed, discontinued, cancelled and held are not. Any other code (ER error,
# RP replaced, a local one) is "unknown": the refill rules take it as not active, so an order the
# portal cannot read is never refilled online.
_ORDER_STATUS = {
    "CM": "completed",
    "DC": "stopped",
    "CA": "cancelled",
    "HD": "on-hold",
    "IP": "active",
    "SC": "active",
    "A": "active",
}
# ORC-1 (order control, table 0119) that end an order whatever ORC-5 says.
_ORDER_CONTROL = {"CA": "cancelled", "OC": "cancelled", "DC": "stopped", "OD": "stopped", "HD": "on-hold"}
# ORC-1 of a new order (NW) or one that replaces it (XO, RO): senders often leave ORC-5 blank on
# them, and the order is in effect from when it is sent. A blank ORC-5 on any other control says
# nothing of the order's state: "unknown".
_IN_EFFECT_WHEN_SENT = {"NW", "XO", "RO"}


def _status(control: str, order_status: str) -> str:
    if control in _ORDER_CONTROL:
        return _ORDER_CONTROL[control]
    if not order_status:
        return "active" if control in _IN_EFFECT_WHEN_SENT else "unknown"
    return _ORDER_STATUS.get(order_status, "unknown")


def read_medication_orders(reader: FieldReader, segments: list[Any], sent_at: str) -> list[ClinicalEntry]:
    """Each ORC followed by its RXE. An ORC without an RXE (a status-only order message) or an
    RXE without an order id is unreadable: the portal could not tell which prescription it is.
    An order's timing (TQ1) is read from its own group only: the segments from its ORC to the
    next ORC."""
    orders: list[ClinicalEntry] = []
    groups: list[list[Any]] = []
    for segment in segments:
        if str(segment[0]) == "ORC":
            groups.append([segment])
        elif groups:
            groups[-1].append(segment)
        elif str(segment[0]) == "RXE":
            raise Unreadable("An RXE segment has no ORC before it.")
    for group in groups:
        given = [s for s in group if str(s[0]) == "RXE"]
        if len(given) > 1:
            raise Unreadable("An RXE segment has no ORC before it.")
        if given:
            orders.append(_order(reader, group[0], given[0], group, sent_at))
    if not orders:
        raise Unreadable("The RDE message has no ORC and RXE pair.")
    return orders


def _order(reader: FieldReader, orc: Any, rxe: Any, group: list[Any], sent_at: str) -> ClinicalEntry:
    placer, filler = reader.field(orc, 2), reader.field(orc, 3)
    order_id = reader.component(filler, 1) or reader.component(placer, 1)
    if not order_id:
        raise Unreadable("ORC-2 and ORC-3 hold no order number.")
    give = reader.field(rxe, 2)  # CWE: code ^ text ^ coding system
    code, text, system = (reader.component(give, n) for n in (1, 2, 3))
    alternate, alternate_system = reader.component(give, 4), reader.component(give, 6)
    rxnorm = (
        code if system.upper() in _RXNORM_SYSTEMS else alternate if alternate_system.upper() in _RXNORM_SYSTEMS else ""
    )
    status = _status(reader.field(orc, 1).upper(), reader.field(orc, 5).upper())
    instructions = reader.field(rxe, 7)
    dosage = [
        t[:1000]
        for t in (reader.component(rep, 2) or reader.component(rep, 1) for rep in reader.repetitions(instructions))
        if t
    ]
    if not dosage:
        amount, units = (
            reader.field(rxe, 3),
            reader.component(reader.field(rxe, 5), 2) or reader.component(reader.field(rxe, 5), 1),
        )
        dosage = [f"{amount} {units}".strip()[:1000]] if amount else []
    # RXE-16 is the refills remaining, RXE-12 the number the prescription allowed: what is left
    # says whether a refill can be asked for, so it wins when sent.
    refills = reader.field(rxe, 16) or reader.field(rxe, 12)
    prescription = reader.field(rxe, 15) or reader.component(filler, 1) or reader.component(placer, 1)
    namespace = reader.component(filler, 2) if reader.component(filler, 1) else reader.component(placer, 2)
    universal = reader.component(filler, 3) if reader.component(filler, 1) else reader.component(placer, 3)
    tq1 = next((s for s in group if str(s[0]) == "TQ1"), None)
    ends = iso_time(reader.field(tq1, 8)) if tq1 is not None else ""
    authored = iso_time(reader.field(orc, 9)) or sent_at
    content: dict[str, Any] = {
        "medication": {
            k: v
            for k, v in (
                ("display", (text or code)[:500]),
                ("code", code[:100]),
                ("system", RXNORM if rxnorm == code and rxnorm else system[:200]),
            )
            if v
        },
        "rxnorm": rxnorm[:20] if rxnorm.isdigit() else "",
        "status": status,
        "intent": "order",
        "dosage": dosage[:20],
        "authored_on": authored,
        "prescriber": person(reader, reader.field(orc, 12))[:200],
        "refills_allowed": int(refills) if refills.isdigit() and len(refills) < 5 else None,
        # RXE-35: the controlled substance schedule (table 0477: I ... V), read by the refill rules
        "schedule": reader.component(reader.field(rxe, 35), 1)[:20],
        "expires_on": ends[:10] if len(ends) >= 10 else "",
        "prescription": {"system": (universal or namespace)[:256], "value": prescription[:100]}
        if (universal or namespace) and prescription
        else {},
    }
    return ClinicalEntry(
        kind="medication",
        source_id=f"medication@{order_id[:100]}",
        content={k: v for k, v in content.items() if v not in (None, "", [], {})},
        occurred_at=authored,
        withdrawn=False,
        as_of=sent_at,
    )
