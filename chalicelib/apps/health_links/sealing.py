"""The cryptography of a link: its key, its file encrypted as the SMART Health Links spec asks
(a compact JWE, ``alg`` "dir", ``enc`` "A256GCM", ``cty`` "application/fhir+json", with joserfc)
and its QR code (segno, SVG). Pure: no I/O."""

from __future__ import annotations

import io
import secrets

from chalicelib.apps.health_links.domain import b64url

KEY_BYTES = 32  # 256 bits: A256GCM's key, used directly ("dir")
MANIFEST_ID_BYTES = 32  # 256 bits: the manifest URL cannot be guessed
FHIR_JSON = "application/fhir+json"
PROTECTED_HEADER = {"alg": "dir", "enc": "A256GCM", "cty": FHIR_JSON}


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def new_manifest_id() -> str:
    return b64url(secrets.token_bytes(MANIFEST_ID_BYTES))


def encrypt(plaintext: bytes, key: bytes) -> str:
    """The file as a compact JWE under ``key`` (a content-encryption key used directly)."""
    from joserfc import jwe
    from joserfc.jwk import OctKey

    return jwe.encrypt_compact(dict(PROTECTED_HEADER), plaintext, OctKey.import_key(key))


def decrypt(token: str, key: bytes) -> bytes:
    """The inverse of ``encrypt`` (for tests and checks): raises joserfc's errors on a wrong key."""
    from joserfc import jwe
    from joserfc.jwk import OctKey

    return jwe.decrypt_compact(token, OctKey.import_key(key)).plaintext or b""


def qr_svg(text: str) -> str:
    """A QR code of ``text`` as a standalone SVG document (error correction M: a phone reads it
    off a screen or a slightly creased printout)."""
    import segno

    buffer = io.BytesIO()
    segno.make(text, error="m", micro=False).save(
        buffer, kind="svg", scale=4, border=4, xmldecl=False, svgclass=None, lineclass=None, title="QR code"
    )
    return buffer.getvalue().decode("utf-8")
