"""The pure rules of proxy access requests: the moves a request may make and who sees it where,
the signed form, the name that signs, the documents that count, the grant an approval makes (a
child's up to the 12th birthday of the matched record, an adult's with an end and the patient's
consent), what the signed PDF prints, what the API refuses, and the QuestionnaireResponse sent."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from chalicelib.access.domain import PROXY_AREAS, Area
from chalicelib.errors import ValidationFailed
from chalicelib.outbound import fhir
from chalicelib.patients.domain import Identifier, Patient, PortalStatus
from chalicelib.proxies import request_form
from chalicelib.proxies import requests as moves
from chalicelib.proxies.domain import Access, DocumentKind, GrantStatus, Relationship
from chalicelib.proxies.request_contract import ApproveProxyRequest, NewProxyRequest, SignProxyRequest
from chalicelib.proxies.request_service import answers_of
from chalicelib.proxies.requests import (
    DocumentStatus,
    ProxyDocument,
    ProxyRequest,
    RefusedMove,
    RequestedPatient,
    RequestStatus,
    SignedPaper,
    queue_of,
    same_name,
)
from chalicelib.proxies.review import grant_for, grant_view

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)
NEW_YORK = "America/New_York"
SIGNED = SignedPaper("signed-forms/proxy-requests/r.pdf", "v1", "a" * 64, 1000, "2026-1", "Ana Núñez", True)


def request(relationship=Relationship.PARENT, **changes) -> ProxyRequest:
    base = ProxyRequest(
        request_id="r" * 32,
        requester_account_id="acct-ana",
        organization_id="albany-medical-center",
        organization_name="Albany Medical Center",
        relationship=relationship,
        patient=RequestedPatient("Emma", "Núñez", "2018-05-02"),
        requester_name="Ana Núñez",
        requester_phone="",
        access=Access.FULL,
        areas=None,
        note="",
        status=RequestStatus.DRAFT,
        created_at=NOW,
        updated_at=NOW,
    )
    return dataclasses.replace(base, **changes)


def document(kind=DocumentKind.BIRTH_CERTIFICATE, status=DocumentStatus.READY) -> ProxyDocument:
    return ProxyDocument("d" * 32, kind, "certificate.pdf", "application/pdf", 100, status, "k", NOW)


def patient(birth_date: str, **changes) -> Patient:
    base = Patient(
        patient_id="p" * 32,
        organization_id="albany-medical-center",
        identifiers=(Identifier("AMC-MRN", "MRN-3003"),),
        family_name="Núñez",
        given_names=("Emma", "Rose"),
        birth_date=birth_date,
        sex="female",
        email="",
        portal_status=PortalStatus.NOT_INVITED,
        account_id="",
        created_at=NOW,
    )
    return dataclasses.replace(base, **changes)


def approve(**changes) -> ApproveProxyRequest:
    return ApproveProxyRequest.model_validate({"access": "full", "patient_can_consent": False, **changes})


# -- the moves ------------------------------------------------------------------------------------


def test_a_draft_takes_documents_and_a_signature_and_then_nothing_more():
    draft = request()
    with_file = moves.with_documents(draft, (document(),), NOW)
    assert with_file.version == draft.version + 1 and with_file.documents == (document(),)

    sent = moves.submitted(with_file, SIGNED, NOW)

    assert (sent.status, sent.signed_at, sent.submitted_at, sent.signed) == (RequestStatus.SUBMITTED, NOW, NOW, SIGNED)
    with pytest.raises(RefusedMove) as refused:
        moves.with_documents(sent, (), NOW)
    assert refused.value.issue == "not_draft"
    with pytest.raises(RefusedMove):
        moves.submitted(sent, SIGNED, NOW)


def test_a_request_may_be_withdrawn_until_staff_decide():
    assert moves.withdrawn(request(), NOW).status is RequestStatus.WITHDRAWN
    sent = moves.submitted(request(), SIGNED, NOW)
    assert moves.withdrawn(sent, NOW).status is RequestStatus.WITHDRAWN
    denied = moves.denied(sent, "Not named on the certificate.", "acct-staff", NOW)
    with pytest.raises(RefusedMove) as refused:
        moves.withdrawn(denied, NOW)
    assert refused.value.issue == "closed"


def test_staff_decide_only_what_waits_for_them():
    with pytest.raises(RefusedMove):
        moves.denied(request(), "No.", "acct-staff", NOW)  # a draft is not theirs to decide
    with pytest.raises(RefusedMove):
        moves.matched(request(), "p" * 32, NOW)
    sent = moves.submitted(request(), SIGNED, NOW)
    denied = moves.denied(sent, "Not named on the certificate.", "acct-staff", NOW)
    assert (denied.decision_reason, denied.decided_by, denied.decided_at) == (
        "Not named on the certificate.",
        "acct-staff",
        NOW,
    )
    with pytest.raises(RefusedMove):
        moves.denied(denied, "Again.", "acct-staff", NOW)


def test_staff_queues_hold_only_signed_requests():
    draft = request()
    sent = moves.submitted(draft, SIGNED, NOW)
    assert queue_of(draft) == "draft"
    assert queue_of(moves.withdrawn(draft, NOW)) == "draft"  # never signed: on no staff queue
    assert queue_of(sent) == "to_do"
    assert queue_of(moves.withdrawn(sent, NOW)) == "done"
    assert queue_of(moves.denied(sent, "No.", "s", NOW)) == "done"


def test_an_approval_waits_for_consent_when_its_grant_does():
    sent = moves.submitted(request(Relationship.HEALTH_CARE_AGENT), SIGNED, NOW)
    grant = grant_for(sent, patient("1950-02-01"), approve(patient_can_consent=True), NEW_YORK, NOW)

    approved = moves.approved(sent, grant, "acct-staff", NOW)

    assert approved.status is RequestStatus.AWAITING_CONSENT and approved.grant_id == grant.grant_id


# -- the name, the documents, the form ------------------------------------------------------------


def test_the_typed_name_is_compared_without_case_accents_or_punctuation():
    assert same_name("ana nunez", "Ana Núñez")
    assert same_name(" ANA  NÚÑEZ ", "Ana Núñez")
    assert not same_name("Maria Lopez", "Ana Núñez")
    assert not same_name("...", "")


def test_only_checked_documents_count():
    guardian = request(Relationship.GUARDIAN_OF_ADULT)
    assert guardian.missing() == ["court order or letters of guardianship"]
    waiting = dataclasses.replace(guardian, documents=(document(DocumentKind.COURT_ORDER, DocumentStatus.WAITING),))
    refused = dataclasses.replace(guardian, documents=(document(DocumentKind.COURT_ORDER, DocumentStatus.REFUSED),))
    ready = dataclasses.replace(guardian, documents=(document(DocumentKind.COURT_ORDER),))
    assert waiting.missing() == refused.missing() == ["court order or letters of guardianship"]
    assert ready.missing() == []
    # A parent's birth certificate does not make a guardian of an adult
    wrong = dataclasses.replace(guardian, documents=(document(DocumentKind.BIRTH_CERTIFICATE),))
    assert wrong.missing() == ["court order or letters of guardianship"]


def test_the_form_has_a_version_and_a_stable_digest_and_states_the_rules():
    shown = request_form.shown()
    assert shown["version"] == request_form.FORM_VERSION and shown["title"] == request_form.FORM_TITLE
    assert request_form.form_sha256() == request_form.form_sha256() and len(request_form.form_sha256()) == 64
    for rule in ("12th birthday", "42 CFR Part 2", "court-ordered guardian", "end date"):
        assert rule in shown["text"], rule


def test_the_signed_pdf_prints_what_was_asked_and_only_checked_files():
    asked = dataclasses.replace(
        request(),
        documents=(
            document(),
            dataclasses.replace(document(DocumentKind.OTHER, DocumentStatus.REFUSED), file_name="x"),
        ),
        requester_phone="518-555-0100",
    )

    answers = dict(answers_of(asked))

    assert answers["Relationship to the patient"] == "Parent of a child under 12"
    assert answers["Documents"] == "birth certificate: certificate.pdf"
    assert answers["Requester's phone"] == "518-555-0100"
    assert answers["Areas of the record"] == "Everything a proxy may see"


# -- the grant an approval makes ------------------------------------------------------------------


def test_a_childs_grant_shows_the_record_up_to_the_12th_birthday_of_the_matched_record():
    # GIVEN the request said 2018-05-02 but the record staff matched was born 2017-09-30
    grant = grant_for(request(), patient("2017-09-30"), approve(patient_can_consent=True), NEW_YORK, NOW)

    assert grant.visible_until == datetime(2029, 9, 30, 0, 0, tzinfo=ZoneInfo(NEW_YORK))
    assert grant.areas == PROXY_AREAS and grant.ends_at is None
    assert grant.status is GrantStatus.ACTIVE  # a child does not consent
    assert (grant.patient_name, grant.proxy_name, grant.request_id) == ("Emma", "Ana Núñez", "r" * 32)
    assert grant.scope(NOW).shows(datetime(2029, 9, 29, 23, 0, tzinfo=ZoneInfo(NEW_YORK)))
    assert not grant.scope(NOW).shows(datetime(2029, 9, 30, 0, 0, tzinfo=ZoneInfo(NEW_YORK)))
    # The parent acts for the child until the birthday; from its first moment on, only reads
    assert not grant.scope(datetime(2029, 9, 29, 23, 59, tzinfo=ZoneInfo(NEW_YORK))).read_only
    assert grant.scope(datetime(2029, 9, 30, 0, 0, tzinfo=ZoneInfo(NEW_YORK))).read_only


def test_a_childs_grant_may_be_given_an_end_day_which_runs_to_its_end():
    grant = grant_for(request(), patient("2017-09-30"), approve(ends_at="2027-06-30"), NEW_YORK, NOW)
    assert grant.ends_at == datetime(2027, 7, 1, 0, 0, tzinfo=ZoneInfo(NEW_YORK))
    with pytest.raises(ValidationFailed) as refused:
        grant_for(request(), patient("2017-09-30"), approve(ends_at="2026-12-04"), NEW_YORK, NOW)
    assert refused.value.details == [{"field": "ends_at", "issue": "not after today"}]


def test_an_adults_grant_ends_in_a_year_covers_what_staff_allow_and_waits_for_consent():
    agent = request(Relationship.HEALTH_CARE_AGENT, areas=frozenset({Area.MESSAGES, Area.APPOINTMENTS}))
    adult = patient("1950-02-01")

    asked = grant_for(agent, adult, approve(patient_can_consent=True, access="read_only"), NEW_YORK, NOW)
    narrowed = grant_for(agent, adult, approve(areas=["messages"]), NEW_YORK, NOW)

    assert asked.ends_at == NOW + timedelta(days=365) and asked.visible_until is None
    assert asked.areas == {Area.MESSAGES, Area.APPOINTMENTS} and asked.access is Access.READ_ONLY
    assert asked.status is GrantStatus.AWAITING_CONSENT and not asked.in_force(NOW)
    assert narrowed.areas == {Area.MESSAGES} and narrowed.status is GrantStatus.ACTIVE and narrowed.in_force(NOW)
    view = grant_view(asked)
    assert (view["given_by"], view["status"], view["areas"]) == (
        "staff",
        "awaiting_consent",
        ["appointments", "messages"],
    )


# -- what the API refuses -------------------------------------------------------------------------


def new(**changes):
    body = {
        "organization_id": "albany-medical-center",
        "patient": {"given_name": "Emma", "family_name": "Núñez", "birth_date": "2018-05-02"},
        "relationship": "parent",
        "requester_name": "Ana Núñez",
    }
    return NewProxyRequest.model_validate({**body, **changes})


@pytest.mark.parametrize(
    "changes",
    [
        {"relationship": "aunt"},
        {"requester_phone": "call me maybe"},
        {"organization_id": "Albany Medical Center"},
        {"areas": ["access_log"]},
        {"areas": ["proxies"]},
        {"access": "admin"},
        {"patient": {"given_name": "Emma", "family_name": "Núñez", "birth_date": "05/02/2018"}},
        {"patient": {"given_name": "", "family_name": "Núñez", "birth_date": "2018-05-02"}},
        {"requester_name": "Ana\u202eNúñez"},
        {"role": "admin"},
    ],
)
def test_a_new_request_refuses_what_is_not_one(changes):
    with pytest.raises(ValidationError):
        new(**changes)


def test_a_new_request_takes_a_phone_and_leaves_areas_unsaid():
    made = new(requester_phone="+1 (518) 555-0100 ext. 12")
    assert made.areas is None and made.access == "full" and made.patient.birth_date == date(2018, 5, 2)


def test_signing_needs_agreement_a_name_and_a_version():
    with pytest.raises(ValidationError):
        SignProxyRequest.model_validate({"typed_name": "Ana Núñez", "form_version": "2026-1"})
    with pytest.raises(ValidationError):
        SignProxyRequest.model_validate({"typed_name": "Ana Núñez", "agreed": "yes", "form_version": "2026-1"})
    signed = SignProxyRequest.model_validate({"typed_name": "Ana Núñez", "agreed": True, "form_version": "2026-1"})
    assert signed.signature_png is None  # the typed name signs: a keyboard user signs too


# -- the QuestionnaireResponse --------------------------------------------------------------------


def test_the_approved_request_leaves_with_the_requester_as_its_author():
    resource = fhir.questionnaire_response(
        response_id="r" * 32,
        questionnaire="urn:patient-portal:questionnaire:proxy-access-request|2026-1",
        patient=fhir.PatientIdentifier("AMC-MRN", "MRN-3003"),
        authored=NOW,
        answers=[fhir.Answer("form-signed", [True])],
        author={
            "type": "RelatedPerson",
            "identifier": {"system": fhir.ACCOUNT_SYSTEM, "value": "acct-ana"},
            "display": "Ana Núñez",
        },
    )
    assert resource["author"]["type"] == "RelatedPerson"
    assert resource["subject"]["identifier"]["value"] == "MRN-3003"
