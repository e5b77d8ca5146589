"""What a caller may see of one patient's record."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Standing(enum.Enum):
    """Why the caller may reach this record."""

    SELF = "self"  # the patient's own record
    CONNECTION = "connection"  # the patient's record at another organization connected to their account
    STAFF = "staff"  # staff or an admin of the patient's organization


@dataclass(frozen=True)
class PatientScope:
    """One patient's record as one caller may see it. ``visible_from`` is the first moment whose
    records the caller may see (None: the whole record); a proxy's age cutoff will set it."""

    patient_id: str
    standing: Standing
    visible_from: datetime | None = None
    # The patient record, when deciding had to read it (staff): a caller that needs the record
    # takes it from here instead of reading it a second time.
    record: object | None = field(default=None, compare=False, repr=False)
