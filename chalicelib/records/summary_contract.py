"""What the health summary routes take and give (see kernel/contract.py): one section of a
patient's allergies, conditions, medications, immunizations, visits, appointments or vital signs
at a time, and the vital signs' history by measurement.

Values from the clinical feeds are shown as the sender wrote them (records/contract.py says how).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, RootModel

from chalicelib.kernel.contract import ResponseModel
from chalicelib.records.contract import NEXT_CURSOR, RecordsPageQuery, Trend


class HealthSummaryQuery(RecordsPageQuery):
    when: Literal["upcoming", "past"] | None = Field(
        None,
        description="Appointments only: those to come (the default, soonest first) or those gone by "
        "(newest first). Any other section refuses it.",
    )


# -- the health summary ---------------------------------------------------------------------------


class ConceptCoding(ResponseModel):
    """One of the codings a sender gave one concept."""

    code: str = ""
    display: str = ""
    system: str = ""


class Concept(ResponseModel):
    """What something is, by name (and its code when the sender gave one)."""

    display: str = ""
    code: str = ""
    system: str = ""
    codings: list[ConceptCoding] = Field(
        default_factory=list,
        description="Every coding the sender gave (the one shown first), when it gave more than one.",
    )


class Reaction(ResponseModel):
    manifestations: list[str] = []
    severity: str = ""


class SentId(ResponseModel):
    system: str
    value: str


class HealthSummaryEntry(ResponseModel):
    """An entry of a section. Fields the sender did not give are left out."""

    id: str
    version: int
    updated_at: datetime = Field(description="When this version was filed.")


class Allergy(HealthSummaryEntry):
    substance: Concept = Field(default_factory=Concept)
    clinical_status: str = ""
    verification_status: str = ""
    type: str = ""
    categories: list[str] = []
    criticality: str = ""
    reactions: list[Reaction] = []
    onset: str = ""
    recorded_at: str = ""
    notes: list[str] = []


class Condition(HealthSummaryEntry):
    condition: Concept = Field(default_factory=Concept)
    clinical_status: str = ""
    verification_status: str = ""
    categories: list[str] = []
    severity: str = ""
    onset: str = ""
    abated: str = ""
    recorded_at: str = ""
    notes: list[str] = []


class Medication(HealthSummaryEntry):
    medication: Concept = Field(default_factory=Concept)
    status: str = ""
    intent: str = ""
    dosage: list[str] = []
    authored_on: str = ""
    prescriber: str = ""
    reported_by_patient: bool = False
    reasons: list[str] = []
    refills_allowed: int = 0
    notes: list[str] = []
    expires_on: str = Field("", description="The last day of the prescription's validity period (YYYY-MM-DD).")
    rxnorm: str = Field("", description="Its RxNorm code, when the sender gave one.")
    schedule: str = Field("", description="The controlled substance schedule the sender marked, as sent.")
    not_refillable_online: bool = Field(False, description="The sender asks that refills are not requested online.")
    do_not_perform: bool = Field(
        False, description="An instruction not to take it (FHIR doNotPerform), not a prescription."
    )
    prescription: SentId | None = Field(None, description="The clinical system's id of the prescription.")


class Immunization(HealthSummaryEntry):
    vaccine: Concept = Field(default_factory=Concept)
    status: str = ""
    occurred_at: str = ""
    lot_number: str = ""
    site: str = ""
    route: str = ""
    performers: list[str] = []
    location: str = ""
    notes: list[str] = []


class Visit(HealthSummaryEntry):
    status: str = ""
    visit_class: str = Field("", alias="class", description="Inpatient, outpatient, emergency ...")
    types: list[str] = []
    started_at: str = ""
    ended_at: str = ""
    locations: list[str] = []
    provider: str = ""
    clinicians: list[str] = []
    reasons: list[str] = []
    discharge_disposition: str = ""


class Appointment(HealthSummaryEntry):
    status: str = Field("", description="booked, pending, arrived, fulfilled, cancelled, noshow ...")
    starts_at: str = ""
    ends_at: str = ""
    minutes: int = 0
    services: list[str] = []
    specialties: list[str] = []
    type: str = ""
    description: str = ""
    instructions: str = ""
    clinicians: list[str] = Field([], alias="with", description="Who the appointment is with.")
    locations: list[str] = []


class VitalSign(HealthSummaryEntry):
    """One reading (a blood pressure is two: systolic and diastolic, each under its own code)."""

    code: Concept = Field(default_factory=Concept, description="What was measured (LOINC, or the sender's code).")
    value: str = Field("", description='As sent: "72", "37.2"; or "<35", or a text when it is not a number.')
    numeric: bool = Field(False, description="The value is a plain number: a point on a chart.")
    units: str = ""
    observed_at: str = Field("", description="When it was measured, as precise as sent.")
    status: str = ""
    reference_range: str = ""
    flags: list[str] = []
    performer: str = ""
    notes: list[str] = []


class AllergiesPage(ResponseModel):
    allergies: list[Allergy]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class ConditionsPage(ResponseModel):
    conditions: list[Condition]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class MedicationsPage(ResponseModel):
    medications: list[Medication]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class ImmunizationsPage(ResponseModel):
    immunizations: list[Immunization]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class VisitsPage(ResponseModel):
    visits: list[Visit]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class AppointmentsPage(ResponseModel):
    appointments: list[Appointment]
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class VitalSignsPage(ResponseModel):
    vital_signs: list[VitalSign] = Field(description="Readings, newest first by when they were measured.")
    next_cursor: str | None = Field(description=NEXT_CURSOR)


class VitalSignsHistory(ResponseModel):
    """Each measurement (heart rate, weight ...) with its numeric readings over time: a chart
    and a table each. The latest reading of each is the last point of its trend."""

    trends: list[Trend] = Field(
        description="One per measurement (its coding system and code) and units, the most recently "
        "measured first; `points` oldest first in the units of its latest reading, `other_units` "
        "the readings in other units (never drawn on the same line). A point's `result_id` is the "
        "reading's id."
    )
    complete: bool = Field(
        description="false when the patient has more readings than one answer looks through: the oldest are left out."
    )


class HealthSummarySection(RootModel):  # type: ignore[type-arg]  # (RootModel[...] would be built at import)
    """One section of the health summary, under the section's own name (`{"allergies": [...]}`),
    newest first by when it happened (appointments to come: soonest first)."""

    model_config = {"defer_build": True}
    root: (
        AllergiesPage
        | ConditionsPage
        | MedicationsPage
        | ImmunizationsPage
        | VisitsPage
        | AppointmentsPage
        | VitalSignsPage
    )
