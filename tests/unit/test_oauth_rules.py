"""The authorization server's pure rules: what a proxy may share by their grant's areas, which
redirect URIs an admin may register, the id_token's signature and claims, and how codes and
tokens are stored (hashed, never as given)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from joserfc import jwt
from joserfc.jwk import KeySet

from chalicelib.access.domain import PROXY_AREAS, Area
from chalicelib.apps.domain import RESOURCE_TYPES
from chalicelib.apps.oauth.consent import consent_page, proxy_types
from chalicelib.apps.oauth.id_token import id_token, public_jwk
from chalicelib.apps.oauth.registry import check_page_url, check_redirect_uri
from chalicelib.apps.oauth.server import fhir_base
from chalicelib.apps.oauth.tokens import OAuthRecord, RecordKind, digest, new_secret

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=timezone.utc)


class LocalSigner:
    """KMS's Sign and GetPublicKey, with a key made here."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(message, padding.PKCS1v15(), hashes.SHA256())

    def public_key_der(self) -> bytes:
        return self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def test_a_proxy_shares_the_types_of_their_grants_areas_and_the_frame_beside_them():
    asked = RESOURCE_TYPES
    assert proxy_types(asked, {Area.APPOINTMENTS}) == (
        "Patient",
        "Encounter",
        "Appointment",
        "Practitioner",
        "Organization",
        "Provenance",
    )
    # vital signs are health summary: an Observation may be shared under either area
    assert "Observation" in proxy_types(asked, {Area.HEALTH_SUMMARY})
    assert "DiagnosticReport" not in proxy_types(asked, {Area.HEALTH_SUMMARY})
    # messages alone give an app nothing to read: not even the frame
    assert proxy_types(asked, {Area.MESSAGES}) == ()
    assert set(proxy_types(asked, PROXY_AREAS)) == set(RESOURCE_TYPES)
    # never more than the app asked for
    assert proxy_types(("Patient", "Appointment"), PROXY_AREAS) == ("Patient", "Appointment")


@pytest.mark.parametrize(
    "uri",
    ["https://app.example/callback", "http://localhost:8765/callback", "http://127.0.0.1:8765/cb", "http://[::1]/cb"],
)
def test_redirect_uris_an_admin_may_register(uri):
    assert check_redirect_uri(uri) == uri


@pytest.mark.parametrize(
    "uri",
    [
        "http://app.example/callback",  # plain http off the developer's machine
        "https://app.example/cb#fragment",
        "myapp://callback",
        "https:///nohost",
        "javascript:alert(1)",
    ],
)
def test_redirect_uris_an_admin_may_not_register(uri):
    with pytest.raises(ValueError):
        check_redirect_uri(uri)


def test_page_urls_are_https():
    assert check_page_url("https://app.example/privacy")
    with pytest.raises(ValueError):
        check_page_url("ftp://app.example/privacy")


def test_the_id_token_is_rs256_under_the_published_key_with_smarts_claims():
    signer = LocalSigner()
    token = id_token(
        signer,
        issuer="https://portal.test/fhir/R4",
        client_id="app-1",
        subject="account-1",
        fhir_user="https://portal.test/fhir/R4/Patient/p-1",
        now=NOW,
        nonce="n-1",
    )
    keys = KeySet.import_key_set({"keys": [public_jwk(signer)]})
    decoded = jwt.decode(token, keys, algorithms=["RS256"])
    assert decoded.header["kid"] == public_jwk(signer)["kid"]
    assert decoded.claims == {
        "iss": "https://portal.test/fhir/R4",
        "sub": "account-1",
        "aud": "app-1",
        "iat": int(NOW.timestamp()),
        "exp": int(NOW.timestamp()) + 3600,
        "fhirUser": "https://portal.test/fhir/R4/Patient/p-1",
        "nonce": "n-1",
    }
    other = KeySet.import_key_set({"keys": [public_jwk(LocalSigner())]})
    with pytest.raises(Exception):  # noqa: B017  (joserfc's own error types vary by version)
        jwt.decode(token, other, algorithms=["RS256"])


def test_tokens_are_random_and_stored_only_as_their_hash():
    first, second = new_secret(), new_secret()
    assert first != second and len(first) == 43
    assert digest(first) != first and len(digest(first)) == 64
    record = OAuthRecord(RecordKind.ACCESS, digest(first), NOW, int(NOW.timestamp()) + 3600)
    assert record.live(NOW) and not record.live(datetime.fromtimestamp(record.expires_at, timezone.utc))


def test_the_fhir_base_is_the_issuer_and_the_consent_page_is_on_the_portal():
    assert fhir_base("https://portal.example.org/") == "https://portal.example.org/fhir/R4"
    assert (
        consent_page("https://portal.example.org", request="abc")
        == "https://portal.example.org/apps/authorize?request=abc"
    )
