"""Times in a message read in the sender's organization's time zone.

The readers keep a time as sent; one sent without an offset is the sending hospital's wall clock,
so before anything is filed every such time in the message is given the offset of the
organization's zone at that moment (kernel.zones). From then on each time is a moment: the
release of a discharge summary counts from the right instant, versions order correctly, and the
API hands out times a browser shows in its reader's own zone. Dates (a birth date, a date of
death, a day a condition began) are days, not moments, and stay as sent.
"""

from __future__ import annotations

import dataclasses

from chalicelib.kernel.zones import values_with_offset, with_offset
from chalicelib.records.domain import ClinicalEntry, ClinicalMessage, Observation, ResultReport


def in_zone(message: ClinicalMessage, zone_name: str) -> ClinicalMessage:
    """The message with every time that has no offset given that of ``zone_name``."""

    def at(text: str) -> str:
        return with_offset(text, zone_name)

    def observation(o: Observation) -> Observation:
        return dataclasses.replace(o, observed_at=at(o.observed_at))

    def report(r: ResultReport) -> ResultReport:
        return dataclasses.replace(
            r,
            collected_at=at(r.collected_at),
            reported_at=at(r.reported_at),
            discharged_at=at(r.discharged_at),
            as_of=at(r.as_of),  # when the sender said so (a document's versions are ordered by it)
            observations=tuple(observation(o) for o in r.observations),
        )

    def entry(e: ClinicalEntry) -> ClinicalEntry:
        # (an entry's content is what the patient is shown: its times, at any depth, are moments)
        return dataclasses.replace(
            e, content=values_with_offset(e.content, zone_name), occurred_at=at(e.occurred_at), as_of=at(e.as_of)
        )

    return dataclasses.replace(
        message,
        patient=dataclasses.replace(message.patient, as_of=at(message.patient.as_of)),
        results=tuple(report(r) for r in message.results),
        entries=tuple(entry(e) for e in message.entries),
        admitted_at=at(message.admitted_at),
        discharged_at=at(message.discharged_at),
    )
