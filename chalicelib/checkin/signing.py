"""Signing a check-in form, and reading a signed one back.

A signature is kept in this order, so that nothing is ever half-done the wrong way round:

1. Everything is checked first (the access check, the visit's check-in window, the form the visit
   asks for at the version and SHA-256 the patient read, not signed yet, the drawn signature).
2. The PDF (``signed_form.render``) is put in the signed-documents bucket under object lock, with
   its SHA-256 as S3's checksum. If the put fails, nothing is recorded: the request fails whole.
3. Then one DynamoDB transaction: the record (with the PDF's SHA-256, size and the bucket's version
   id), the outbound DocumentReference and the audit event.

If that transaction fails, the PDF stays in the bucket with no record: an orphan, under lock. That
is the safe side: a signed paper kept without its index costs some bytes, while a record pointing
at a PDF that never landed would show the patient and the clinical systems a document that does
not exist. The orphan is not lost work either: the document id is derived from the patient,
visit, form and version (``signatures.document_id_of``), and the PDF's metadata carries a digest of
what was signed; a retry (the same Idempotency-Key, released when the call failed) finds the PDF
under its key, and when it is the same signature re-renders the same bytes (the signing time is
read back from the stored metadata, and ``render`` is deterministic) and records that PDF instead
of storing another. A retry with other input (another typed name) stores a new version beside it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import unicodedata
from datetime import datetime, timedelta
from itertools import combinations, product
from typing import Any, Protocol

from chalicelib.access.acting import ActedBy, acted_by
from chalicelib.access.domain import Area, PatientScope
from chalicelib.access.service import AccessPorts, patient_scope
from chalicelib.access.visibility import Visibility
from chalicelib.adapters.signed_documents import S3SignedDocuments
from chalicelib.appointments import domain as appointments
from chalicelib.appointments.policy import AppointmentPolicy, policy_of
from chalicelib.appointments.stores import AppointmentRequests
from chalicelib.audit.domain import Action, Actor, Outcome
from chalicelib.audit.trail import audit_event, scope_actor, write_audit
from chalicelib.checkin import printable
from chalicelib.checkin.contract import SignForm
from chalicelib.checkin.forms import FormPorts, FormTemplate, VisitType, current_forms, visit_type_for
from chalicelib.checkin.signatures import (
    SignedFormRecord,
    SignedForms,
    document_entry,
    document_id_of,
    object_key_of,
    shown_signed,
)
from chalicelib.checkin.stores import CheckIns
from chalicelib.checkin.window import NOT_HAPPENING, window
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.keys import RECORD_ID
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.observability import logger
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import SIGNED_FORM, InvalidOutboundEvent, OutboundEvent
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.records.domain import StoredResult
from chalicelib.records.stores import Records
from chalicelib.records.visible import record_view
from chalicelib.settings import Settings

APPOINTMENT_KIND = "appointment"
STALE = "This form changed; read it again."
NOT_THE_NAME = "Type your full name as your clinic has it on record."
NOT_THE_PROXYS_NAME = "Type your own full name, as your access to this record names you."
NO_PROXY_NAME = "Your access to this record has no name to sign with: please ask the clinic to add it."
# A record with more middle names than this is matched on its first ones only (the names typed
# are tried against every choice of them, full or as an initial: 3**n ways).
_MAX_MIDDLE_NAMES = 4
ALREADY_SIGNED = "Already signed: this version of the form was signed for this visit."
# Where a request carries no source address (a test client, a misconfigured proxy): an address
# that says so in the PDF's footer rather than an invented one.
UNKNOWN_IP = "0.0.0.0"
_META_SIGNED_AT = "signed-at"
_META_DIGEST = "signature-digest"


class SignaturePorts(Protocol):
    @property
    def signed_forms(self) -> SignedForms: ...


class SigningPorts(SignaturePorts, FormPorts, AccessPorts, producer.OutboundPorts, Protocol):
    @property
    def signed_documents(self) -> S3SignedDocuments: ...

    @property
    def settings(self) -> Settings: ...

    @property
    def records(self) -> Records: ...

    @property
    def patients(self) -> Patients: ...

    @property
    def checkins(self) -> CheckIns: ...

    @property
    def appointment_requests(self) -> AppointmentRequests: ...


def signatures(ports: SignaturePorts, patient_id: str, appointment_id: str) -> dict[str, dict[str, Any]]:
    """{form_id: SignedForm (the contract's shape)} of what the patient signed for this visit: per
    form, the latest version signed. Not audited here: the caller's read of the check-in is."""
    latest: dict[str, SignedFormRecord] = {}
    for record in ports.signed_forms.of_visit(patient_id, appointment_id):
        kept = latest.get(record.form_id)
        if kept is None or record.version > kept.version:
            latest[record.form_id] = record
    return {form_id: shown_signed(record) for form_id, record in latest.items()}


# -- signing --------------------------------------------------------------------------------------


def sign(
    ports: SigningPorts,
    caller: Caller,
    origin: Origin,
    patient_id: str,
    appointment_id: str,
    form_id: str,
    body: SignForm,
    now: datetime,
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.APPOINTMENTS, acts=True)
    patient = _patient(ports, scope.patient_id)
    organization = ports.directory.organization(patient.organization_id)
    zone_name = (organization.time_zone if organization else "") or DEFAULT_TIME_ZONE
    visit = _visit(ports, scope, appointment_id, now)
    visit_type, form = _asked_form(ports, patient.organization_id, visit, form_id)
    document_id = document_id_of(scope.patient_id, appointment_id, form.form_id, form.version)
    try:
        mark = ports.appointment_requests.visit_mark(scope.patient_id, appointment_id)
        cancelled_by_patient = mark is not None and mark.cancelled_at is not None
        check_window(visit, policy_of(organization), zone_name, now, cancelled_by_patient)
        if body.version != form.version or body.sha256 != form.sha256:
            raise Conflict(STALE, [{"field": "version", "issue": "stale"}])
        if ports.signed_forms.document(scope.patient_id, document_id) is not None:
            raise Conflict(ALREADY_SIGNED, [{"field": "form", "issue": "already_signed"}])
    except Conflict as refused:
        # As check-in's own refusals: the patient's access log shows a try that was turned down.
        issue = str((refused.details or [{}])[0].get("issue") or "")
        write_audit(
            ports,
            origin,
            scope_actor(caller, scope),
            "checkin.refused",
            Outcome.DENIED,
            action=Action.CREATE,
            patient_id=scope.patient_id,
            resource_type="DocumentReference",
            resource_id=appointment_id,
            reason=f"sign:{issue}",
        )
        raise
    # The PDF's makers (fpdf2, Pillow, fontTools) are imported here, not with the module: this
    # module is reached from app.py through the routes, and every cold start would pay for them.
    from chalicelib.checkin import signed_form
    from chalicelib.checkin.paper import answers_of
    from chalicelib.checkin.paper import paper as make_paper

    drawn = _png(body.signature_png)
    client_ip = origin.source_ip or UNKNOWN_IP
    digest = _signature_digest(body, drawn, client_ip, caller.account_id)
    key = object_key_of(document_id)
    stored = ports.signed_documents.stored(key)
    signed_at = now
    if stored is not None and stored.metadata.get(_META_DIGEST) == digest:
        # A retry of a signing whose record was never written: the same signature, so the same time.
        signed_at = _read_time(stored.metadata.get(_META_SIGNED_AT, "")) or now
    answers = answers_of(ports, scope.patient_id, appointment_id, visit_type)
    by = acted_by(ports.proxy_grants, scope)
    acting_as = by.relationship_words if by else ""
    paper = make_paper(document_id, form, body, drawn, signed_at, zone_name, client_ip, patient, answers, acting_as)
    # After the paper is made: a name the PDF cannot print is refused as such first.
    check_typed_name(patient, body.typed_name, by)
    pdf = signed_form.render(paper)
    pdf_sha256 = signed_form.sha256_of(pdf)
    retain_until = signed_at + timedelta(days=ports.settings.signed_form_lock_days)
    if stored is not None and stored.sha256 == pdf_sha256:
        version_id = stored.version_id  # the very bytes are there already, under lock
    else:
        version_id = ports.signed_documents.put_locked(
            key,
            pdf,
            pdf_sha256,
            retain_until,
            ports.settings.signed_form_lock_mode,
            # Ids and digests only: object metadata is readable by whoever may list the bucket.
            {_META_SIGNED_AT: signed_at.isoformat(), _META_DIGEST: digest, "document-id": document_id},
        )
    record = SignedFormRecord(
        document_id=document_id,
        patient_id=scope.patient_id,
        organization_id=patient.organization_id,
        appointment_id=appointment_id,
        form_id=form.form_id,
        title=form.title,
        kind=form.kind,
        version=form.version,
        form_sha256=form.sha256,
        signed_at=signed_at,
        time_zone=zone_name,
        signed_name=body.typed_name,
        has_drawn_signature=drawn is not None,
        client_ip=client_ip,
        signed_by=caller.account_id,
        pdf_sha256=pdf_sha256,
        size_bytes=len(pdf),
        object_key=key,
        object_version=version_id,
        retain_until=retain_until,
        acted_by=by,
        signed_for=patient.shown_name if by else "",
    )
    event = _document_reference(  # noqa: S324 (SHA-1: the digest FHIR's Attachment.hash is)
        patient, organization, record, hashlib.sha1(pdf).hexdigest(), now, caller.account_id
    )
    audit = audit_event(
        ports,
        origin,
        scope_actor(caller, scope),
        "checkin.form_signed",
        action=Action.CREATE,
        patient_id=scope.patient_id,
        resource_type="DocumentReference",
        resource_id=document_id,
        reason=f"form:{form.form_id} v{form.version}",
    )
    ports.signed_forms.add(record, document_entry(record), event, audit)
    if event is not None:
        producer.send_now(ports, event)
    return shown_signed(record)


def check_window(
    visit: StoredResult, policy: AppointmentPolicy, zone_name: str, now: datetime, cancelled_by_patient: bool = False
) -> None:
    """409 outside the visit's check-in window (checkin.window: from ``policy.checkin_opens_days``
    days before its start until the start, on the organization's calendar, as the check-in's own
    state says); a cancelled visit (by the feed, or by the patient in the portal: the mark the
    portal keeps beside the entry, which the feed may not reflect yet), or one with no known
    start, is closed."""
    starts = appointments.moment(str(visit.content.get("starts_at") or ""), zone_name)
    status = appointments.status_of(str(visit.content.get("status") or ""))
    if cancelled_by_patient or status in NOT_HAPPENING or visit.withdrawn:
        raise Conflict(
            "This visit is cancelled: there is nothing to check in for.",
            [{"field": "appointment", "issue": "cancelled"}],
        )
    if starts is None:
        raise Conflict(
            "This visit has no start time: check in at the front desk.", [{"field": "appointment", "issue": "closed"}]
        )
    state, opens_at, _ = window(policy, starts, now, zone_name)
    if state == "not_open":
        raise Conflict(
            f"Check-in opens on {opens_at.day} {opens_at:%B %Y} at {opens_at:%H:%M} {opens_at.tzname()}.",
            [{"field": "appointment", "issue": "not_open_yet"}],
        )
    if state == "closed":
        raise Conflict(
            "Check-in has closed: the visit has started. Please see the front desk.",
            [{"field": "appointment", "issue": "closed"}],
        )


# -- reading a signed form ------------------------------------------------------------------------


def patient_signed_form(
    ports: SigningPorts, caller: Caller, origin: Origin, patient_id: str, document_id: str
) -> dict[str, Any]:
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.DOCUMENTS)
    return _with_link(ports, scope_actor(caller, scope), origin, scope.patient_id, document_id, scope)


def staff_signed_form(
    ports: SigningPorts, caller: Caller, origin: Origin, patient_id: str, document_id: str
) -> dict[str, Any]:
    # The one access check: a patient of another organization is not found, and the refusal audited.
    scope = patient_scope(ports, caller, origin, patient_id, area=Area.DOCUMENTS)
    return _with_link(ports, scope_actor(caller, scope), origin, scope.patient_id, document_id)


def _with_link(
    ports: SigningPorts,
    actor: Actor,
    origin: Origin,
    patient_id: str,
    document_id: str,
    scope: PatientScope | None = None,
) -> dict[str, Any]:
    record = ports.signed_forms.document(patient_id, document_id) if RECORD_ID.fullmatch(document_id) else None
    # (a signed form is dated by its signing: one signed from a parent's cutoff on is not theirs to see)
    if record is None or (scope is not None and not Visibility(ports, scope).shows(record.signed_at)):
        raise NotFound("No such signed form.")
    link = ports.signed_documents.presigned_version(
        record.object_key, record.object_version, f"signed-form-{record.document_id}.pdf"
    )
    write_audit(
        ports,
        origin,
        actor,
        "checkin.signed_form.read",
        action=Action.READ,
        patient_id=patient_id,
        resource_type="DocumentReference",
        resource_id=document_id,
    )
    return shown_signed(record, link)


# -- helpers --------------------------------------------------------------------------------------


def _patient(ports: SigningPorts, patient_id: str) -> Patient:
    patient = ports.patients.get(patient_id)
    if patient is None:  # merged away after the access check: as for any unknown patient
        raise NotFound("No such patient.")
    return patient


def _visit(ports: SigningPorts, scope: PatientScope, appointment_id: str, now: datetime) -> StoredResult:
    found = ports.records.current(scope.patient_id, appointment_id, APPOINTMENT_KIND) if appointment_id else None
    if found is None or not found.shown_to_patient(now) or not record_view(ports, scope).shows_item(found):
        raise NotFound("No such appointment.")
    return found


def _asked_form(
    ports: SigningPorts, organization_id: str, visit: StoredResult, form_id: str
) -> tuple[VisitType, FormTemplate]:
    visit_type = visit_type_for(ports, organization_id, str(visit.content.get("type") or ""))
    asked = current_forms(ports, organization_id, list(visit_type.form_ids) if visit_type else [])
    for form in asked:
        if visit_type is not None and form.form_id == form_id:
            return visit_type, form
    raise NotFound("This visit does not ask for this form.")


def _png(encoded: str | None) -> bytes | None:
    if encoded is None:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            "The drawn signature is not a picture we can read.", [{"field": "signature_png"}]
        ) from None


def _signature_digest(body: SignForm, drawn: bytes | None, client_ip: str, account_id: str) -> str:
    parts = [
        body.typed_name,
        str(body.version),
        body.sha256,
        client_ip,
        account_id,
        hashlib.sha256(drawn or b"").hexdigest(),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _read_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _document_reference(
    patient: Patient, organization: Any, record: SignedFormRecord, sha1: str, now: datetime, account_id: str = ""
) -> OutboundEvent | None:
    """The DocumentReference of the signed PDF, or None when the patient has no MRN under the
    organization's authority: the clinical systems could not file it, and the signing still counts."""
    try:
        subject = fhir.patient_identifier(patient.identifiers, organization.mrn_authority if organization else "")
        resource = fhir.signed_form(
            document_id=record.document_id,
            patient=subject,
            title=record.title,
            signed=record.signed_at,
            sha1=sha1,
            sha256=record.pdf_sha256,
            size=record.size_bytes,
            author=fhir.related_person_author(account_id, record.acted_by.label) if record.acted_by else None,
        )
        return producer.event(
            f"signed-form-{record.document_id}", record.patient_id, SIGNED_FORM, resource, subject.system, now
        )
    except InvalidOutboundEvent:
        logger.warning("signed form kept without an outbound DocumentReference", document_id=record.document_id)
        return None


# -- the typed name -------------------------------------------------------------------------------


def check_typed_name(patient: Patient, typed_name: str, by: ActedBy | None = None) -> None:
    """A typed name signs only when it is the patient's name on record: the first given name and
    the family name (either order), with any of the middle names in between (full, or as an
    initial) or none, compared without case, accents, spaces or punctuation. Anything else, say
    another person's name, is refused (400 naming ``typed_name``); the words never quote the
    record's name, which the caller may not know (a shared device).

    Someone acting for the patient (``by``) signs as themselves, never in the patient's name: the
    typed name must be theirs as their grant names them, compared the same way (the grant's name
    read as given names then a family name)."""
    if by is not None:
        words = by.name.split()
        if not words:
            raise ValidationFailed(NO_PROXY_NAME, [{"field": "typed_name", "issue": "no_proxy_name"}])
        if printable.problem(by.name):
            return  # as for a chart name the PDF cannot print: no transliteration to compare against
        if _folded(typed_name) not in _ways(words[:-1], words[-1]):
            raise ValidationFailed(NOT_THE_PROXYS_NAME, [{"field": "typed_name", "issue": NOT_THE_PROXYS_NAME}])
        return
    if printable.problem(patient.shown_name):
        # A chart name in a script the signed PDF cannot print (Chinese, Arabic ...) cannot be
        # typed so that the PDF carries it: the PDF prints "(name as on record)" beside the name
        # as typed (checkin/paper.py), and any printable name is taken. There is no
        # transliteration to compare against.
        return
    if _folded(typed_name) not in _ways_to_write(patient):
        raise ValidationFailed(NOT_THE_NAME, [{"field": "typed_name", "issue": NOT_THE_NAME}])


def _folded(text: str) -> str:
    """Letters and digits only, accents dropped, case folded: "Núñez-O'Brien " is "nunezobrien"."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold() if c.isalnum())


def _ways_to_write(patient: Patient) -> set[str]:
    return _ways(patient.given_names, patient.family_name)


def _ways(given_names: Any, family_name: str) -> set[str]:
    given = [_folded(name) for name in given_names]
    given = [name for name in given if name]
    family = _folded(family_name)
    first, middles = (given[0], given[1 : 1 + _MAX_MIDDLE_NAMES]) if given else ("", [])
    ways: set[str] = set()
    for count in range(len(middles) + 1):
        for chosen in combinations(middles, count):
            for spelled in product(*[(name, name[0]) for name in chosen]):
                middle = "".join(spelled)
                ways.add(first + middle + family)
                ways.add(family + first + middle)
    ways.discard("")
    return ways
