"""The session authorizer: a Chalice built-in authorizer that API Gateway calls before every
signed-in route (routing.route attaches it), and that `chalice local` and the test client call too.

Its result is never cached (ttl_seconds=0): a session ended by sign-out, a password change, a
suspension or its idle timeout must fail its very next call, and API Gateway's cache of an
authorizer's answer would let it through for up to the TTL. The price is one authorizer call
(one conditional UpdateItem) per request, which is also what moves the idle deadline on.

Declared in a Blueprint so routes in every module can name it; its Lambda is deployed with the
handler chalicelib.identity.authorizer.session_authorizer and does not need app middleware.
"""

from __future__ import annotations

from typing import Any

from chalice import AuthResponse, Blueprint

authorizer_blueprint = Blueprint(__name__)


@authorizer_blueprint.authorizer(ttl_seconds=0, name="session_authorizer")
def session_authorizer(auth_request) -> Any:
    from chalicelib import wiring
    from chalicelib.identity.session_check import authorize

    try:
        caller = authorize(wiring.container(), auth_request.token, wiring.container().clock.now())
    except Exception as error:  # last resort of its own Lambda: no app middleware runs here
        from chalicelib.observability import log_exception

        # Logged by type and frames only: the runtime would log the message, which may quote a
        # value (PHI). API Gateway answers 500 and the caller may retry.
        raise RuntimeError(f"session check failed (error id {log_exception('session_authorizer', error)})") from None
    if caller is None:
        # An explicit Deny (chalice's AuthResponse cannot say Deny; an empty Allow list is an
        # authorizer misconfiguration to API Gateway). The gateway answers 401 (template).
        return {
            "principalId": "anonymous",
            "context": {},
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": [auth_request.method_arn]}
                ],
            },
        }
    return AuthResponse(
        routes=["*"],
        principal_id=caller.account_id,
        context={
            "account_id": caller.account_id,
            "role": caller.role,
            "organization_id": caller.organization_id,
            "patient_id": caller.patient_id,
            "session_id": caller.session_id,
            "restriction": caller.restriction,
        },
    )
