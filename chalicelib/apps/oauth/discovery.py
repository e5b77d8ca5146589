"""SMART App Launch's discovery document (``/.well-known/smart-configuration``): where the
authorization server's endpoints are, and what it supports."""

from __future__ import annotations

from typing import Any

from chalicelib.apps.domain import CONTEXT_SCOPES, RESOURCE_TYPES
from chalicelib.apps.oauth.objects import CONFIDENTIAL_AUTH, PUBLIC_AUTH
from chalicelib.apps.oauth.server import fhir_base

CAPABILITIES = (
    "launch-standalone",
    "client-public",
    "client-confidential-symmetric",
    "context-standalone-patient",
    "permission-offline",
    "permission-patient",
    "permission-v2",
    "permission-v1",
    "sso-openid-connect",
)


def smart_configuration_of(base: str) -> dict[str, Any]:
    """The document for the portal at ``base`` (its public origin): the FHIR base is the issuer."""
    return {
        "issuer": fhir_base(base),
        "jwks_uri": f"{base}/oauth2/jwks",
        "authorization_endpoint": f"{base}/oauth2/authorize",
        "token_endpoint": f"{base}/oauth2/token",
        "introspection_endpoint": f"{base}/oauth2/introspect",
        "revocation_endpoint": f"{base}/oauth2/revoke",
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": [*PUBLIC_AUTH, *CONFIDENTIAL_AUTH],
        "scopes_supported": [
            *CONTEXT_SCOPES[:4],
            "patient/*.rs",
            *(f"patient/{t}.rs" for t in RESOURCE_TYPES),
        ],
        "capabilities": list(CAPABILITIES),
    }
