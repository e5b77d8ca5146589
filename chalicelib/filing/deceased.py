"""The open sessions of a patient the EHR records as deceased end as the feed says so.

Filing does not touch the account here (it reads one only for a waiting connection,
filing.connections): sign-in is refused by the API, which reads the account's
own record when a session opens (identity.sessions.refuse_if_deceased), and staff see why in the
portal status. What filing does is delete the sessions of the account whose own record this is,
found by their owner (the identity table's by-owner index), so that no session opened before
the death outlives the message. A connected organization's record was linked on birth date and
family name alone, too little to end someone's access on: only sessions whose record is this one
end. Results keep filing onto the record all the same.

Every message of a deceased patient checks again, so a failure part-way is finished by the next
delivery or a redelivery.
"""

from __future__ import annotations

from typing import Protocol

from chalicelib.identity.domain import RecordKind
from chalicelib.identity.stores import IdentityRecordsPorts
from chalicelib.patients.domain import Patient


class DeceasedPorts(IdentityRecordsPorts, Protocol):
    """The sessions of the patient's account (the identity store)."""


def end_sessions(ports: DeceasedPorts, patient: Patient) -> int:
    """Delete the open sessions of a deceased patient's own account; how many ended."""
    if not patient.deceased or not patient.account_id:
        return 0
    ended = 0
    for record in ports.identity_records.owned_by(f"account#{patient.account_id}", kind=RecordKind.SESSION):
        if record.patient_id == patient.patient_id:
            ended += ports.identity_records.delete(RecordKind.SESSION, record.selector)
    return ended
