"""The file a link shares: the International Patient Summary (the writer's ``ips_document``) of
what the caller may see of the record now (``records.everything.read_visible_record``, its reads
audited as the portal's pages audit them).

Only the areas an IPS speaks of are read (results, the health summary, medications): documents
and visits are not part of a patient summary and are not read at all. A section of an area the
caller's scope leaves out (a proxy whose grant has no medications) says it was withheld.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.access.domain import Area
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin

AREAS = (Area.RESULTS, Area.HEALTH_SUMMARY, Area.MEDICATIONS)
# The IPS sections (interop.writer.ips.SECTIONS) each area holds.
_SECTION_AREAS = {
    "problems": Area.HEALTH_SUMMARY,
    "allergies": Area.HEALTH_SUMMARY,
    "immunizations": Area.HEALTH_SUMMARY,
    "vital_signs": Area.HEALTH_SUMMARY,
    "medications": Area.MEDICATIONS,
    "results": Area.RESULTS,
}


def patient_summary(
    ports: Any, caller: Caller, origin: Origin, patient_id: str, *, base_url: str, now: datetime
) -> dict[str, Any]:
    from chalicelib.interop.writer import ips_document
    from chalicelib.records.everything import read_visible_record

    record = read_visible_record(ports, caller, origin, patient_id, areas=AREAS)
    withheld = [section for section, area in _SECTION_AREAS.items() if area not in record.areas]
    return ips_document(record, base_url=base_url, now=now, withheld=withheld)
