"""Check-in forms and visit types in the records table, one partition per organization
("checkin-forms#<organization_id>", data/models.py: CheckinFormModel, VisitTypeModel).

A form is a head (the current version's text, whether it is active, every version's SHA-256) and
one item per version, each written once on condition that it is new: a version, once kept, is
never overwritten. A new version is one transaction: its item, the head moved to it on condition
the head was still at the version before (two admins adding at once: one wins, the other is told),
and the audit event.
"""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist, PynamoDBException, TransactWriteError
from pynamodb.transactions import TransactWrite

from chalicelib.audit.domain import AuditEvent
from chalicelib.checkin.forms import FormTemplate, FormVersion, VisitType, conflict_of_versions
from chalicelib.data.audit_log import audit_item
from chalicelib.data.dynamo import any_condition_failed
from chalicelib.data.models import AuditEventModel, CheckinFormModel, VisitTypeModel
from chalicelib.errors import DependencyUnavailable, NotFound

_UNAVAILABLE = "The forms store is unavailable."


def partition(organization_id: str) -> str:
    return f"checkin-forms#{organization_id}"


def _head_key(form_id: str) -> str:
    return f"form#{form_id}"


def _version_key(form_id: str, version: int) -> str:
    return f"form-version#{form_id}#{version:06d}"


def _visit_type_key(visit_type_id: str) -> str:
    return f"visit-type#{visit_type_id}"


def _head(form: FormTemplate) -> CheckinFormModel:
    current = form.current
    return CheckinFormModel(
        partition(form.organization_id),
        _head_key(form.form_id),
        form_id=form.form_id,
        kind=form.kind,
        active=form.active,
        updated_at=form.updated_at,
        versions=[
            {
                "version": v.version,
                "sha256": v.sha256,
                "created_at": v.created_at.isoformat(),
                "created_by": v.created_by,
            }
            for v in form.versions
        ],
        version=current.version,
        title=current.title,
        body=current.body,
        sha256=current.sha256,
        created_at=current.created_at,
        created_by=current.created_by,
    )


def _version_item(form: FormTemplate) -> CheckinFormModel:
    current = form.current
    return CheckinFormModel(
        partition(form.organization_id),
        _version_key(form.form_id, current.version),
        form_id=form.form_id,
        version=current.version,
        title=current.title,
        body=current.body,
        sha256=current.sha256,
        created_at=current.created_at,
        created_by=current.created_by,
    )


def _form(organization_id: str, item: CheckinFormModel) -> FormTemplate:
    from datetime import datetime

    versions: list[FormVersion] = []
    for kept in item.versions or []:
        number = int(kept["version"])
        if number == int(item.version):
            continue
        versions.append(
            FormVersion(
                number, str(kept["sha256"]), datetime.fromisoformat(kept["created_at"]), str(kept["created_by"])
            )
        )
    versions.append(
        FormVersion(int(item.version), item.sha256, item.created_at, item.created_by, item.title, item.body)
    )
    versions.sort(key=lambda v: v.version)
    return FormTemplate(
        form_id=item.form_id,
        organization_id=organization_id,
        kind=item.kind or "other",
        active=bool(item.active),
        updated_at=item.updated_at or item.created_at,
        versions=tuple(versions),
    )


def _visit_type(organization_id: str, item: VisitTypeModel) -> VisitType:
    questionnaire: Any = item.questionnaire
    return VisitType(
        visit_type_id=item.visit_type_id,
        organization_id=organization_id,
        name=item.name,
        form_ids=tuple(str(f) for f in item.form_ids or []),
        questionnaire=questionnaire if isinstance(questionnaire, dict) else None,
        updated_at=item.updated_at,
        updated_by=item.updated_by or "",
    )


class DynamoCheckinForms:
    def forms_of(self, organization_id: str) -> list[FormTemplate]:
        try:
            items = CheckinFormModel.query(
                partition(organization_id), CheckinFormModel.record_key.startswith("form#"), consistent_read=True
            )
            return [_form(organization_id, item) for item in items]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def form(self, organization_id: str, form_id: str) -> FormTemplate | None:
        try:
            item = CheckinFormModel.get(partition(organization_id), _head_key(form_id), consistent_read=True)
        except DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return _form(organization_id, item)

    def version(self, organization_id: str, form_id: str, version: int) -> FormVersion | None:
        """One kept version, with its text."""
        try:
            item = CheckinFormModel.get(partition(organization_id), _version_key(form_id, version))
        except DoesNotExist:
            return None
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
        return FormVersion(int(item.version), item.sha256, item.created_at, item.created_by, item.title, item.body)

    def add_form(self, form: FormTemplate, audit: AuditEvent | None = None) -> None:
        self._write(form, audit, new=True)

    def add_version(self, form: FormTemplate, audit: AuditEvent | None = None) -> None:
        self._write(form, audit, new=False)

    def _write(self, form: FormTemplate, audit: AuditEvent | None, *, new: bool) -> None:
        head = _head(form)
        try:
            with TransactWrite(connection=CheckinFormModel._get_connection().connection) as transaction:
                transaction.save(_version_item(form), condition=CheckinFormModel.record_key.does_not_exist())
                if new:
                    transaction.save(head, condition=CheckinFormModel.record_key.does_not_exist())
                else:
                    transaction.save(head, condition=CheckinFormModel.version == form.version - 1)
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise conflict_of_versions() from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def set_active(self, form: FormTemplate, audit: AuditEvent | None = None) -> None:
        head = CheckinFormModel(partition(form.organization_id), _head_key(form.form_id))
        try:
            with TransactWrite(connection=CheckinFormModel._get_connection().connection) as transaction:
                transaction.update(
                    head,
                    actions=[
                        CheckinFormModel.active.set(form.active),
                        CheckinFormModel.updated_at.set(form.updated_at),
                    ],
                    # Not after another admin's new version: what they saw is not what would change.
                    condition=CheckinFormModel.version == form.version,
                )
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            if any_condition_failed(error):
                raise (
                    NotFound("No such form.")
                    if self.form(form.organization_id, form.form_id) is None
                    else (conflict_of_versions())
                ) from error
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def visit_types(self, organization_id: str) -> list[VisitType]:
        try:
            items = VisitTypeModel.query(
                partition(organization_id), VisitTypeModel.record_key.startswith("visit-type#"), consistent_read=True
            )
            return [_visit_type(organization_id, item) for item in items]
        except PynamoDBException as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error

    def put_visit_type(self, visit_type: VisitType, audit: AuditEvent | None = None) -> None:
        item = VisitTypeModel(
            partition(visit_type.organization_id),
            _visit_type_key(visit_type.visit_type_id),
            visit_type_id=visit_type.visit_type_id,
            name=visit_type.name,
            form_ids=list(visit_type.form_ids),
            questionnaire=visit_type.questionnaire,
            updated_at=visit_type.updated_at,
            updated_by=visit_type.updated_by or None,
        )
        try:
            with TransactWrite(connection=VisitTypeModel._get_connection().connection) as transaction:
                transaction.save(item)
                if audit is not None:
                    transaction.save(audit_item(audit), condition=AuditEventModel.subject_id.does_not_exist())
        except TransactWriteError as error:
            raise DependencyUnavailable(_UNAVAILABLE) from error
