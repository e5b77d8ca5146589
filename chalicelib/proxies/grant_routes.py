"""Routes of proxy grants once given: the patient's list (revoke, consent, renew), staff's list (end,
renew, FHIR export) and the proxy's own list."""

from __future__ import annotations

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.http.caller import signed_in
from chalicelib.http.routing import Access, route
from chalicelib.proxies import grants
from chalicelib.proxies.grant_contract import (
    ConsentAnswer,
    MyProxyGrants,
    ProxyGrantBundle,
    ProxyGrantList,
    ProxyGrantView,
    StaffConsentAnswer,
    StaffGrantEnd,
    StaffGrantRenewal,
)

grant_routes = Blueprint(__name__)


def _request():
    return grant_routes.current_request


@route(grant_routes, "/v1/patients/{patient_id}/proxies", access=Access.PATIENT, responses={200: ProxyGrantList})
def patient_proxies(patient_id: str):
    """Who may act for the patient: every grant of their record, any status (awaiting their
    consent, in force, and those that ended, with why), newest first. The patient's own record
    only: a proxy never sees this list (404). Audited."""
    return grants.patient_list(wiring.container(), *signed_in(_request()), patient_id)


@route(
    grant_routes,
    "/v1/patients/{patient_id}/proxies/{grant_id}/revoke",
    access=Access.PATIENT,
    methods=("POST",),
    responses={200: ProxyGrantView},
    errors=(409,),
)
def revoke_proxy(patient_id: str, grant_id: str):
    """Take access back: the grant is revoked, and the proxy's very next call is refused. The
    proxy is emailed that there is an update (never whose record). 409 when it has already ended;
    403 for a grant the patient neither gave nor consented to (a guardian's or an agent's the
    office approved, a parent's): the office ends those."""
    return grants.revoke(wiring.container(), *signed_in(_request()), patient_id, grant_id)


@route(
    grant_routes,
    "/v1/patients/{patient_id}/proxies/{grant_id}/consent",
    access=Access.PATIENT,
    methods=("POST",),
    body=ConsentAnswer,
    responses={200: ProxyGrantView},
    errors=(409,),
)
def consent_to_proxy(patient_id: str, grant_id: str, body: ConsentAnswer):
    """Answer a grant staff approved for an adult who can decide: agreed, it takes effect now
    (active; an end date keeps its length from now); declined, it never does. 409 when the grant
    is not waiting for an answer."""
    return grants.consent(wiring.container(), *signed_in(_request()), patient_id, grant_id, body.agree)


@route(
    grant_routes,
    "/v1/patients/{patient_id}/proxies/{grant_id}/renew",
    access=Access.PATIENT,
    methods=("POST",),
    responses={200: ProxyGrantView},
    errors=(409,),
    # A double click must not renew twice (each renewal adds a year).
    idempotent=True,
)
def renew_proxy(patient_id: str, grant_id: str):
    """Renew a trusted person's grant for a year more from its end date (from now when that has
    passed: a grant that reached its end date is in force again). 409 for a child's grant (it lasts
    until the 12th birthday) and for one revoked, declined or ended by staff; 403 for a guardian's
    or an agent's (the office renews those)."""
    return grants.renew(wiring.container(), *signed_in(_request()), patient_id, grant_id)


@route(grant_routes, "/v1/staff/patients/{patient_id}/proxies", access=Access.STAFF, responses={200: ProxyGrantList})
def staff_patient_proxies(patient_id: str):
    """Who may act for a patient of the organization: every grant, any status, newest first. Audited."""
    return grants.staff_list(wiring.container(), *signed_in(_request()), patient_id)


@route(
    grant_routes,
    "/v1/staff/proxy-grants/{patient_id}/{grant_id}/end",
    access=Access.STAFF,
    methods=("POST",),
    body=StaffGrantEnd,
    responses={200: ProxyGrantView},
    errors=(409,),
)
def end_proxy_grant(patient_id: str, grant_id: str, body: StaffGrantEnd):
    """End a grant (terminated) with the reason, which the patient's list shows; the proxy is
    emailed that there is an update. 409 when it has already ended."""
    return grants.staff_end(wiring.container(), *signed_in(_request()), patient_id, grant_id, body.reason)


@route(
    grant_routes,
    "/v1/staff/proxy-grants/{patient_id}/{grant_id}/consent",
    access=Access.STAFF,
    methods=("POST",),
    body=StaffConsentAnswer,
    responses={200: ProxyGrantView},
    errors=(409,),
)
def staff_consent_to_proxy(patient_id: str, grant_id: str, body: StaffConsentAnswer):
    """Record the patient's answer to a grant awaiting their consent, given to staff (in person,
    on the paper form, by phone): for a patient with no portal account. As the patient's own
    answer: agreed, in force now; declined, never. Audited with how it was given. 409 when the
    grant is not waiting for an answer."""
    return grants.staff_consent(wiring.container(), *signed_in(_request()), patient_id, grant_id, body.agree, body.how)


@route(
    grant_routes,
    "/v1/staff/proxy-grants/{patient_id}/{grant_id}/renew",
    access=Access.STAFF,
    methods=("POST",),
    body=StaffGrantRenewal,
    responses={200: ProxyGrantView},
    errors=(409,),
    idempotent=True,
)
def staff_renew_proxy_grant(patient_id: str, grant_id: str, body: StaffGrantRenewal):
    """Renew an adult's grant: to the end of `ends_at` (a day on the organization's calendar, at
    most five years ahead), else a year more. 409 for a child's grant and for one revoked,
    declined or ended by staff."""
    return grants.staff_renew(wiring.container(), *signed_in(_request()), patient_id, grant_id, body.ends_at)


@route(
    grant_routes,
    "/v1/staff/proxy-grants/{patient_id}/{grant_id}/fhir",
    access=Access.STAFF,
    responses={200: ProxyGrantBundle},
)
def proxy_grant_fhir(patient_id: str, grant_id: str):
    """The grant as FHIR R4, for exchange with the clinical systems: a collection Bundle of a
    RelatedPerson (the proxy and the relationship) and a Consent (scope patient-privacy; a permit
    for the grant's period and areas; a deny of what is dated from a child's 12th birthday on, and
    of sensitive care by security label). The patient is named by the organization's MRN. Audited."""
    from chalicelib.proxies.fhir import grant_bundle

    grant, mrn = grants.staff_grant(wiring.container(), *signed_in(_request()), patient_id, grant_id)
    return grant_bundle(grant, mrn)


@route(grant_routes, "/v1/me/proxy-grants", access=Access.PATIENT, responses={200: MyProxyGrants})
def my_proxy_grants():
    """The records the caller may act for, and those they no longer may (any status, with why),
    newest first: "accounts I can access". An account with no record of its own has this list too."""
    return grants.my_grants(wiring.container(), *signed_in(_request()))
