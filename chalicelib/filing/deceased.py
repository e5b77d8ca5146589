"""The portal account of a patient the EHR records as deceased: closed for sign-in, its sessions
ended, when the feed says so. Results keep filing onto the record all the same.

Only the account whose own record this is (the organization the patient enrolled with) is
closed: a connected organization's record was linked on birth date and family name alone, too
little to end someone's access on. Undoing the mark (a correction) does not reopen the account by
itself: the correction may be wrong too, so staff reinstate it (portal-access "reinstate"), which
is refused while the record says deceased. No email goes to the account: its holder may be the
family, and nothing they need to act on.

Every step may be repeated: each message of a deceased patient checks again, so a failure
part-way is finished by the next delivery.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol

from chalicelib.accounts.domain import AccountStatus
from chalicelib.audit.domain import SYSTEM_ACTOR, Action
from chalicelib.audit.trail import AuditPorts, audit_event
from chalicelib.identity.revocation import RevocationPorts, end_sessions
from chalicelib.kernel.origin import Origin
from chalicelib.patients.domain import Patient, PortalStatus
from chalicelib.patients.stores import Patients

CLOSED = (AccountStatus.CLOSED_DECEASED, AccountStatus.TERMINATED)


class DeceasedPorts(RevocationPorts, AuditPorts, Protocol):
    @property
    def patients(self) -> Patients: ...


def close_account(ports: DeceasedPorts, patient: Patient, message_key: str) -> Patient:
    """Close the portal account of a deceased patient (if open) and end its sessions."""
    if not patient.deceased or not patient.account_id:
        return patient
    account = ports.directory.account(patient.account_id)
    if account is None or account.patient_id != patient.patient_id:
        return patient  # none, or the account of another organization's record (see above)
    if account.status not in CLOSED:
        event = audit_event(
            ports,
            Origin(correlation_id=message_key),
            SYSTEM_ACTOR,
            "portal_access.closed_deceased",
            action=Action.UPDATE,
            patient_id=patient.patient_id,
            resource_type="Account",
            resource_id=account.account_id,
            reason="deceased",
        )
        end_sessions(
            ports,
            account.account_id,
            lambda current: dataclasses.replace(current, status=AccountStatus.CLOSED_DECEASED),
            event,
        )
    if patient.portal_status is not PortalStatus.CLOSED_DECEASED and account.status is not AccountStatus.TERMINATED:
        fresh = ports.patients.get(patient.patient_id) or patient  # a merge may have saved it meanwhile
        patient = dataclasses.replace(fresh, portal_status=PortalStatus.CLOSED_DECEASED)
        ports.patients.save(patient)
        patient = dataclasses.replace(patient, version=(patient.version or 0) + 1)
    return patient
