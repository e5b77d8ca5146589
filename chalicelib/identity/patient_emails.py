"""Every email the portal asked for about a patient, as staff see it on the patient's page: what
kind, when, what became of it, and what staff can do about one that failed. Read from the delivery
records (deliveries.py), which hold no address, subject or body. Staff reach only patients of their
own organization, and the read is audited like their other reads of a patient."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol

from chalicelib.audit.domain import Action
from chalicelib.audit.trail import caller_actor, write_audit
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import Deliveries, about_account, about_patient, newest, staff_view
from chalicelib.patients.service import RegistryPorts, find

LISTED = 20
WITHIN = timedelta(days=30)


class PatientEmailsPorts(RegistryPorts, Protocol):
    @property
    def deliveries(self) -> Deliveries: ...


def patient_emails(
    ports: PatientEmailsPorts, caller: Caller, origin: Origin, patient_id: str, now: datetime
) -> dict[str, Any]:
    """GET /v1/staff/patients/{id}/emails: the patient's emails (an invitation, a results notice)
    and their portal account's (a sign-in code, a password reset), newest first."""
    patient = find(ports, caller, origin, patient_id=patient_id)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "patient.emails.read",
        action=Action.READ,
        patient_id=patient.patient_id,
        resource_type="Patient",
        resource_id=patient.patient_id,
    )
    since = now - WITHIN
    records = ports.deliveries.about(about_patient(patient.patient_id), since, LISTED)
    account = ports.directory.account(patient.account_id) if patient.account_id else None
    # The account's own emails only to its home organization: a connected organization sees the
    # patient's record, not how the account signs in (as on the portal status).
    if account is not None and account.organization_id == caller.organization_id:
        records += ports.deliveries.about(about_account(account.account_id), since, LISTED)
    return {"emails": [staff_view(r) for r in newest(records, LISTED)]}
