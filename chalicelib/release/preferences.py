"""The patient's release preferences: their own choice, per category, to see new results at once,
only after a clinician has reviewed them (staff release them, or REVIEW_WAIT_LIMIT at most), or
some days after they are filed. The choice is the patient's: staff read it (to know why a result
waits) but never set it."""

from __future__ import annotations

import dataclasses
from typing import Any, Protocol

from chalicelib.access.domain import Area
from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.records.domain import Category
from chalicelib.release.contract import ReleasePreferencesChange
from chalicelib.release.policy import MAX_WAIT_DAYS, REVIEW_WAIT_LIMIT


class PreferencesPorts(AccessPorts, Protocol):
    """The patient's own release preferences, kept on the patient record (``patients``)."""

    @property
    def patients(self) -> Patients: ...


def release_preferences(ports: PreferencesPorts, caller: Caller, origin: Origin, patient_id: str) -> dict[str, Any]:
    """The patient's own (or, for staff of their organization, the patient's as they chose them)."""
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.RESULTS)
    patient = ports.patients.get(scope.patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "release_preferences.read",
        action=Action.READ,
        patient_id=scope.patient_id,
        resource_type="Consent",
    )
    return _preferences(patient)


def set_release_preferences(
    ports: PreferencesPorts, caller: Caller, origin: Origin, patient_id: str, request: ReleasePreferencesChange
) -> dict[str, Any]:
    """It applies to results filed from now on. (What GET answers may come back as it is: the
    read-only fields are ignored.)"""
    review, days = _chosen(request)
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.RESULTS, acts=True)
    patient = ports.patients.get(scope.patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    if days is None:  # only wait_for_review, as before: the categories it does not name keep their days
        days = {c: d for c, d in patient.wait_days if c not in review}
    categories = [c.value for c in Category]
    patient = dataclasses.replace(
        patient,
        wait_for_review=tuple(c for c in categories if c in review),
        wait_days=tuple((c, days[c]) for c in categories if c in days),
    )
    ports.patients.save(patient)  # on its version: a feed update meanwhile makes this a 409, try again
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "release_preferences.changed",
        action=Action.UPDATE,
        patient_id=scope.patient_id,
        resource_type="Consent",
        # codes only: "lab:review,imaging:3d", or "none"
        reason=",".join([f"{c}:review" for c in patient.wait_for_review] + [f"{c}:{d}d" for c, d in patient.wait_days])
        or "none",
    )
    return _preferences(patient)


def _chosen(request: ReleasePreferencesChange) -> tuple[set[str], dict[str, int] | None]:
    """The categories that wait for a review and, when ``choices`` was sent, those that wait days
    (None: not sent, the earlier days stay). Every problem at once, by field."""
    if request.choices is None:
        if request.wait_for_review is None:
            raise ValidationFailed(
                "Send choices (or wait_for_review).", [{"field": "choices", "issue": "required: a choice per category"}]
            )
        return set(request.wait_for_review), None
    problems = []
    seen: set[str] = set()
    for index, choice in enumerate(request.choices):
        if choice.category in seen:
            problems.append({"field": f"choices.{index}.category", "issue": "each category once"})
        seen.add(choice.category)
        if choice.release == "after_days" and choice.days is None:
            problems.append({"field": f"choices.{index}.days", "issue": f"required: 1 to {MAX_WAIT_DAYS} days"})
        elif choice.release != "after_days" and choice.days is not None:
            problems.append({"field": f"choices.{index}.days", "issue": "only for after_days"})
    review: set[str] = {c.category for c in request.choices if c.release == "after_review"}
    if request.wait_for_review is not None and set(request.wait_for_review) != review:
        problems.append({"field": "wait_for_review", "issue": "disagrees with choices: send choices alone"})
    if problems:
        raise ValidationFailed("The release preferences are not valid.", problems)
    return review, {c.category: c.days for c in request.choices if c.release == "after_days" and c.days}


def _preferences(patient: Patient) -> dict[str, Any]:
    days = dict(patient.wait_days)
    choices: list[dict[str, Any]] = []
    for category in (c.value for c in Category):
        if category in patient.wait_for_review:
            choices.append({"category": category, "release": "after_review", "days": None})
        elif category in days:
            choices.append({"category": category, "release": "after_days", "days": days[category]})
        else:
            choices.append({"category": category, "release": "at_once", "days": None})
    return {
        "wait_for_review": list(patient.wait_for_review),
        "choices": choices,
        "longest_wait_days": REVIEW_WAIT_LIMIT.days,
        "most_days": MAX_WAIT_DAYS,
    }
