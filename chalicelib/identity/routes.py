"""Identity routes for everyone: sign-in, enrollment, recovery and the terms. The signed-in
account's own routes (/v1/me ...) are in account_routes.py; staff and admin routes in
staff_routes.py."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.identity import contact_email, enrollment, recovery, sessions, terms
from chalicelib.identity.contract import (
    Accepted,
    AccountSetUp,
    AccountSetup,
    ContactEmailConfirmation,
    ContactEmailConfirmed,
    EmailCodeRequest,
    EmailCodeSent,
    EmailVerification,
    EmailVerified,
    Enrolled,
    Enrollment,
    PasswordChanged,
    PasswordResetConfirmation,
    PasswordResetRequest,
    SecondStep,
    SignIn,
    SignInAnswer,
    TermsView,
    UsernameReminder,
)

identity_routes = Blueprint(__name__)


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
    return terms.current(_ports()).as_json()


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


@route(
    identity_routes,
    "/v1/account/contact-email-confirmations",
    access=Access.PUBLIC,
    methods=("POST",),
    body=ContactEmailConfirmation,
    responses={200: ContactEmailConfirmed},
    errors=(429,),
)
def contact_email_confirmation(body: ContactEmailConfirmation):
    """Confirm the new email address staff entered on a patient's record, with the token of its emailed link.

    No sign-in: the patient may have no account yet (the address is where their invitation goes).
    """
    return contact_email.confirm_contact_email(_ports(), _origin(), body.token, wiring.container().clock.now())
