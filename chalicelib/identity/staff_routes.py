"""Routes for clinic staff (invitations) and admins (staff accounts, the organization's settings)."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.identity import enrollment, organization_settings, terms, workforce
from chalicelib.identity.organization_contract import OrganizationSettings, OrganizationSettingsChange
from chalicelib.identity.staff_contract import (
    InvitationIssued,
    InvitationRequest,
    Invitations,
    InvitationsQuery,
    ProxyInvitationRequest,
    PublishedTerms,
    StaffAccountCreated,
    StaffAccountRequest,
    StaffAccounts,
    StaffAccountsQuery,
    StaffSetupLinkSent,
    StaffStatusChange,
    StaffStatusChanged,
    StaffUnlocked,
    TermsPublication,
    TermsVersions,
)

staff_routes = Blueprint(__name__)


def _request():
    return staff_routes.current_request


def _caller():
    return signed_in_caller(_request())


@route(
    staff_routes,
    "/v1/staff/invitations",
    access=Access.STAFF,
    methods=("POST",),
    body=InvitationRequest,
    responses={201: InvitationIssued},
    errors=(404, 409),
)
def invite(body: InvitationRequest):
    """Invite a patient to enroll: a single-use code goes to the address given.

    A new invitation replaces the patient's earlier pending one; 409 when the patient has portal
    access already.
    """
    return Response(
        enrollment.invite(wiring.container(), _caller(), origin_of(_request()), body, wiring.container().clock.now()),
        status_code=201,
    )


@route(
    staff_routes,
    "/v1/staff/proxy-invitations",
    access=Access.STAFF,
    methods=("POST",),
    body=ProxyInvitationRequest,
    responses={201: InvitationIssued},
)
def invite_without_record(body: ProxyInvitationRequest):
    """Invite someone with no record here (a parent, a guardian, an agent) to open an account, to then ask for proxy access.

    A single-use code goes to the address; enrolling with it asks back the birth date and family
    name given here. A new invitation to the same address replaces an earlier pending one. Resend
    and revoke it as any invitation (`/v1/staff/invitations/{invitation_id}`).
    """
    return Response(
        enrollment.invite_without_record(
            wiring.container(), _caller(), origin_of(_request()), body, wiring.container().clock.now()
        ),
        status_code=201,
    )


@route(
    staff_routes,
    "/v1/staff/invitations",
    access=Access.STAFF,
    query=InvitationsQuery,
    responses={200: Invitations},
    errors=(404,),
)
def list_invitations(query: InvitationsQuery):
    """A patient's invitations, with their status."""
    return enrollment.list_for_patient(
        wiring.container(),
        _caller(),
        origin_of(_request()),
        query.patient_id,
        wiring.container().clock.now(),
    )


@route(
    staff_routes,
    "/v1/staff/invitations/{invitation_id}/resend",
    access=Access.STAFF,
    methods=("POST",),
    responses={201: InvitationIssued},
    errors=(409,),
)
def resend_invitation(invitation_id):
    """Send a fresh code to the invitation's address; the earlier code stops working."""
    return Response(
        enrollment.resend(
            wiring.container(), _caller(), origin_of(_request()), invitation_id, wiring.container().clock.now()
        ),
        status_code=201,
    )


@route(
    staff_routes,
    "/v1/staff/invitations/{invitation_id}",
    access=Access.STAFF,
    methods=("DELETE",),
    responses={204: None},
    errors=(409,),
)
def revoke_invitation(invitation_id):
    """Revoke a pending invitation (409 for one that is not pending)."""
    enrollment.revoke(wiring.container(), _caller(), origin_of(_request()), invitation_id)
    return Response(body="", status_code=204)


@route(staff_routes, "/v1/admin/staff", access=Access.ADMIN, query=StaffAccountsQuery, responses={200: StaffAccounts})
def list_staff(query: StaffAccountsQuery):
    """The staff and admin accounts of the caller's organization, newest first, a page at a time."""
    return workforce.list_staff(wiring.container(), _caller(), origin_of(_request()), query.limit, query.cursor)


@route(
    staff_routes,
    "/v1/admin/staff",
    access=Access.ADMIN,
    methods=("POST",),
    body=StaffAccountRequest,
    responses={201: StaffAccountCreated},
    errors=(409,),
)
def create_staff(body: StaffAccountRequest):
    """Create a staff or admin account of the caller's organization; a link to choose a password is emailed."""
    return Response(
        workforce.create_staff(
            wiring.container(), _caller(), origin_of(_request()), body, wiring.container().clock.now()
        ),
        status_code=201,
    )


@route(
    staff_routes,
    "/v1/admin/staff/{account_id}/status",
    access=Access.ADMIN,
    methods=("PUT",),
    body=StaffStatusChange,
    responses={200: StaffStatusChanged},
    errors=(409,),
)
def set_staff_status(account_id, body: StaffStatusChange):
    """Suspend a staff account (its sessions end at once) or make it active again."""
    return workforce.set_staff_status(wiring.container(), _caller(), origin_of(_request()), account_id, body)


@route(
    staff_routes,
    "/v1/admin/staff/{account_id}/unlock",
    access=Access.ADMIN,
    methods=("POST",),
    responses={200: StaffUnlocked},
    errors=(404, 409),
)
def unlock_staff(account_id):
    """Lift the lockout of a staff account of the organization (409 when it is not locked)."""
    return workforce.unlock_staff(
        wiring.container(), _caller(), origin_of(_request()), account_id, wiring.container().clock.now()
    )


@route(
    staff_routes,
    "/v1/admin/staff/{account_id}/setup-link",
    access=Access.ADMIN,
    methods=("POST",),
    responses={201: StaffSetupLinkSent},
    errors=(404, 409),
)
def resend_setup_link(account_id):
    """Email a new set-up link to a colleague who has not finished set-up; earlier links stop working.

    409 when the colleague has chosen their user name already (they reset their password
    themselves) or the account is suspended.
    """
    return Response(
        workforce.resend_setup_link(
            wiring.container(), _caller(), origin_of(_request()), account_id, wiring.container().clock.now()
        ),
        status_code=201,
    )


@route(staff_routes, "/v1/admin/terms", access=Access.ADMIN, responses={200: TermsVersions})
def terms_versions():
    """The current Terms of Use and Informed Consent in full, every version's label, summary and date, and who
    publishes them."""
    ports = wiring.container()
    return terms.versions(ports, _caller(), ports.settings.terms_organization)


@route(staff_routes, "/v1/admin/terms/{version}", access=Access.ADMIN, responses={200: PublishedTerms}, errors=(404,))
def terms_version(version: str):
    """One version of the Terms of Use and Informed Consent in full, current or past."""
    return terms.one_version(wiring.container(), version)


@route(
    staff_routes,
    "/v1/admin/terms",
    access=Access.ADMIN,
    methods=("POST",),
    body=TermsPublication,
    responses={201: PublishedTerms},
    errors=(403, 409),
)
def publish_terms(body: TermsPublication):
    """Publish a new version of the Terms of Use and Informed Consent: patients accept it at their next sign-in.

    Only the admins of the organization the deployment names publish (403 for others); 409 when
    `replaces` is no longer the current version.
    """
    ports = wiring.container()
    published = terms.publish(
        ports,
        _caller(),
        origin_of(_request()),
        ports.settings.terms_organization,
        body.version,
        body.replaces,
        body.terms_of_use,
        body.consent,
        body.summary,
        ports.clock.now(),
    )
    return Response(published, status_code=201)


@route(
    staff_routes, "/v1/admin/organization", access=Access.ADMIN, responses={200: OrganizationSettings}, errors=(404,)
)
def get_organization():
    """The caller's organization and its settings (its time zone, its support address)."""
    return organization_settings.organization_settings(wiring.container(), _caller())


@route(
    staff_routes,
    "/v1/admin/organization",
    access=Access.ADMIN,
    methods=("PUT",),
    body=OrganizationSettingsChange,
    responses={200: OrganizationSettings},
    errors=(404, 409),
)
def put_organization(body: OrganizationSettingsChange):
    """Set the organization's time zone and support address.

    Feed times sent without an offset are read in the time zone from now on. Support requests are
    announced at the support address (omitted: left as it is; "": the organization leaves the
    contact form's list).

    400 for a name the time zone database does not know; 409 when another admin changed the
    organization at the same time (try again).
    """
    return organization_settings.set_organization_settings(wiring.container(), _caller(), origin_of(_request()), body)
