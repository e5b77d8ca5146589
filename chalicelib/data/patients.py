"""Patients in DynamoDB (PatientModel), with the identifier claims that keep a medical record
number to one patient per organization (IdentifierClaimModel: an index cannot). A patient and its
claims are written in one transaction; a patient is saved on its version, so two changes cannot
silently undo each other. ``patient_item`` is also how the identity store writes a patient inside
its enrollment transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from pynamodb.exceptions import PutError, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.data.dynamo import Backfill, any_condition_failed, backfill, conditional_failure, contended
from chalicelib.data.models import IdentifierClaimModel, PatientModel
from chalicelib.errors import Conflict, DependencyUnavailable
from chalicelib.patients.domain import Identifier, Patient, PortalStatus


def born_in(organization_id: str, birth_date: str) -> str | None:
    """The by-birth-date index's key: only a full date (YYYY-MM-DD) is searched on."""
    return f"{organization_id}#{birth_date}" if len(birth_date) == 10 else None


def patient_item(patient: Patient) -> PatientModel:
    item = PatientModel(
        patient_id=patient.patient_id,
        organization_id=patient.organization_id,
        identifiers=[{"authority": i.authority, "value": i.value, "type": i.type} for i in patient.identifiers],
        family_name=patient.family_name,
        given_names=list(patient.given_names),
        birth_date=patient.birth_date or None,
        sex=patient.sex or None,
        email=patient.email or None,
        pending_email=patient.pending_email or None,
        portal_status=patient.portal_status.value,
        account_id=patient.account_id or None,
        created_at=patient.created_at,
        merged_into=patient.merged_into or None,
        wait_for_review=list(patient.wait_for_review) or None,
        wait_days=dict(patient.wait_days) or None,
        deceased=patient.deceased or None,
        deceased_on=patient.deceased_on or None,
        deceased_as_of=patient.deceased_as_of or None,
        invited_until=patient.invited_until or None,
        born_in=born_in(patient.organization_id, patient.birth_date),
    )
    if patient.version is not None:
        item.version = patient.version
    return item


def _patient(item: PatientModel) -> Patient:
    return Patient(
        patient_id=item.patient_id,
        organization_id=item.organization_id,
        identifiers=tuple(Identifier(i["authority"], i["value"], i.get("type", "MR")) for i in item.identifiers),
        family_name=item.family_name,
        given_names=tuple(item.given_names),
        birth_date=item.birth_date or "",
        sex=item.sex or "",
        email=item.email or "",
        pending_email=item.pending_email or "",
        portal_status=PortalStatus(item.portal_status),
        account_id=item.account_id or "",
        created_at=item.created_at,
        version=item.version,
        merged_into=item.merged_into or "",
        wait_for_review=tuple(item.wait_for_review or ()),
        wait_days=tuple((category, int(days)) for category, days in (item.wait_days or {}).items()),
        deceased=bool(item.deceased),
        deceased_on=item.deceased_on or "",
        deceased_as_of=item.deceased_as_of or "",
        invited_until=int(item.invited_until or 0),
    )


class DynamoPatients:
    """The patient index: patients by id, and by an organization's identifier."""

    def add(self, patient: Patient) -> None:
        """A new patient and a claim on each identifier, in one transaction: Conflict when an
        identifier belongs to another patient already."""
        try:
            with TransactWrite(connection=PatientModel._get_connection().connection) as transaction:
                for identifier in patient.identifiers:
                    transaction.save(
                        IdentifierClaimModel(
                            patient_id=identifier.claim_key(patient.organization_id), claimed_by=patient.patient_id
                        ),
                        condition=IdentifierClaimModel.patient_id.does_not_exist(),
                    )
                transaction.save(patient_item(patient), condition=PatientModel.patient_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise Conflict("A patient with that identifier exists already.", [{"field": "identifiers"}]) from error
            raise DependencyUnavailable("The patient index is unavailable.") from error

    def get(self, patient_id: str) -> Patient | None:
        if patient_id.startswith("identifier#"):
            return None  # a claim, not a patient
        try:
            return _patient(PatientModel.get(patient_id, consistent_read=True))
        except PatientModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable("The patient index is unavailable.") from error

    def by_identifier(self, organization_id: str, identifier: Identifier) -> Patient | None:
        try:
            claim = IdentifierClaimModel.get(identifier.claim_key(organization_id), consistent_read=True)
        except IdentifierClaimModel.DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable("The patient index is unavailable.") from error
        return self.get(claim.claimed_by)

    def many(self, patient_ids: list[str]) -> dict[str, Patient]:
        """Several patients by id in one batch read (a list page's patients); those not found are
        left out."""
        if not patient_ids:
            return {}
        try:
            found = list(PatientModel.batch_get(list(dict.fromkeys(patient_ids)), consistent_read=True))
        except PynamoDBException as error:
            raise DependencyUnavailable("The patient index is unavailable.") from error
        return {p.patient_id: p for p in map(_patient, found)}

    def born_on(self, organization_id: str, birth_date: str, limit: int) -> list[Patient]:
        """The organization's patients born that day (at most ``limit``), in no particular order:
        one Query of the keys-only index, then the patients themselves in one batch read."""
        key = born_in(organization_id, birth_date)
        if key is None:
            return []
        try:
            ids = [item.patient_id for item in PatientModel.by_birth_date.query(key, limit=limit)]
            found = list(PatientModel.batch_get(ids, consistent_read=True)) if ids else []
        except PynamoDBException as error:
            raise DependencyUnavailable("The patient index is unavailable.") from error
        # (the index is updated after the table: a patient moved since is checked against itself)
        return [p for p in map(_patient, found) if p.organization_id == organization_id and p.birth_date == birth_date]

    def backfill_birth_date_index(self, *, write: bool = True) -> Backfill:
        """Put every patient written before the by-birth-date index existed into it, by setting
        its key as ``patient_item`` writes it. A Scan (an operator's step after an upgrade, never
        the API's); each write is conditional on the key still being absent and the birth date
        and organization unchanged, so it never overwrites a newer save, and a second run finds
        nothing to do. The patient's version is left alone: a save of a patient read before it
        writes the same key, and nobody's concurrent change conflicts with it."""
        connection = PatientModel._get_connection()

        def writes() -> Iterator[Callable[[], object]]:
            found = PatientModel.scan(
                PatientModel.birth_date.exists() & PatientModel.born_in.does_not_exist(),
                attributes_to_get=["patient_id", "organization_id", "birth_date"],
            )
            for item in found:
                key = born_in(item.organization_id, item.birth_date or "")
                if key is None:
                    continue  # a year or a month only: not searched on
                yield partial(
                    connection.update_item,
                    item.patient_id,
                    actions=[PatientModel.born_in.set(key)],
                    condition=PatientModel.born_in.does_not_exist()
                    & (PatientModel.birth_date == item.birth_date)
                    & (PatientModel.organization_id == item.organization_id),
                )

        return backfill(writes(), write=write, unavailable="The patient index is unavailable.")

    def claimed_by(self, organization_id: str, identifier: Identifier) -> str:
        """The patient an identifier belongs to in an organization, or ""."""
        try:
            return IdentifierClaimModel.get(identifier.claim_key(organization_id), consistent_read=True).claimed_by
        except IdentifierClaimModel.DoesNotExist:
            return ""
        except PynamoDBException as error:
            raise DependencyUnavailable("The patient index is unavailable.") from error

    def claimed_by_many(self, claims: list[tuple[str, Identifier]]) -> dict[tuple[str, Identifier], str]:
        """The patient each (organization, identifier) belongs to, in one batch read of the claims
        (the feed's lanes: which records are about one patient); those nobody claims are left out."""
        wanted = {
            identifier.claim_key(organization_id): (organization_id, identifier)
            for organization_id, identifier in claims
        }
        if not wanted:
            return {}
        try:
            found = list(IdentifierClaimModel.batch_get(list(wanted), consistent_read=True))
        except PynamoDBException as error:
            raise DependencyUnavailable("The patient index is unavailable.") from error
        return {wanted[claim.patient_id]: claim.claimed_by for claim in found if claim.patient_id in wanted}

    def save_with_claims(
        self, patient: Patient, new: tuple[Identifier, ...] = (), moved: tuple[Identifier, ...] = ()
    ) -> None:
        """Save a patient (on its version), claim ``new`` identifiers for it (each must be free)
        and point ``moved`` ones (claimed by a merged record) at it, in one transaction."""
        try:
            with TransactWrite(connection=PatientModel._get_connection().connection) as transaction:
                for identifier in new:
                    transaction.save(
                        IdentifierClaimModel(
                            patient_id=identifier.claim_key(patient.organization_id), claimed_by=patient.patient_id
                        ),
                        condition=IdentifierClaimModel.patient_id.does_not_exist(),
                    )
                for identifier in moved:
                    transaction.save(
                        IdentifierClaimModel(
                            patient_id=identifier.claim_key(patient.organization_id), claimed_by=patient.patient_id
                        )
                    )
                transaction.save(patient_item(patient))
        except TransactWriteError as error:
            if contended(error):
                raise Conflict("The patient or an identifier changed at the same time.") from error
            raise DependencyUnavailable("The patient index is unavailable.") from error

    def save(self, patient: Patient) -> None:
        try:
            patient_item(patient).save()
        except PutError as error:
            if conditional_failure(error):
                raise Conflict("The patient changed at the same time; try again.") from error
            raise DependencyUnavailable("The patient index is unavailable.") from error
