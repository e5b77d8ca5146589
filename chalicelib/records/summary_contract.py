"""What the health summary routes take and give (see kernel/contract.py): one section of a
patient's allergies, conditions, medications, immunizations, visits or appointments at a time.

Values from the clinical feeds are shown as the sender wrote them (records/contract.py says how).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field, RootModel

from chalicelib.kernel.contract import ResponseModel
from chalicelib.records.contract import NEXT_CURSOR, RecordsPageQuery


class HealthSummaryQuery(RecordsPageQuery):
    when: Literal["upcoming", "past"] | None = Field(
        None,
        description="Appointments only: those to come (the default, soonest first) or those gone by "
        "(newest first). Any other section refuses it.",
    )


# -- the health summary ---------------------------------------------------------------------------


class Concept(ResponseModel):
    """What something is, by name (and its code when the sender gave one)."""

    display: str = ""
    code: str = ""
    system: str = ""


class Reaction(ResponseModel):
    manifestations: list[str] = []
    severity: str = ""


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


class HealthSummarySection(RootModel):  # type: ignore[type-arg]  # (RootModel[...] would be built at import)
    """One section of the health summary, under the section's own name (`{"allergies": [...]}`),
    newest first by when it happened (appointments to come: soonest first)."""

    model_config = {"defer_build": True}
    root: AllergiesPage | ConditionsPage | MedicationsPage | ImmunizationsPage | VisitsPage | AppointmentsPage
