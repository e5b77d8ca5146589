"""The record exports queue's work: build one export's two files, then say it is ready.

The record is read again, now, as the requester may see it (``records.everything``): a grant
revoked since the ask fails the export with nothing written; a grant narrowed since leaves the
parts it no longer covers out. Both files are written before the export is marked ready, so a
half-built export is never shown as ready: a try that fails leaves it building, the queue tries
again, and on the last try it is marked failed (``fail``). A message for an export already
finished only repeats the "ready" email, which the notifications consumer sends once per id.

The record is read whole (no cap: the job has the time a page has not), the documents' and
results' files go into the Bundle (``files``, within a budget; the PDF says when some did not),
and the read is audited once, by the try that writes both files (a retry reads again unaudited).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Protocol

from chalicelib.apps.export.domain import BUNDLE, EXPORT_AREAS, PDF, Export, ExportFile, ExportStatus, object_key
from chalicelib.apps.export.requests import ExportPorts
from chalicelib.apps.export.summary_pdf import patient_name, render
from chalicelib.errors import NotFound, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin
from chalicelib.notifications.deliveries import about_patient
from chalicelib.notifications.requests import NotifyPorts, queued_delivery
from chalicelib.records.everything import EverythingPorts, audit_read, read_visible_record
from chalicelib.records.links import LinkPorts

READY_TEMPLATE = "record_export_ready"
NO_LONGER_ALLOWED = "no_longer_allowed"
FAILED = "failed"


class _Settings(Protocol):
    @property
    def public_base_url(self) -> str: ...


class BuildPorts(ExportPorts, EverythingPorts, NotifyPorts, LinkPorts, Protocol):
    @property
    def settings(self) -> _Settings: ...


def _message_ids(message: Any) -> tuple[str, str]:
    if not isinstance(message, dict):
        raise ValidationFailed("A record export message is a JSON object.")
    patient_id, export_id = message.get("patient_id"), message.get("export_id")
    if not (isinstance(patient_id, str) and RECORD_ID.fullmatch(patient_id)):
        raise ValidationFailed("A record export message names its patient.")
    if not (isinstance(export_id, str) and RECORD_ID.fullmatch(export_id)):
        raise ValidationFailed("A record export message names its export.")
    return patient_id, export_id


def _requester(export: Export) -> Caller:
    """The requester as the job acts for them: their account, role and own record, from the ask."""
    return Caller(
        account_id=export.requested_by,
        role=export.requester_role,
        organization_id=export.requester_organization_id,
        patient_id=export.requester_patient_id,
        session_id=f"export:{export.export_id}",
        restriction="",
    )


def build(ports: BuildPorts, message: Any, now: datetime) -> str:
    """Build the export the message names; the outcome in a word (ids only are logged)."""
    patient_id, export_id = _message_ids(message)
    export = ports.record_exports.get(patient_id, export_id)
    if export is None:
        return "unknown"
    if export.status is ExportStatus.READY:
        _tell(ports, export)
        return "ready"
    if export.status is ExportStatus.FAILED:
        return "failed"
    caller, origin = _requester(export), Origin(correlation_id=export.export_id)
    try:
        record = read_visible_record(
            ports,
            caller,
            origin,
            patient_id,
            areas=export.areas or EXPORT_AREAS,
            audit=False,  # audited once, by the try that finishes (below): a retry reads again
            limit=None,  # the whole record: a download is never silently short
        )
    except NotFound:
        ports.record_exports.finish(export.made_failed(NO_LONGER_ALLOWED, now))
        return NO_LONGER_ALLOWED
    from chalicelib.apps.export.files import embed_files
    from chalicelib.apps.oauth.server import fhir_base
    from chalicelib.interop import writer

    base_url = fhir_base(ports.settings.public_base_url)
    resources = writer.resources_of(record, base_url=base_url)
    all_files = embed_files(ports, record, resources)
    whole = writer.collection_bundle(resources, base_url=base_url, timestamp=iso(now))
    bundle = json.dumps(whole, separators=(",", ":")).encode()
    pdf = render(resources, made_at=now, made_for=patient_name(resources), files_left_out=not all_files)
    files = []
    for kind, data, content_type in ((BUNDLE, bundle, "application/fhir+json"), (PDF, pdf, "application/pdf")):
        key = object_key(export, kind)
        ports.export_files.put(key, data, content_type)
        files.append(ExportFile(kind, key, len(data)))
    audit_read(ports, caller, origin, record, "record.export_read")
    ready = ports.record_exports.finish(export.made_ready(tuple(files), now))
    _tell(ports, ready)
    return "ready"


def fail(ports: BuildPorts, message: Any, now: datetime) -> None:
    """Mark the export failed (its last try failed): the page says so, and a new ask may start."""
    patient_id, export_id = _message_ids(message)
    export = ports.record_exports.get(patient_id, export_id)
    if export is not None and export.status is ExportStatus.BUILDING:
        ports.record_exports.finish(export.made_failed(FAILED, now))


def _tell(ports: BuildPorts, export: Export) -> None:
    """ "Your download is ready", to the account that asked: kept in its inbox and emailed. It
    says nothing of the record, nor whose it is."""
    notice = {
        "notification_id": f"export-{export.export_id}-ready",
        "template": READY_TEMPLATE,
        "account_id": export.requested_by,
    }
    ports.notifications_queue.send(notice)
    queued_delivery(ports, notice["notification_id"], READY_TEMPLATE, about_patient(export.patient_id))
