"""The API side of "Download my record": asking for an export, listing one's own, and the links
to a ready one's files.

Whoever may read the record may ask (a read-only proxy too: a copy is a read); what it will hold
is decided now, by the asker's standing (``access.service.readable_areas``: a proxy's grant's
areas, everything for the patient) and again when it is built. An account has at most one export
of a record building at a time: asking again answers that one. Only the account that asked sees
an export (a proxy's download is not the patient's, nor the reverse). Audited: ``record.export``
on the ask, ``record.export_download`` for each link handed out (the links live five minutes).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import Area
from chalicelib.access.service import AccessPorts, patient_scope, readable_areas
from chalicelib.apps.export.domain import (
    BUNDLE,
    EXPORT_AREAS,
    LISTED,
    Export,
    ExportStatus,
    file_name,
    new_export_id,
)
from chalicelib.apps.export.stores import ExportFiles, Exports
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import scope_actor, write_audit
from chalicelib.errors import DependencyUnavailable, NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.ports import Queue

LINK_SECONDS = 300
NO_SUCH_EXPORT = "No such download."
CONTENT_TYPES = {BUNDLE: "application/fhir+json"}
PDF_TYPE = "application/pdf"


class ExportPorts(AccessPorts, Protocol):
    @property
    def record_exports(self) -> Exports: ...

    @property
    def export_files(self) -> ExportFiles: ...

    @property
    def record_exports_queue(self) -> Queue: ...


def _areas(ports: ExportPorts, caller: Caller, patient_id: str) -> frozenset[Area]:
    return frozenset(a for a in EXPORT_AREAS if a in readable_areas(ports, caller, patient_id))


def _scope(ports: ExportPorts, caller: Caller, origin: Any, patient_id: str) -> tuple[Any, frozenset[Area]]:
    """The caller's scope of the record (NotFound, audited, when they may read none of what an
    export holds), and the areas an export of theirs holds."""
    areas = _areas(ports, caller, patient_id)
    first = next((a for a in EXPORT_AREAS if a in areas), Area.RESULTS)
    return patient_scope(ports, caller, origin, patient_id, area=first), areas


def request_export(ports: ExportPorts, caller: Caller, origin: Any, patient_id: str, now: datetime) -> dict[str, Any]:
    """Ask for an export of the record (or get the one building already)."""
    scope, areas = _scope(ports, caller, origin, patient_id)
    export = Export(
        export_id=new_export_id(now),
        patient_id=scope.patient_id,
        requested_by=caller.account_id,
        requested_at=now,
        areas=areas,
        requester_role=caller.role,
        requester_organization_id=caller.organization_id,
        requester_patient_id=caller.patient_id,
        grant_id=scope.grant_id,
    )
    kept = ports.record_exports.start(export, now)
    if kept.export_id != export.export_id:
        return shown(kept, now)  # the one building already
    write_audit(
        ports,
        origin,
        scope_actor(caller, scope),
        "record.export",
        action=Action.EXECUTE,
        patient_id=scope.patient_id,
        resource_type="Bundle",
        resource_id=export.export_id,
        reason="areas:" + ",".join(a.value for a in EXPORT_AREAS if a in areas),
    )
    try:
        ports.record_exports_queue.send({"patient_id": export.patient_id, "export_id": export.export_id})
    except DependencyUnavailable:
        # Never left building with nothing on its way: it fails now, and the caller may ask again.
        ports.record_exports.finish(kept.made_failed("not_started", now))
        raise
    return shown(kept, now)


def recent_exports(ports: ExportPorts, caller: Caller, origin: Any, patient_id: str, now: datetime) -> dict[str, Any]:
    """The caller's own recent exports of the record, newest first (no links: a page asks for
    those of one ready export when the person wants the files)."""
    scope, _ = _scope(ports, caller, origin, patient_id)
    listed = ports.record_exports.recent(scope.patient_id, caller.account_id, LISTED)
    return {"exports": [shown(export, now) for export in listed]}


def export_detail(
    ports: ExportPorts, caller: Caller, origin: Any, patient_id: str, export_id: str, now: datetime
) -> dict[str, Any]:
    """One of the caller's exports; when ready, with a five-minute link to each file, audited."""
    scope, _ = _scope(ports, caller, origin, patient_id)
    export = ports.record_exports.get(scope.patient_id, export_id) if RECORD_ID.fullmatch(export_id) else None
    if export is None or export.requested_by != caller.account_id:
        raise NotFound(NO_SUCH_EXPORT)
    files = []
    if export.downloadable(now):
        made_at = export.ready_at or now
        for file in export.files:
            name = file_name(file.kind, made_at)
            content_type = CONTENT_TYPES.get(file.kind, PDF_TYPE)
            url = ports.export_files.presigned_get(
                file.object_key,
                expires_in=LINK_SECONDS,
                content_type=content_type,
                disposition=f'attachment; filename="{name}"',
            )
            write_audit(
                ports,
                origin,
                scope_actor(caller, scope),
                "record.export_download",
                action=Action.READ,
                patient_id=scope.patient_id,
                resource_type="Bundle" if file.kind == BUNDLE else "Binary",
                resource_id=export.export_id,
                reason=f"file:{file.kind}",
            )
            files.append({"kind": file.kind, "name": name, "content_type": content_type, "size": file.size, "url": url})
    return {**shown(export, now), "files": files}


def shown(export: Export, now: datetime) -> dict[str, Any]:
    status = export.shown_status(now)
    ready = status is ExportStatus.READY
    return {
        "export_id": export.export_id,
        "status": status.value,
        "requested_at": iso(export.requested_at),
        "ready_at": iso(export.ready_at) if ready and export.ready_at else None,
        "expires_at": iso(export.expires_at()) if ready else None,
        "areas": [a.value for a in EXPORT_AREAS if a in export.areas],
        "files": [],
    }
