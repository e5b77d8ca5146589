from __future__ import annotations

from chalicelib.adapters import AWS_FAILURES
from chalicelib.errors import DependencyUnavailable


class KmsKeys:
    """Field-level encryption with the stack's key, for secrets that must not sit in a table in
    clear (second-factor seeds, for example). The encryption context binds a ciphertext to the
    record it belongs to, so it cannot be copied onto another one."""

    def __init__(self, client, key_id: str):
        self._kms = client
        self.key_id = key_id

    def encrypt(self, plaintext: bytes, context: dict[str, str]) -> bytes:
        try:
            return self._kms.encrypt(KeyId=self.key_id, Plaintext=plaintext, EncryptionContext=context)[
                "CiphertextBlob"
            ]
        except AWS_FAILURES as error:
            raise DependencyUnavailable("The key service is unavailable.") from error

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> bytes:
        try:
            return self._kms.decrypt(CiphertextBlob=ciphertext, EncryptionContext=context, KeyId=self.key_id)[
                "Plaintext"
            ]
        except AWS_FAILURES as error:
            raise DependencyUnavailable("The key service is unavailable.") from error

    def ping(self) -> None:
        self._kms.describe_key(KeyId=self.key_id)
