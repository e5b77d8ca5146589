"""FakePatients: DynamoPatients in memory. A patient is stored with a version (1 when added, one
more on each save); a save names the version it read, and Conflict answers a clash. Identifier
claims keep an identifier to one patient per organization: ``add`` and ``save_with_claims`` take
``new`` claims only while they are free (Conflict otherwise, and nothing is written)."""

from __future__ import annotations

import dataclasses

from chalicelib.errors import Conflict
from chalicelib.patients.domain import Identifier, Patient


class FakePatients:
    def __init__(self) -> None:
        self.patients: dict[str, Patient] = {}  # by id, as stored (with their version)
        self.claims: dict[str, str] = {}  # Identifier.claim_key -> patient id

    def add(self, patient: Patient) -> None:
        keys = [i.claim_key(patient.organization_id) for i in patient.identifiers]
        if any(key in self.claims for key in keys) or not self._on_version(patient):
            raise Conflict("A patient with that identifier exists already.", [{"field": "identifiers"}])
        self.claims.update({key: patient.patient_id for key in keys})
        self._store(patient)

    def get(self, patient_id: str) -> Patient | None:
        return self.patients.get(patient_id)

    def many(self, patient_ids: list[str]) -> dict[str, Patient]:
        return {i: self.patients[i] for i in patient_ids if i in self.patients}

    def by_identifier(self, organization_id: str, identifier: Identifier) -> Patient | None:
        claimed_by = self.claims.get(identifier.claim_key(organization_id))
        return self.get(claimed_by) if claimed_by else None

    def born_on(self, organization_id: str, birth_date: str, limit: int) -> list[Patient]:
        return [
            p for p in self.patients.values() if p.organization_id == organization_id and p.birth_date == birth_date
        ][:limit]

    def claimed_by(self, organization_id: str, identifier: Identifier) -> str:
        return self.claims.get(identifier.claim_key(organization_id), "")

    def claimed_by_many(self, claims: list[tuple[str, Identifier]]) -> dict[tuple[str, Identifier], str]:
        found = {claim: self.claims.get(claim[1].claim_key(claim[0]), "") for claim in claims}
        return {claim: owner for claim, owner in found.items() if owner}

    def save_with_claims(
        self, patient: Patient, new: tuple[Identifier, ...] = (), moved: tuple[Identifier, ...] = ()
    ) -> None:
        new_keys = [i.claim_key(patient.organization_id) for i in new]
        if any(key in self.claims for key in new_keys) or not self._on_version(patient):
            raise Conflict("The patient or an identifier changed at the same time.")
        self.claims.update({key: patient.patient_id for key in new_keys})
        self.claims.update({i.claim_key(patient.organization_id): patient.patient_id for i in moved})
        self._store(patient)

    def save(self, patient: Patient) -> None:
        if not self._on_version(patient):
            raise Conflict("The patient changed at the same time; try again.")
        self._store(patient)

    def _on_version(self, patient: Patient) -> bool:
        """The version the writer read is still the stored one (None: the patient is new)."""
        stored = self.patients.get(patient.patient_id)
        return stored is None if patient.version is None else stored is not None and stored.version == patient.version

    def _store(self, patient: Patient) -> None:
        self.patients[patient.patient_id] = dataclasses.replace(patient, version=(patient.version or 0) + 1)
