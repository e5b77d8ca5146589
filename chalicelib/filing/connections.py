"""Pending connections: a patient who added another organization with its invitation code before
that organization's record carried a birth date and family name waits, connection "pending",
until its feed brings them. Filing finds the waiting account on the record it has just matched
(``account_id`` with status invited and no invitation to expire: identity.profile.add_connection
keeps it there), so the look-up costs nothing for every other patient and one read of the account
for this one; never a scan.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Protocol

from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import SYSTEM_ACTOR, Action, Outcome
from chalicelib.audit.trail import AuditPorts, audit_event, write_audit
from chalicelib.errors import Conflict
from chalicelib.identity.stores import IdentityRecordsPorts
from chalicelib.kernel.origin import Origin
from chalicelib.patients.domain import Patient, PortalStatus, fold_name
from chalicelib.patients.stores import Patients


class ConnectionPorts(IdentityRecordsPorts, AuditPorts, Protocol):
    """The waiting account (read, and its connections written), the records, the audit trail."""

    @property
    def directory(self) -> Directory: ...

    @property
    def patients(self) -> Patients: ...


def waiting(patient: Patient) -> bool:
    """Whether an account waits for this record to say who it describes (and now it can)."""
    return patient.awaited and bool(patient.birth_date and patient.family_name)


def activate_waiting(ports: ConnectionPorts, patient: Patient, origin: Origin, now: datetime) -> Patient:
    """The record as filing goes on with it: active for the waiting account when its birth date and
    family name are those of the account's own record (as enrollment compares them), unchanged
    otherwise. A record that describes someone else opens nothing: the connection stays pending,
    the refusal is audited, and the patient's office can see the record is not theirs."""
    if not waiting(patient):
        return patient
    account = ports.directory.account(patient.account_id)
    connection = next(
        (
            c
            for c in (account.connections if account is not None else ())
            if c.patient_id == patient.patient_id and c.status == "pending"
        ),
        None,
    )
    if account is None or connection is None:
        return patient
    own = ports.patients.get(account.patient_id) if account.patient_id else None
    if (
        own is None
        or own.deceased
        or patient.deceased
        or own.birth_date != patient.birth_date
        or fold_name(own.family_name) != fold_name(patient.family_name)
    ):
        write_audit(
            ports,
            origin,
            SYSTEM_ACTOR,
            "connection.activated",
            Outcome.FAILURE,
            action=Action.UPDATE,
            patient_id=patient.patient_id,
            resource_type="Connection",
            resource_id=connection.connection_id,
            reason="record_does_not_match",
        )
        return patient
    active = dataclasses.replace(patient, portal_status=PortalStatus.ACTIVE)
    connections = tuple(dataclasses.replace(c, status="active") if c == connection else c for c in account.connections)
    try:
        ports.identity_records.activate_connection(
            dataclasses.replace(account, connections=connections),
            active,
            audit_event(
                ports,
                origin,
                SYSTEM_ACTOR,
                "connection.activated",
                action=Action.UPDATE,
                patient_id=patient.patient_id,
                resource_type="Connection",
                resource_id=connection.connection_id,
            ),
        )
    except Conflict:
        # The account changed meanwhile (a sign-in, a setting): the record stays waiting, and the
        # next message about this patient tries again. The message itself is filed all the same.
        return patient
    return dataclasses.replace(active, version=(patient.version or 0) + 1)
