"""``read_hl7``: one HL7 v2 message read into a ClinicalMessage, by its message type (MSH-9).

ADT gives demographics, the visit and admission/discharge times, or a merge (A40, A39, A34, A18:
MRG-1 names the patient merged away); ORU^R01 gives results; MDM a document, tied to its visit
when PV1 has a visit number; SIU an appointment; RDE (pharmacy orders) medications. Any other type is Unreadable, and so is a message
python-hl7 cannot parse: the reason names the kind of error, never a value from the message.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import hl7
from hl7.exceptions import HL7Exception

from chalicelib.interop.hl7v2.fields import FieldReader, first_segment
from chalicelib.interop.hl7v2.medications import read_medication_orders
from chalicelib.interop.hl7v2.patients import read_identifiers, read_patient
from chalicelib.interop.hl7v2.results import read_document, read_results, read_vital_signs
from chalicelib.interop.hl7v2.values import iso_time
from chalicelib.interop.hl7v2.visits import read_appointment, read_visit, visit_ids, visit_number
from chalicelib.records.domain import ClinicalMessage, SentIdentifier, Unreadable


def read_hl7(text: str, parsed: Any = None) -> ClinicalMessage:
    """One message (segments separated by CR, as feeds.envelope hands them over); ``parsed``, when
    given, is python-hl7's parse of that text (the envelope's), not parsed again."""
    try:
        message = parsed if parsed is not None else hl7.parse(text)
        reader = FieldReader(message)
        msh = message.segment("MSH")
        message_type = reader.field(msh, 9)
        code, event = reader.component(message_type, 1), reader.component(message_type, 2)
        return _read(reader, code, event)
    except Unreadable:
        raise
    except (HL7Exception, IndexError, KeyError, ValueError, TypeError, AssertionError) as error:
        raise Unreadable(f"The message cannot be read ({type(error).__name__}).") from None


def _read(reader: FieldReader, code: str, event: str) -> ClinicalMessage:
    message = reader.message
    segments = list(message)
    sent_at = iso_time(reader.field(first_segment(segments, "MSH"), 7))  # MSH-7: an older message never wins
    patient = read_patient(reader, first_segment(segments, "PID"))
    if patient.deceased is not None:  # a death (or its correction) is ordered by when it was sent
        patient = dataclasses.replace(patient, as_of=sent_at)
    if code == "ADT":
        pv1 = first_segment(segments, "PV1")
        merged: tuple[SentIdentifier, ...] = ()
        if event in ("A40", "A39", "A34", "A18"):
            mrg = first_segment(segments, "MRG")
            merged = read_identifiers(reader, reader.field(mrg, 1)) if mrg is not None else ()
            if not merged:
                raise Unreadable("MRG-1 has no prior patient identifier.")
        visit = read_visit(reader, pv1, event, sent_at) if not merged else None
        vital_signs = (
            read_vital_signs(
                reader,
                segments,
                visit.source_id if visit else "",
                iso_time(reader.field(pv1, 44)) if pv1 is not None else "",
                sent_at,
            )
            if not merged
            else []
        )
        return ClinicalMessage(
            kind="merge" if merged else "demographics",
            patient=patient,
            merged_from=merged,
            event=event,
            entries=((visit,) if visit else ()) + tuple(vital_signs),
            admitted_at=iso_time(reader.field(pv1, 44)) if pv1 is not None else "",
            discharged_at=iso_time(reader.field(pv1, 45)) if pv1 is not None else "",
        )
    if code == "ORU":
        # (vital signs are not results: they go to the health summary, as entries)
        results, vital_signs = read_results(reader, segments, sent_at)
        return ClinicalMessage(
            kind="results", patient=patient, results=tuple(results), entries=tuple(vital_signs), event=event
        )
    if code == "MDM":
        # The trigger is MSH-9's (intake requires one), whatever EVN-1 says: senders leave EVN-1 stale.
        document = dataclasses.replace(read_document(reader, segments, event.upper()), as_of=sent_at)
        pv1 = first_segment(segments, "PV1")
        if pv1 is not None and visit_number(reader, pv1):
            document = dataclasses.replace(
                document,
                visit_id=visit_number(reader, pv1),
                visit_ids=visit_ids(reader, pv1),
                discharged_at=iso_time(reader.field(pv1, 45)),
            )
        return ClinicalMessage(kind="document", patient=patient, results=(document,), event=event)
    if code == "RDE":
        return ClinicalMessage(
            kind="records",
            patient=patient,
            event=event,
            entries=tuple(read_medication_orders(reader, segments, sent_at)),
        )
    if code == "SIU":
        return ClinicalMessage(
            kind="appointment",
            patient=patient,
            event=event,
            entries=(read_appointment(reader, segments, event, sent_at),),
        )
    raise Unreadable(f"Message type {code}^{event} is not one the portal files.")
