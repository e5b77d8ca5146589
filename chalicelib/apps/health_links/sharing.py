"""The patient's side of SMART Health Links: make one, list them, show one again, its uses,
revoke it. Every call goes through ``access.service.patient_scope`` on the health summary (the
International Patient Summary's own sections: problems, allergies, medications).

A proxy may share the record of the person they act for when their grant covers the health
summary and lets them act (not read-only): the summary then holds only what their scope shows
(their grant's areas, never sensitive care, nothing past a child's 12th birthday), as every page
does for them. A proxy lists and revokes the links they made; the patient sees and may revoke
every link of their record, whoever made it. A proxy's link works only while the grant it was
made under is in force and covers the health summary (``access_in_force``): a former proxy's links
stop with their access, and the patient's list says so (``access_ended``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from chalicelib.access.domain import Area, PatientScope, Standing
from chalicelib.access.service import AccessPorts, GrantLookup, patient_scope
from chalicelib.apps.health_links import domain, sealing
from chalicelib.apps.health_links.contract import NewHealthLink
from chalicelib.apps.health_links.domain import HealthLink, LinkStatus
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import audit_event, scope_actor
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import RECORD_ID, new_id
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.ports import Keys

AREA = Area.HEALTH_SUMMARY
RESOURCE_TYPE = "HealthLink"  # the audit trail's name for a link (not a FHIR resource)
NO_SUCH_LINK = "No such link."


class HealthLinkStore(Protocol):
    def create(self, link: HealthLink, audit: Any) -> None: ...

    def save(self, link: HealthLink, audit: Any) -> None: ...

    def of_patient(self, patient_id: str) -> list[HealthLink]: ...

    def get(self, patient_id: str, link_id: str) -> HealthLink | None: ...

    def by_manifest(self, manifest_id: str) -> HealthLink | None: ...


class LinkFiles(Protocol):
    def put_file(self, key: str, data: bytes, content_type: str) -> str: ...

    def get(self, key: str) -> bytes: ...

    def presigned_get(
        self, key: str, expires_in: int = ..., content_type: str = "", disposition: str = "", version_id: str = ""
    ) -> str: ...

    def delete_file(self, key: str, version_id: str) -> None: ...


class _Grants(GrantLookup, Protocol):
    def get(self, patient_id: str, grant_id: str) -> Any: ...


class SharingPorts(AccessPorts, Protocol):
    @property
    def proxy_grants(self) -> _Grants: ...

    @property
    def health_links(self) -> HealthLinkStore: ...

    @property
    def health_link_files(self) -> LinkFiles: ...

    @property
    def keys(self) -> Keys: ...


def key_context(link_id: str) -> dict[str, str]:
    """Binds a link's stored key to that link: it opens for no other."""
    return {"purpose": "health-link", "link_id": link_id}


def create_link(
    ports: SharingPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    body: NewHealthLink,
    now: datetime,
    portal_origin: str,
    summarize: Callable[[], dict[str, Any]],
) -> dict[str, Any]:
    """Make a link to ``summarize()`` (the IPS document of what this caller may see, read once
    the caller may share): the file encrypted under a new key into the bucket, the link kept with its
    creation's audit event. A failed save deletes the file again: nothing half-made stays."""
    scope = patient_scope(ports, caller, origin, patient_id, area=AREA, acts=True)
    patient = ports.patients.get(scope.patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    link_id = new_id()
    key = sealing.new_key()
    token = sealing.encrypt(summary_bytes(summarize()), key).encode("ascii")
    object_key = f"health-links/{link_id}.jwe"
    passcode_hash = _hash_passcode(body.passcode) if body.passcode else ""
    # (the key sealed before the file is stored: a failure then leaves nothing behind)
    key_ciphertext = ports.keys.encrypt(key, key_context(link_id))
    version = ports.health_link_files.put_file(object_key, token, "application/jose")
    link = HealthLink(
        link_id=link_id,
        patient_id=scope.patient_id,
        organization_id=patient.organization_id,
        manifest_id=sealing.new_manifest_id(),
        label=body.label,
        created_at=now,
        expires_at=domain.expiry(now, body.expires_in_days),
        created_by=caller.account_id,
        key_ciphertext=key_ciphertext,
        object_key=object_key,
        object_version=version,
        passcode_hash=passcode_hash,
        proxy_grant_id=scope.grant_id,
        size=len(token),
    )
    event = audit_event(
        ports,
        origin,
        scope_actor(caller, scope),
        "health_link.create",
        action=Action.CREATE,
        patient_id=scope.patient_id,
        resource_type=RESOURCE_TYPE,
        resource_id=link_id,
    )
    try:
        ports.health_links.create(link, event)
    except DependencyUnavailable:
        ports.health_link_files.delete_file(object_key, version)
        raise
    return shared_view(link, key, caller, portal_origin)


def access_in_force(ports: SharingPorts, link: HealthLink, now: datetime) -> bool:
    """Whether the access the link was made under still is: always for the patient's own; for a
    proxy's, their grant in force and still covering the health summary (read now, strongly, as
    every access check reads it). The file holds what the proxy could see when it was made, so
    the cutoff of a child's 12th birthday needs no second look."""
    if not link.proxy_grant_id:
        return True
    grant = ports.proxy_grants.get(link.patient_id, link.proxy_grant_id)
    return grant is not None and grant.in_force(now) and AREA in grant.areas


def status_of(ports: SharingPorts, link: HealthLink, now: datetime) -> LinkStatus:
    return link.status(now, access_in_force(ports, link, now))


def list_links(ports: SharingPorts, caller: Caller, origin: Origin, patient_id: str, now: datetime) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=AREA)
    links = [link for link in ports.health_links.of_patient(scope.patient_id) if _sees(scope, caller, link)]
    return {"links": [link_view(link, caller, status_of(ports, link, now)) for link in links]}


def show_link(
    ports: SharingPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    link_id: str,
    now: datetime,
    portal_origin: str,
) -> dict[str, Any]:
    """A working link again, with its QR code (the key read back from its encrypted copy)."""
    scope = patient_scope(ports, caller, origin, patient_id, area=AREA)
    link = _link_of(ports, scope, caller, link_id)
    if status_of(ports, link, now) is not LinkStatus.ACTIVE:
        raise Conflict("This link no longer works, so there is nothing to show; make a new one.")
    key = ports.keys.decrypt(link.key_ciphertext, key_context(link.link_id))
    return shared_view(link, key, caller, portal_origin)


def link_uses(ports: SharingPorts, caller: Caller, origin: Origin, patient_id: str, link_id: str) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=AREA)
    link = _link_of(ports, scope, caller, link_id)
    return {"uses": [use.as_json() for use in link.uses], "use_count": link.use_count}


def revoke_link(
    ports: SharingPorts, caller: Caller, origin: Origin, patient_id: str, link_id: str, now: datetime
) -> None:
    """The manifest answers 404 from now on and the file is deleted. Revoking a revoked link
    deletes its file again (a delete that failed before is retried)."""
    scope = patient_scope(ports, caller, origin, patient_id, area=AREA, acts=True)
    link = _link_of(ports, scope, caller, link_id)
    if link.revoked_at is None:
        event = audit_event(
            ports,
            origin,
            scope_actor(caller, scope),
            "health_link.revoke",
            action=Action.UPDATE,
            patient_id=scope.patient_id,
            resource_type=RESOURCE_TYPE,
            resource_id=link.link_id,
        )
        ports.health_links.save(replace(link, revoked_at=now), event)
    ports.health_link_files.delete_file(link.object_key, link.object_version)


def shared_view(link: HealthLink, key: bytes, caller: Caller, portal_origin: str) -> dict[str, Any]:
    """A working link with its key (only ever shown for an active one)."""
    manifest_url = f"{portal_origin.rstrip('/')}/shl/{link.manifest_id}"
    text = domain.shlink(domain.payload(manifest_url, domain.b64url(key), link))
    viewer = domain.viewer_url(portal_origin, text)
    return {
        **link_view(link, caller, LinkStatus.ACTIVE),
        "shlink": text,
        "viewer_url": viewer,
        "qr_svg": sealing.qr_svg(viewer),
    }


def link_view(link: HealthLink, caller: Caller, status: LinkStatus) -> dict[str, Any]:
    made_by = "you" if link.created_by == caller.account_id else ("proxy" if link.proxy_grant_id else "patient")
    return {
        "link_id": link.link_id,
        "label": link.label,
        "created_at": iso(link.created_at),
        "expires_at": iso(link.expires_at),
        "passcode": link.has_passcode,
        "status": status.value,
        "made_by": made_by,
        "use_count": link.use_count,
        "last_used_at": iso(link.uses[0].at) if link.uses else None,
        "remaining_attempts": link.remaining_attempts,
        "revoked_at": iso(link.revoked_at) if link.revoked_at else None,
    }


def summary_bytes(document: dict[str, Any]) -> bytes:
    """The IPS document as the file holds it (compact UTF-8 JSON)."""
    return json.dumps(document, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _sees(scope: PatientScope, caller: Caller, link: HealthLink) -> bool:
    """The patient sees every link of their record; a proxy, those they made."""
    return scope.standing is not Standing.PROXY or link.created_by == caller.account_id


def _link_of(ports: SharingPorts, scope: PatientScope, caller: Caller, link_id: str) -> HealthLink:
    link = ports.health_links.get(scope.patient_id, link_id) if RECORD_ID.fullmatch(link_id) else None
    if link is None or not _sees(scope, caller, link):
        raise NotFound(NO_SUCH_LINK)
    return link


def _hash_passcode(passcode: str) -> str:
    """argon2id, as passwords are: a stolen table does not give the passcodes away."""
    from argon2 import PasswordHasher

    return PasswordHasher().hash(passcode)
