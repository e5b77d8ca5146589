"""The patient's release preferences: their own choice to see results of some categories only
after a clinician has reviewed them (staff release them), or after REVIEW_WAIT_LIMIT at most."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import caller_actor, write_audit
from chalicelib.errors import NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.records.domain import Category
from chalicelib.release.contract import ReleasePreferencesChange
from chalicelib.release.policy import REVIEW_WAIT_LIMIT


class PreferencesPorts(AccessPorts, Protocol):
    """The patient's own release preferences, kept on the patient record (``patients``)."""

    @property
    def patients(self) -> Patients: ...


def release_preferences(ports: PreferencesPorts, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id)
    patient = ports.patients.get(scope.patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "release_preferences.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Consent",
    )
    return _preferences(patient)


def set_release_preferences(
    ports: PreferencesPorts, caller: Caller, origin: Origin, patient_id: str, request: ReleasePreferencesChange
) -> dict[str, Any]:
    """It applies to results filed from now on. (What GET answers may come back as it is:
    longest_wait_days is read-only, and ignored.)"""
    chosen = request.wait_for_review
    categories = [c.value for c in Category]
    scope = patient_scope(ports, caller, origin, patient_id)
    patient = ports.patients.get(scope.patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    patient = dataclasses.replace(patient, wait_for_review=tuple(c for c in categories if c in chosen))
    ports.patients.save(patient)  # on its version: a feed update meanwhile makes this a 409, try again
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "release_preferences.changed",
        action=Action.UPDATE,
        patient_id=scope.patient_id,
        resource_type="Consent",
        reason=",".join(patient.wait_for_review) or "none",
    )
    return _preferences(patient)


def _preferences(patient: Patient) -> dict[str, Any]:
    return {"wait_for_review": list(patient.wait_for_review), "longest_wait_days": REVIEW_WAIT_LIMIT.days}
