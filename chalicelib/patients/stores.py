"""The patient records and their identifier claims, as services use them
(chalicelib.data.patients implements it over DynamoDB)."""

from __future__ import annotations

from typing import Protocol

from chalicelib.patients.domain import Identifier, Patient


class Patients(Protocol):
    def add(self, patient: Patient) -> None:
        """A new patient with a claim on each identifier; Conflict if one is claimed already."""
        ...

    def get(self, patient_id: str) -> Patient | None: ...

    def many(self, patient_ids: list[str]) -> dict[str, Patient]:
        """Several patients by id in one batch read (a list page's patients); those not found are
        left out."""
        ...

    def by_identifier(self, organization_id: str, identifier: Identifier) -> Patient | None: ...

    def born_on(self, organization_id: str, birth_date: str, limit: int) -> list[Patient]:
        """The organization's patients born on that day (YYYY-MM-DD), at most ``limit``."""
        ...

    def claimed_by(self, organization_id: str, identifier: Identifier) -> str:
        """The id of the patient this identifier names in the organization, or ""."""
        ...

    def claimed_by_many(self, claims: list[tuple[str, Identifier]]) -> dict[tuple[str, Identifier], str]:
        """The patient id each (organization id, identifier) names, in one read; unclaimed ones
        are left out."""
        ...

    def save_with_claims(
        self, patient: Patient, new: tuple[Identifier, ...] = (), moved: tuple[Identifier, ...] = ()
    ) -> None: ...

    def save(self, patient: Patient) -> None:
        """Save on the patient's version; Conflict if it changed meanwhile."""
        ...
