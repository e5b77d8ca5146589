"""Routes of the signed-in account (/v1/me ..., sign-out): its profile, terms, email, password,
notification preferences, sign-in history, connections and second factors. Sign-in, enrollment
and recovery are in routes.py; staff and admin routes in staff_routes.py."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.identity import profile, second_factor, sessions
from chalicelib.identity.account_contract import (
    ConnectionRequest,
    Connections,
    ConnectionView,
    EmailChange,
    EmailChangeRequested,
    EmailCodesChange,
    EmailCodesView,
    Me,
    PasswordChange,
    PasswordChangedHere,
    PasswordConfirmation,
    PreferencesChange,
    PreferencesView,
    RecoveryCodes,
    SignInHistory,
    SignInHistoryQuery,
    TermsAcceptance,
    TermsAccepted,
    TotpConfirmation,
    TotpEnabled,
    TotpSetup,
)

account_routes = Blueprint(__name__)
TERMS = "terms"
SECOND_FACTOR_SETUP = "second_factor_setup"
ANY_RESTRICTION = (TERMS, SECOND_FACTOR_SETUP)


def _origin():
    return origin_of(account_routes.current_request)


def _caller():
    return signed_in_caller(account_routes.current_request)


def _ports() -> wiring.Container:
    return wiring.container()


# -- the signed-in account ----------------------------------------------------------------------


@route(
    account_routes,
    "/v1/sessions/current",
    access=Access.SIGNED_IN,
    methods=("DELETE",),
    while_restricted=ANY_RESTRICTION,
    responses={204: None},
)
def sign_out():
    """Sign out: the session ends at once."""
    sessions.sign_out(_ports(), _caller(), _origin())
    return Response(body="", status_code=204)


@route(account_routes, "/v1/me", access=Access.SIGNED_IN, while_restricted=ANY_RESTRICTION, responses={200: Me})
def me():
    """The signed-in account, its patient record, connections and notification preferences."""
    return profile.me(_ports(), _caller(), _origin())


@route(
    account_routes,
    "/v1/me/terms-acceptances",
    access=Access.PATIENT,
    methods=("POST",),
    while_restricted=(TERMS,),
    body=TermsAcceptance,
    responses={201: TermsAccepted},
    errors=(409,),
)
def accept_terms(body: TermsAcceptance):
    """Accept the current Terms of Use (lifts the session's `terms` restriction)."""
    return Response(
        profile.accept_terms(_ports(), _caller(), _origin(), body, wiring.container().clock.now()), status_code=201
    )


@route(
    account_routes,
    "/v1/me/email",
    access=Access.SIGNED_IN,
    methods=("PUT",),
    body=EmailChange,
    responses={202: EmailChangeRequested},
    errors=(409, 429),
)
def change_email(body: EmailChange):
    """Change the email address: it is used once the link emailed to it is followed."""
    return Response(
        profile.change_email(_ports(), _caller(), _origin(), body, wiring.container().clock.now()), status_code=202
    )


@route(
    account_routes,
    "/v1/me/password",
    access=Access.SIGNED_IN,
    methods=("PUT",),
    while_restricted=(SECOND_FACTOR_SETUP,),
    body=PasswordChange,
    responses={200: PasswordChangedHere},
    errors=(409, 429),
)
def change_password(body: PasswordChange):
    """Change the password; every other session of the account ends."""
    return profile.change_password(_ports(), _caller(), _origin(), body)


@route(
    account_routes,
    "/v1/me/notification-preferences",
    access=Access.SIGNED_IN,
    methods=("PUT",),
    body=PreferencesChange,
    responses={200: PreferencesView},
    errors=(409,),
)
def notification_preferences(body: PreferencesChange):
    """Choose which notifications are emailed."""
    return profile.set_preferences(_ports(), _caller(), _origin(), body)


@route(
    account_routes,
    "/v1/me/sign-in-history",
    access=Access.SIGNED_IN,
    query=SignInHistoryQuery,
    responses={200: SignInHistory},
)
def sign_in_history(query: SignInHistoryQuery):
    """The account's own security events (sign-ins, failures, lockouts, changes), newest first."""
    return profile.sign_in_history(_ports(), _caller(), query.limit, query.after)


@route(account_routes, "/v1/me/connections", access=Access.PATIENT, responses={200: Connections})
def connections():
    """The organizations whose records this account sees (My Connections)."""
    return profile.connections(_ports(), _caller())


@route(
    account_routes,
    "/v1/me/connections",
    access=Access.PATIENT,
    methods=("POST",),
    body=ConnectionRequest,
    responses={201: ConnectionView},
    errors=(404, 409, 429),
)
def add_connection(body: ConnectionRequest):
    """Connect another organization's record with an invitation code from it."""
    return Response(
        profile.add_connection(_ports(), _caller(), _origin(), body, wiring.container().clock.now()), status_code=201
    )


@route(
    account_routes,
    "/v1/me/connections/{connection_id}",
    access=Access.PATIENT,
    methods=("DELETE",),
    responses={204: None},
    errors=(409,),
)
def remove_connection(connection_id):
    """Remove a connection (not the organization the account enrolled with)."""
    profile.remove_connection(_ports(), _caller(), _origin(), connection_id)
    return Response(body="", status_code=204)


# -- second factors -------------------------------------------------------------------------------


@route(
    account_routes,
    "/v1/me/second-factors/totp",
    access=Access.SIGNED_IN,
    methods=("POST",),
    while_restricted=(SECOND_FACTOR_SETUP,),
    responses={201: TotpSetup},
    errors=(409,),
)
def totp_begin():
    """Start setting up an authenticator app: a new seed, which counts once a code from it is confirmed."""
    return Response(
        second_factor.begin_totp(_ports(), profile.account_of(_ports(), _caller()), wiring.container().clock.now()),
        status_code=201,
    )


@route(
    account_routes,
    "/v1/me/second-factors/totp/confirm",
    access=Access.SIGNED_IN,
    methods=("POST",),
    while_restricted=(SECOND_FACTOR_SETUP,),
    body=TotpConfirmation,
    responses={200: TotpEnabled},
    errors=(409, 429),
)
def totp_confirm(body: TotpConfirmation):
    """Turn the authenticator app on with a code from it and the password; answers recovery codes."""
    caller = _caller()
    result = second_factor.confirm_totp(
        _ports(),
        _origin(),
        profile.account_of(_ports(), caller),
        body,
        wiring.container().clock.now(),
        caller.session_id,
    )
    sessions.lift_restriction(_ports(), caller, sessions.Restriction.SECOND_FACTOR_SETUP)
    return result


@route(
    account_routes,
    "/v1/me/second-factors/totp",
    access=Access.SIGNED_IN,
    methods=("DELETE",),
    body=PasswordConfirmation,
    responses={204: None},
    errors=(409, 429),
)
def totp_disable(body: PasswordConfirmation):
    """Turn the authenticator app off (the password confirms it)."""
    caller = _caller()
    second_factor.disable_totp(_ports(), _origin(), profile.account_of(_ports(), caller), body, caller.session_id)
    return Response(body="", status_code=204)


@route(
    account_routes,
    "/v1/me/second-factors/email",
    access=Access.SIGNED_IN,
    methods=("PUT",),
    while_restricted=(SECOND_FACTOR_SETUP,),
    body=EmailCodesChange,
    responses={200: EmailCodesView},
    errors=(409, 429),
)
def email_codes(body: EmailCodesChange):
    """Turn sign-in codes by email on or off (the password confirms it)."""
    caller = _caller()
    result = second_factor.set_email_codes(
        _ports(), _origin(), profile.account_of(_ports(), caller), body, caller.session_id
    )
    if result["enabled"]:
        sessions.lift_restriction(_ports(), caller, sessions.Restriction.SECOND_FACTOR_SETUP)
    return result


@route(
    account_routes,
    "/v1/me/second-factors/recovery-codes",
    access=Access.SIGNED_IN,
    methods=("POST",),
    body=PasswordConfirmation,
    responses={201: RecoveryCodes},
    errors=(409, 429),
)
def recovery_codes(body: PasswordConfirmation):
    """Replace the recovery codes: the earlier ones stop working."""
    caller = _caller()
    return Response(
        second_factor.regenerate_recovery_codes(
            _ports(), _origin(), profile.account_of(_ports(), caller), body, caller.session_id
        ),
        status_code=201,
    )
