"""Identity routes for everyone: sign-in, enrollment, recovery, terms, and the signed-in
account's own profile (/v1/me ...). Staff and admin routes are in staff_routes.py."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.identity import enrollment, profile, recovery, second_factor, sessions, terms
from chalicelib.identity.contract import (
    Accepted,
    AccountSetUp,
    AccountSetup,
    ConnectionRequest,
    Connections,
    ConnectionView,
    EmailChange,
    EmailChangeRequested,
    EmailCodeRequest,
    EmailCodesChange,
    EmailCodeSent,
    EmailCodesView,
    EmailVerification,
    EmailVerified,
    Enrolled,
    Enrollment,
    Me,
    PasswordChange,
    PasswordChanged,
    PasswordChangedHere,
    PasswordConfirmation,
    PasswordResetConfirmation,
    PasswordResetRequest,
    PreferencesChange,
    PreferencesView,
    RecoveryCodes,
    SecondStep,
    SignIn,
    SignInAnswer,
    SignInHistory,
    SignInHistoryQuery,
    TermsAcceptance,
    TermsAccepted,
    TermsView,
    TotpConfirmation,
    TotpEnabled,
    TotpSetup,
    UsernameReminder,
)

identity_routes = Blueprint(__name__)
TERMS = "terms"
SECOND_FACTOR_SETUP = "second_factor_setup"
ANY_RESTRICTION = (TERMS, SECOND_FACTOR_SETUP)


def _origin():
    return origin_of(identity_routes.current_request)


def _caller():
    return signed_in_caller(identity_routes.current_request)


def _ports() -> wiring.Container:
    return wiring.container()


# -- public -------------------------------------------------------------------------------------


@route(identity_routes, "/v1/terms", access=Access.PUBLIC, responses={200: TermsView})
def current_terms():
    """The current Terms of Use and the Informed Consent and User Agreement."""
    return terms.CURRENT.as_json()


@route(
    identity_routes,
    "/v1/sessions",
    access=Access.PUBLIC,
    methods=("POST",),
    body=SignIn,
    responses={201: SignInAnswer},
    errors=(401, 403, 409, 429),
)
def sign_in(body: SignIn):
    """Sign in with a user name and password.

    Answers a session, or for an account with a second factor a challenge to finish at
    /v1/sessions/mfa. An unknown user name, a wrong password and a locked account get the same
    401; 403 when the password is right but the account is suspended or terminated.
    """
    return Response(sessions.sign_in(_ports(), _origin(), body, wiring.container().clock.now()), status_code=201)


@route(
    identity_routes,
    "/v1/sessions/mfa",
    access=Access.PUBLIC,
    methods=("POST",),
    body=SecondStep,
    responses={201: SignInAnswer},
    errors=(401, 409, 429),
)
def second_step(body: SecondStep):
    """Finish a sign-in with a second-factor code (authenticator app, emailed code or recovery code).

    Answers a session; or, after the code emailed during a lockout, for an account whose second
    factor is an authenticator app, a new challenge that takes a code from the app.
    """
    return Response(
        sessions.complete_second_factor(_ports(), _origin(), body, wiring.container().clock.now()), status_code=201
    )


@route(
    identity_routes,
    "/v1/sessions/mfa/email-code",
    access=Access.PUBLIC,
    methods=("POST",),
    body=EmailCodeRequest,
    responses={202: EmailCodeSent},
    errors=(401, 429),
)
def email_code(body: EmailCodeRequest):
    """Email a sign-in code for a challenge (accounts that use codes by email)."""
    sessions.send_email_code(_ports(), _origin(), body, wiring.container().clock.now())
    return Response({"sent": True}, status_code=202)


@route(
    identity_routes,
    "/v1/enrollments",
    access=Access.PUBLIC,
    methods=("POST",),
    body=Enrollment,
    responses={201: Enrolled},
    errors=(409, 429),
)
def enroll(body: Enrollment):
    """Enroll with an invitation code: the birth date and family name must match the patient's record."""
    return Response(enrollment.enroll(_ports(), _origin(), body, wiring.container().clock.now()), status_code=201)


@route(
    identity_routes,
    "/v1/account/username-reminders",
    access=Access.PUBLIC,
    methods=("POST",),
    body=UsernameReminder,
    responses={202: Accepted},
    errors=(429,),
)
def username_reminder(body: UsernameReminder):
    """Email the user names of the accounts with this verified address."""
    recovery.remind_username(_ports(), _origin(), body, wiring.container().clock.now())
    return Response({"accepted": True}, status_code=202)


@route(
    identity_routes,
    "/v1/account/password-resets",
    access=Access.PUBLIC,
    methods=("POST",),
    body=PasswordResetRequest,
    responses={202: Accepted},
    errors=(429,),
)
def password_reset(body: PasswordResetRequest):
    """Email a password reset link to the account named by user name or verified address."""
    recovery.request_password_reset(_ports(), _origin(), body, wiring.container().clock.now())
    return Response({"accepted": True}, status_code=202)


@route(
    identity_routes,
    "/v1/account/password-resets/confirm",
    access=Access.PUBLIC,
    methods=("POST",),
    body=PasswordResetConfirmation,
    responses={200: PasswordChanged},
    errors=(409, 429),
)
def password_reset_confirm(body: PasswordResetConfirmation):
    """Set a new password with the token of a reset or account set-up link; every session ends."""
    recovery.confirm_password_reset(_ports(), _origin(), body, wiring.container().clock.now())
    return Response({"password_changed": True}, status_code=200)


@route(
    identity_routes,
    "/v1/account/setup",
    access=Access.PUBLIC,
    methods=("POST",),
    body=AccountSetup,
    responses={200: AccountSetUp},
    errors=(409, 429),
)
def account_setup(body: AccountSetup):
    """Set up a new staff account with the token of its set-up link: the user name and password chosen.

    409 when the user name is taken (never whose it is); the link stops working after ten taken names.
    """
    return recovery.confirm_account_setup(_ports(), _origin(), body, wiring.container().clock.now())


@route(
    identity_routes,
    "/v1/account/email-verifications",
    access=Access.PUBLIC,
    methods=("POST",),
    body=EmailVerification,
    responses={200: EmailVerified},
    errors=(409, 429),
)
def email_verification(body: EmailVerification):
    """Confirm an email address with the token of its emailed link."""
    return recovery.confirm_email(_ports(), _origin(), body, wiring.container().clock.now())


# -- the signed-in account ----------------------------------------------------------------------


@route(
    identity_routes,
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


@route(identity_routes, "/v1/me", access=Access.SIGNED_IN, while_restricted=ANY_RESTRICTION, responses={200: Me})
def me():
    """The signed-in account, its patient record, connections and notification preferences."""
    return profile.me(_ports(), _caller(), _origin())


@route(
    identity_routes,
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
    identity_routes,
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
    identity_routes,
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
    identity_routes,
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
    identity_routes,
    "/v1/me/sign-in-history",
    access=Access.SIGNED_IN,
    query=SignInHistoryQuery,
    responses={200: SignInHistory},
)
def sign_in_history(query: SignInHistoryQuery):
    """The account's own security events (sign-ins, failures, lockouts, changes), newest first."""
    return profile.sign_in_history(_ports(), _caller(), query.limit, query.after)


@route(identity_routes, "/v1/me/connections", access=Access.PATIENT, responses={200: Connections})
def connections():
    """The organizations whose records this account sees (My Connections)."""
    return profile.connections(_ports(), _caller())


@route(
    identity_routes,
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
    identity_routes,
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
    identity_routes,
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
    identity_routes,
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
    identity_routes,
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
    identity_routes,
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
    identity_routes,
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
