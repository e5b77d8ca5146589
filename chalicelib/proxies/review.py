"""Staff's review of proxy requests: the organization's two queues, one request beside its
documents and signed form, the match to a patient's record, and the decision.

Staff reach their own organization's requests only: a request is read from the caller's
organization's queue partition, so another's is simply not there (404); a draft is not there
either (nobody reviews what was not signed). Approving makes the grant in the same transaction as
the request's change, with the requester's notice, the patient's (when their consent is asked),
the outbound QuestionnaireResponse and the audit event: a grant never exists without its approved
request, nor the reverse.

The age rule is checked again on the matched record, whatever the requester typed: a parent's
grant shows the child's record only until the 12th birthday (the organization's clock), and a
guardian's or agent's is for an adult only and ends (a year on, unless staff say otherwise).
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from chalicelib.access.domain import Area
from chalicelib.audit.domain import Action
from chalicelib.audit.trail import audit_event, caller_actor, write_audit
from chalicelib.errors import Conflict, NotFound, ValidationFailed
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.keys import new_id
from chalicelib.kernel.origin import Origin
from chalicelib.observability import logger
from chalicelib.outbound import fhir, producer
from chalicelib.outbound.domain import QUESTIONNAIRE_RESPONSE, InvalidOutboundEvent, OutboundEvent
from chalicelib.patients.domain import Identifier, Patient
from chalicelib.proxies import requests as moves
from chalicelib.proxies.domain import (
    FOR_MINORS,
    PROXY_AREAS,
    ROLE_CODES,
    Access,
    GrantStatus,
    ProxyGrant,
    default_adult_end,
    grant_areas,
    refusal_for_age,
    twelfth_birthday,
)
from chalicelib.proxies.grant_timers import schedule_grant_timers
from chalicelib.proxies.request_contract import ApproveProxyRequest, DenyProxyRequest, MatchProxyRequest
from chalicelib.proxies.request_form import FORM_VERSION
from chalicelib.proxies.request_parts import (
    NO_DOCUMENT,
    NO_REQUEST,
    RequestPorts,
    moving,
    patient_notice,
    patient_of,
    requester_notice,
    staff_shown,
    valid_id,
    zone_of,
)
from chalicelib.proxies.requests import DocumentStatus, ProxyRequest, RequestStatus
from chalicelib.proxies.stores import ProxyGrants
from chalicelib.proxies.views import grant_view
from chalicelib.records.links import inline_type
from chalicelib.release import outbox

LINK_SECONDS = 5 * 60  # a link to a legal document is a bearer token: five minutes
NOT_MATCHED = "Match this request to a patient's record first."
DECEASED = "This patient is recorded as deceased: no new proxy access can be given."
OWN_RECORD = "The requester cannot be given proxy access to their own record."
# Only a grant still waiting refuses: one in force is replaced by the approval (staff widen or
# narrow it by approving the new request), so it is never two grants for one person and record.
HAS_ACCESS = (
    "This person's access to this record is already waiting for the patient's consent. "
    "Wait for the patient's answer, or deny this request."
)
REPLACED = "replaced"
PAST_END = "The end date must be after today."
# The Questionnaire the outbound QuestionnaireResponse answers: the form, at its version.
QUESTIONNAIRE = "urn:patient-portal:questionnaire:proxy-access-request"
ROLE_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"


class ReviewPorts(RequestPorts, Protocol):
    @property
    def proxy_grants(self) -> ProxyGrants: ...


def queue(
    ports: RequestPorts, caller: Caller, origin: Origin, queue_name: str, limit: int, cursor: str, now: datetime
) -> dict[str, Any]:
    found, next_cursor = ports.proxy_requests.queue_page(caller.organization_id, queue_name, limit, cursor)
    # The page shows names and birth dates: a read of each matched patient's record, audited on
    # their trail (so their access log shows it), and the page itself on the caller's.
    for patient_id in dict.fromkeys(r.matched_patient_id for r in found if r.matched_patient_id):
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "proxy_request_queue.read",
            action=Action.READ,
            patient_id=patient_id,
            resource_type="QuestionnaireResponse",
            reason=f"{queue_name}",
        )
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "proxy_request_queue.read",
        action=Action.READ,
        resource_type="QuestionnaireResponse",
        reason=f"{queue_name} count:{len(found)}",
    )
    return {"requests": [staff_shown(ports, r, now) for r in found], "next_cursor": next_cursor or None}


def staff_request(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, now: datetime
) -> dict[str, Any]:
    request = of_organization(ports, caller, request_id)
    _audit_now(ports, caller, origin, "proxy_request.read", request, Action.READ)
    return staff_shown(ports, request, now)


def match(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, body: MatchProxyRequest, now: datetime
) -> dict[str, Any]:
    """Name the record the request is about: by its id, or by its record number (MRN) under the
    organization's authority. A record of another organization is not found."""
    if (body.patient_id is None) == (body.mrn is None):
        raise ValidationFailed("Give patient_id or mrn, one of them.", [{"field": "patient_id"}, {"field": "mrn"}])
    request = of_organization(ports, caller, request_id)
    if body.patient_id is not None:
        patient = patient_of(ports, caller.organization_id, body.patient_id)
    else:
        organization = ports.directory.organization(caller.organization_id)
        authority = organization.mrn_authority if organization else ""
        found = (
            ports.patients.by_identifier(caller.organization_id, Identifier(authority, body.mrn or ""))
            if authority
            else None
        )
        patient = patient_of(ports, caller.organization_id, found.patient_id if found else "")
    changed = moving(lambda: moves.matched(request, patient.patient_id, now))
    ports.proxy_requests.change(changed, _event(ports, caller, origin, "proxy_request.matched", changed))
    return staff_shown(ports, changed, now)


def approve(
    ports: ReviewPorts, caller: Caller, origin: Origin, request_id: str, body: ApproveProxyRequest, now: datetime
) -> dict[str, Any]:
    request = of_organization(ports, caller, request_id)
    if request.status is not RequestStatus.SUBMITTED:
        raise Conflict(moves.NOT_WAITING, [{"field": "request", "issue": "not_waiting"}])
    if not request.matched_patient_id:
        raise Conflict(NOT_MATCHED, [{"field": "patient", "issue": "not_matched"}])
    patient = patient_of(ports, caller.organization_id, request.matched_patient_id)
    zone_name = zone_of(ports, caller.organization_id)
    held = _check_standing(ports, request, patient, zone_name, now)
    grant = grant_for(request, patient, body, zone_name, now)
    # The grant in force this approval replaces ends in the same transaction as the new one is
    # made: the person never holds two, nor is left with none in between.
    replaced = (
        dataclasses.replace(
            held, status=GrantStatus.ENDED, ended_at=now, ended_by=caller.account_id, end_reason=REPLACED
        )
        if held is not None
        else None
    )
    changed = moving(lambda: moves.approved(request, grant, caller.account_id, now))
    notices = [requester_notice(changed, now)]
    asked = patient_notice(patient, grant, now) if grant.status is GrantStatus.AWAITING_CONSENT else None
    if asked is not None:
        notices.append(asked)
    event = questionnaire_response(ports, changed, patient, now)
    audit = audit_event(
        ports,
        origin,
        caller_actor(caller),
        "proxy_request.approved",
        action=Action.CREATE,
        patient_id=patient.patient_id,
        resource_type="Consent",
        resource_id=grant.grant_id,
        reason=f"request:{changed.request_id} {grant.status.value}"
        + (f" replaces:{replaced.grant_id}" if replaced is not None else ""),
    )
    ports.proxy_requests.change(changed, audit, tuple(notices), event, grant, changed_grant=replaced)
    if grant.status is GrantStatus.ACTIVE:
        # In force from now (a child's, or an adult's who cannot consent): its cutoff's or end
        # date's timer tells the proxy and the clinic when the time comes. One waiting for consent
        # starts its timers when the patient agrees.
        schedule_grant_timers(ports, grant, now)
    if event is not None:
        producer.send_now(ports, event)
    for notice in notices:
        outbox.send_now(ports, notice, now)
    return {"request": staff_shown(ports, changed, now), "grant": grant_view(grant)}


def deny(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, body: DenyProxyRequest, now: datetime
) -> dict[str, Any]:
    """Deny with a reason the requester reads in the portal (never in the email)."""
    request = of_organization(ports, caller, request_id)
    changed = moving(lambda: moves.denied(request, body.reason, caller.account_id, now))
    notice = requester_notice(changed, now)
    ports.proxy_requests.change(changed, _event(ports, caller, origin, "proxy_request.denied", changed), (notice,))
    outbox.send_now(ports, notice, now)
    return staff_shown(ports, changed, now)


def document_link(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, document_id: str, now: datetime
) -> dict[str, Any]:
    request = of_organization(ports, caller, request_id)
    document = request.document(document_id) if valid_id(document_id) else None
    if document is None or document.status is not DocumentStatus.READY:
        raise NotFound(NO_DOCUMENT)
    # The stored object carries its type and download name (set when it was checked), so the
    # file's name is in no URL, log or browser history. Staff read a PDF, PNG or JPEG beside the
    # request, in a frame or an image, so its link says "inline" (the stored "attachment" would
    # make the frame download it) and names the type the upload was sniffed to be; anything else
    # keeps the stored headers and downloads.
    shown = inline_type(document.content_type)
    if shown:
        url = ports.attachment_files.presigned_get(
            document.object_key, LINK_SECONDS, content_type=shown, disposition="inline"
        )
    else:
        url = ports.attachment_files.presigned_get(document.object_key, LINK_SECONDS)
    _audit_now(ports, caller, origin, "proxy_request.document_read", request, Action.READ, f"document:{document_id}")
    return {"url": url, "expires_at": iso(now + timedelta(seconds=LINK_SECONDS))}


def signed_form_link(
    ports: RequestPorts, caller: Caller, origin: Origin, request_id: str, now: datetime
) -> dict[str, Any]:
    request = of_organization(ports, caller, request_id)
    if request.signed is None:
        raise NotFound("This request has no signed form.")
    url = ports.signed_documents.presigned_version(
        request.signed.object_key, request.signed.object_version, f"proxy-request-{request.request_id}.pdf"
    )
    _audit_now(ports, caller, origin, "proxy_request.signed_form_read", request, Action.READ)
    return {"url": url, "expires_at": iso(now + timedelta(seconds=LINK_SECONDS))}


# -- the grant ------------------------------------------------------------------------------------


def _check_standing(
    ports: ReviewPorts, request: ProxyRequest, patient: Patient, zone_name: str, now: datetime
) -> ProxyGrant | None:
    """Refuses what the rules refuse; returns the requester's grant in force for this patient,
    which the approval replaces (None when there is none)."""
    refusal = refusal_for_age(request.relationship, patient.birth_date, zone_name, now)
    if refusal:
        raise Conflict(refusal, [{"field": "relationship", "issue": "age"}])
    if patient.deceased:
        raise Conflict(DECEASED, [{"field": "patient", "issue": "deceased"}])
    requester = ports.directory.account(request.requester_account_id)
    if requester is not None and requester.patient_id == patient.patient_id:
        raise Conflict(OWN_RECORD, [{"field": "patient", "issue": "own_record"}])
    held = [g for g in ports.proxy_grants.of_proxy(request.requester_account_id) if g.patient_id == patient.patient_id]
    if any(g.status in (GrantStatus.AWAITING_CONSENT, GrantStatus.INVITED) for g in held):
        raise Conflict(HAS_ACCESS, [{"field": "patient", "issue": "has_access"}])
    return next((g for g in held if g.in_force(now)), None)


def grant_for(
    request: ProxyRequest, patient: Patient, body: ApproveProxyRequest, zone_name: str, now: datetime
) -> ProxyGrant:
    """The grant an approval makes. A child's: everything a proxy may see, up to the start of the
    12th birthday of the MATCHED record, no end unless staff give one; the child does not consent.
    An adult's: the areas staff allow (else those asked, else all), an end (a year unless staff
    give a date), waiting for the patient's consent when they can decide."""
    ends_at = _end_of_day(body.ends_at, zone_name) if body.ends_at is not None else None
    if ends_at is not None and ends_at <= now:
        raise ValidationFailed(PAST_END, [{"field": "ends_at", "issue": "not after today"}])
    minor = request.relationship in FOR_MINORS
    if minor:
        areas: frozenset[Area] = PROXY_AREAS
        visible_until = twelfth_birthday(patient.birth_date, zone_name)
        status = GrantStatus.ACTIVE
    else:
        asked = frozenset(Area(a) for a in body.areas) if body.areas is not None else request.areas
        if body.areas is not None and not body.areas:
            raise ValidationFailed("Choose at least one area.", [{"field": "areas", "issue": "choose at least one"}])
        areas = grant_areas(request.relationship, asked)
        visible_until = None
        ends_at = ends_at or default_adult_end(now)
        status = GrantStatus.AWAITING_CONSENT if body.patient_can_consent else GrantStatus.ACTIVE
    return ProxyGrant(
        grant_id=new_id(),
        patient_id=patient.patient_id,
        organization_id=patient.organization_id,
        proxy_account_id=request.requester_account_id,
        relationship=request.relationship,
        access=Access(body.access),
        areas=frozenset(areas),
        starts_at=now,
        ends_at=ends_at,
        visible_until=visible_until,
        status=status,
        created_at=now,
        request_id=request.request_id,
        proxy_name=request.requester_name,
        # As the proxy's switcher names the patient: their first given name.
        patient_name=(patient.given_names[0] if patient.given_names else patient.family_name),
    )


def _end_of_day(day: date, zone_name: str) -> datetime:
    """The last day of access, to its end on the organization's clock."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=ZoneInfo(zone_name))


def questionnaire_response(
    ports: RequestPorts, request: ProxyRequest, patient: Patient, now: datetime
) -> OutboundEvent | None:
    """The approved request as a FHIR QuestionnaireResponse for the clinical systems, filed on the
    matched patient's chart (the requester as its author, a RelatedPerson). None when the patient
    has no record number under the organization's authority: nothing could file it; the approval
    still counts."""
    organization = ports.directory.organization(patient.organization_id)
    try:
        subject = fhir.patient_identifier(patient.identifiers, organization.mrn_authority if organization else "")
        code, display = ROLE_CODES[request.relationship]
        answers = [
            fhir.Answer("relationship", [fhir.Coded(ROLE_SYSTEM, code, display)], "Relationship to the patient"),
            fhir.Answer("requester-name", [request.requester_name], "Requester's name"),
            fhir.Answer("access", [request.access.value], "Access asked for"),
            fhir.Answer(
                "documents",
                [d.kind.value for d in request.documents if d.status is DocumentStatus.READY] or ["none"],
                "Documents uploaded",
            ),
            fhir.Answer("form-signed", [True], "Signed the Proxy Access Request and Authorization Form"),
        ]
        if request.requester_phone:
            answers.append(fhir.Answer("requester-phone", [request.requester_phone], "Requester's phone"))
        if request.areas is not None:
            answers.append(fhir.Answer("areas", sorted(a.value for a in request.areas), "Areas of the record"))
        if request.signed is not None:
            answers.append(fhir.Answer("signed-form-sha256", [request.signed.sha256], "SHA-256 of the signed PDF"))
        resource = fhir.questionnaire_response(
            response_id=request.request_id,
            questionnaire=f"{QUESTIONNAIRE}|{FORM_VERSION}",
            patient=subject,
            authored=request.signed_at or now,
            answers=answers,
            author={
                "type": "RelatedPerson",
                "identifier": {"system": fhir.ACCOUNT_SYSTEM, "value": request.requester_account_id},
                "display": request.requester_name,
            },
        )
        return producer.event(
            f"proxy-request-{request.request_id}",
            patient.patient_id,
            QUESTIONNAIRE_RESPONSE,
            resource,
            subject.system,
            now,
        )
    except InvalidOutboundEvent:
        logger.warning(
            "proxy request approved without an outbound QuestionnaireResponse", request_id=request.request_id
        )
        return None


# -- helpers --------------------------------------------------------------------------------------


def of_organization(ports: RequestPorts, caller: Caller, request_id: str) -> ProxyRequest:
    found = ports.proxy_requests.of_organization(caller.organization_id, request_id) if valid_id(request_id) else None
    if found is None or found.submitted_at is None:  # nobody reviews what was never signed
        raise NotFound(NO_REQUEST)
    return found


def _event(ports: RequestPorts, caller: Caller, origin: Origin, event_type: str, request: ProxyRequest) -> Any:
    """On the matched patient's trail once there is one (their access log shows it), else the caller's."""
    return audit_event(
        ports,
        origin,
        caller_actor(caller),
        event_type,
        action=Action.UPDATE,
        patient_id=request.matched_patient_id,
        resource_type="QuestionnaireResponse",
        resource_id=request.request_id,
    )


def _audit_now(
    ports: RequestPorts,
    caller: Caller,
    origin: Origin,
    event_type: str,
    request: ProxyRequest,
    action: Action,
    reason: str = "",
) -> None:
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        event_type,
        action=action,
        patient_id=request.matched_patient_id,
        resource_type="QuestionnaireResponse",
        resource_id=request.request_id,
        reason=reason,
    )
