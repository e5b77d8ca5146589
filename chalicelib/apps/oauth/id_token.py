"""OpenID Connect id_tokens for health apps ("openid fhirUser"), signed RS256 by a KMS key.

The token says who signed in (``sub``: the account) and, as SMART's ``fhirUser``, as whom in
FHIR terms: ``Patient/<id>`` for the patient themselves, ``RelatedPerson/<grant id>`` for a proxy
acting for them. The signature is made in KMS (the private key never leaves it); apps check it
with the public key from ``/oauth2/jwks``, named by its RFC 7638 thumbprint (``kid``).
"""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any, Protocol

ID_TOKEN_SECONDS = 3600


class Signer(Protocol):
    def sign(self, message: bytes) -> bytes: ...

    def public_key_der(self) -> bytes: ...


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(signer: Signer) -> dict[str, Any]:
    """The signing key's public half as a JWK (with its kid, use and alg)."""
    from joserfc.jwk import RSAKey

    key = RSAKey.import_key(signer.public_key_der())
    jwk: dict[str, Any] = dict(key.as_dict(private=False))
    jwk.update(kid=key.thumbprint(), use="sig", alg="RS256")
    return jwk


def id_token(
    signer: Signer,
    *,
    issuer: str,
    client_id: str,
    subject: str,
    fhir_user: str,
    now: datetime,
    nonce: str = "",
) -> str:
    """A compact JWS (RS256) of the id_token's claims."""
    issued = int(now.timestamp())
    header = {"alg": "RS256", "typ": "JWT", "kid": public_jwk(signer)["kid"]}
    claims: dict[str, Any] = {
        "iss": issuer,
        "sub": subject,
        "aud": client_id,
        "iat": issued,
        "exp": issued + ID_TOKEN_SECONDS,
        "fhirUser": fhir_user,
    }
    if nonce:
        claims["nonce"] = nonce
    signing_input = ".".join(
        _b64(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    ).encode()
    return signing_input.decode() + "." + _b64(signer.sign(signing_input))
