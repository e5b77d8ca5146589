"""Identity routes for everyone: sign-in, enrollment, recovery, terms, and the signed-in
account's own profile (/v1/me ...). Staff and admin routes are in staff_routes.py."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.http.caller import origin_of, signed_in_caller
from chalicelib.http.routing import Access, route
from chalicelib.identity import enrollment, profile, recovery, second_factor, sessions, terms
from chalicelib.kernel.paging import page_limit

identity_routes = Blueprint(__name__)
TERMS = "terms"
SECOND_FACTOR_SETUP = "second_factor_setup"
ANY_RESTRICTION = (TERMS, SECOND_FACTOR_SETUP)


def _body():
    return identity_routes.current_request.json_body


def _origin():
    return origin_of(identity_routes.current_request)


def _caller():
    return signed_in_caller(identity_routes.current_request)


def _ports() -> wiring.Container:
    return wiring.container()


# -- public -------------------------------------------------------------------------------------


@route(identity_routes, "/v1/terms", access=Access.PUBLIC)
def current_terms():
    return terms.CURRENT.as_json()


@route(identity_routes, "/v1/sessions", access=Access.PUBLIC, methods=("POST",))
def sign_in():
    return Response(sessions.sign_in(_ports(), _origin(), _body(), wiring.container().clock.now()), status_code=201)


@route(identity_routes, "/v1/sessions/mfa", access=Access.PUBLIC, methods=("POST",))
def second_step():
    return Response(
        sessions.complete_second_factor(_ports(), _origin(), _body(), wiring.container().clock.now()), status_code=201
    )


@route(identity_routes, "/v1/sessions/mfa/email-code", access=Access.PUBLIC, methods=("POST",))
def email_code():
    sessions.send_email_code(_ports(), _origin(), _body(), wiring.container().clock.now())
    return Response({"sent": True}, status_code=202)


@route(identity_routes, "/v1/enrollments", access=Access.PUBLIC, methods=("POST",))
def enroll():
    return Response(enrollment.enroll(_ports(), _origin(), _body(), wiring.container().clock.now()), status_code=201)


@route(identity_routes, "/v1/account/username-reminders", access=Access.PUBLIC, methods=("POST",))
def username_reminder():
    recovery.remind_username(_ports(), _origin(), _body(), wiring.container().clock.now())
    return Response({"accepted": True}, status_code=202)


@route(identity_routes, "/v1/account/password-resets", access=Access.PUBLIC, methods=("POST",))
def password_reset():
    recovery.request_password_reset(_ports(), _origin(), _body(), wiring.container().clock.now())
    return Response({"accepted": True}, status_code=202)


@route(identity_routes, "/v1/account/password-resets/confirm", access=Access.PUBLIC, methods=("POST",))
def password_reset_confirm():
    recovery.confirm_password_reset(_ports(), _origin(), _body(), wiring.container().clock.now())
    return Response({"password_changed": True}, status_code=200)


@route(identity_routes, "/v1/account/setup", access=Access.PUBLIC, methods=("POST",))
def account_setup():
    return recovery.confirm_account_setup(_ports(), _origin(), _body(), wiring.container().clock.now())


@route(identity_routes, "/v1/account/email-verifications", access=Access.PUBLIC, methods=("POST",))
def email_verification():
    return recovery.confirm_email(_ports(), _origin(), _body(), wiring.container().clock.now())


# -- the signed-in account ----------------------------------------------------------------------


@route(
    identity_routes,
    "/v1/sessions/current",
    access=Access.SIGNED_IN,
    methods=("DELETE",),
    while_restricted=ANY_RESTRICTION,
)
def sign_out():
    sessions.sign_out(_ports(), _caller(), _origin())
    return Response(body="", status_code=204)


@route(identity_routes, "/v1/me", access=Access.SIGNED_IN, while_restricted=ANY_RESTRICTION)
def me():
    return profile.me(_ports(), _caller(), _origin())


@route(identity_routes, "/v1/me/terms-acceptances", access=Access.PATIENT, methods=("POST",), while_restricted=(TERMS,))
def accept_terms():
    return Response(
        profile.accept_terms(_ports(), _caller(), _origin(), _body(), wiring.container().clock.now()), status_code=201
    )


@route(identity_routes, "/v1/me/email", access=Access.SIGNED_IN, methods=("PUT",))
def change_email():
    return Response(
        profile.change_email(_ports(), _caller(), _origin(), _body(), wiring.container().clock.now()), status_code=202
    )


@route(
    identity_routes,
    "/v1/me/password",
    access=Access.SIGNED_IN,
    methods=("PUT",),
    while_restricted=(SECOND_FACTOR_SETUP,),
)
def change_password():
    return profile.change_password(_ports(), _caller(), _origin(), _body())


@route(identity_routes, "/v1/me/notification-preferences", access=Access.SIGNED_IN, methods=("PUT",))
def notification_preferences():
    return profile.set_preferences(_ports(), _caller(), _origin(), _body())


@route(identity_routes, "/v1/me/sign-in-history", access=Access.SIGNED_IN)
def sign_in_history():
    query: dict[str, str] = dict(identity_routes.current_request.query_params or {})
    from chalicelib.audit.service import MAX_PAGE

    return profile.sign_in_history(_ports(), _caller(), page_limit(query, 50, MAX_PAGE), query.get("after", ""))


@route(identity_routes, "/v1/me/connections", access=Access.PATIENT)
def connections():
    return profile.connections(_ports(), _caller())


@route(identity_routes, "/v1/me/connections", access=Access.PATIENT, methods=("POST",))
def add_connection():
    return Response(
        profile.add_connection(_ports(), _caller(), _origin(), _body(), wiring.container().clock.now()), status_code=201
    )


@route(identity_routes, "/v1/me/connections/{connection_id}", access=Access.PATIENT, methods=("DELETE",))
def remove_connection(connection_id):
    profile.remove_connection(_ports(), _caller(), _origin(), connection_id)
    return Response(body="", status_code=204)


# -- second factors -------------------------------------------------------------------------------


@route(
    identity_routes,
    "/v1/me/second-factors/totp",
    access=Access.SIGNED_IN,
    methods=("POST",),
    while_restricted=(SECOND_FACTOR_SETUP,),
)
def totp_begin():
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
)
def totp_confirm():
    caller = _caller()
    result = second_factor.confirm_totp(
        _ports(),
        _origin(),
        profile.account_of(_ports(), caller),
        _body(),
        wiring.container().clock.now(),
        caller.session_id,
    )
    sessions.lift_restriction(_ports(), caller, sessions.Restriction.SECOND_FACTOR_SETUP)
    return result


@route(identity_routes, "/v1/me/second-factors/totp", access=Access.SIGNED_IN, methods=("DELETE",))
def totp_disable():
    caller = _caller()
    second_factor.disable_totp(_ports(), _origin(), profile.account_of(_ports(), caller), _body(), caller.session_id)
    return Response(body="", status_code=204)


@route(
    identity_routes,
    "/v1/me/second-factors/email",
    access=Access.SIGNED_IN,
    methods=("PUT",),
    while_restricted=(SECOND_FACTOR_SETUP,),
)
def email_codes():
    caller = _caller()
    result = second_factor.set_email_codes(
        _ports(), _origin(), profile.account_of(_ports(), caller), _body(), caller.session_id
    )
    if result["enabled"]:
        sessions.lift_restriction(_ports(), caller, sessions.Restriction.SECOND_FACTOR_SETUP)
    return result


@route(identity_routes, "/v1/me/second-factors/recovery-codes", access=Access.SIGNED_IN, methods=("POST",))
def recovery_codes():
    caller = _caller()
    return Response(
        second_factor.regenerate_recovery_codes(
            _ports(), _origin(), profile.account_of(_ports(), caller), _body(), caller.session_id
        ),
        status_code=201,
    )
