from __future__ import annotations

from chalicelib.adapters import AWS_FAILURES
from chalicelib.errors import DependencyUnavailable
from chalicelib.kernel.ports import DoesNotOpen


class KmsKeys:
    """Field-level encryption with the stack's key, for secrets that must not sit in a table or
    on a queue in clear (second-factor seeds, the codes and links a notification carries). The
    encryption context binds a ciphertext to what it belongs to, so it cannot be copied onto
    another record or message."""

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
        except self._kms.exceptions.InvalidCiphertextException:
            # Altered, or presented with another context (copied onto something it does not
            # belong to): no retry will open it.
            raise DoesNotOpen() from None
        except AWS_FAILURES as error:
            raise DependencyUnavailable("The key service is unavailable.") from error

    def ping(self) -> None:
        key_usable(self._kms, self.key_id)


def key_usable(client, key_id: str) -> None:
    """The key exists and is enabled: a disabled key, or one pending deletion, still answers
    DescribeKey while every Encrypt, Decrypt or GenerateMac with it is refused."""
    state = client.describe_key(KeyId=key_id)["KeyMetadata"].get("KeyState")
    if state != "Enabled":
        raise DependencyUnavailable("A key is not enabled.")


class KmsMacKey:
    """A KMS HMAC key (GenerateMac): its material never leaves KMS, and nothing can read it out."""

    ALGORITHM = "HMAC_SHA_256"

    def __init__(self, client, key_id: str):
        self._kms = client
        self.key_id = key_id

    def mac(self, message: bytes) -> bytes:
        try:
            return self._kms.generate_mac(KeyId=self.key_id, Message=message, MacAlgorithm=self.ALGORITHM)["Mac"]
        except AWS_FAILURES as error:
            raise DependencyUnavailable("The key service is unavailable.") from error

    def ping(self) -> None:
        key_usable(self._kms, self.key_id)


class KmsSigningKey:
    """A KMS RSA key (SIGN_VERIFY) that signs health apps' id_tokens (RS256): its private half
    never leaves KMS; its public half is read once per container and published as a JWK."""

    ALGORITHM = "RSASSA_PKCS1_V1_5_SHA_256"

    def __init__(self, client, key_id: str):
        self._kms = client
        self.key_id = key_id
        self._public_der: bytes | None = None

    def sign(self, message: bytes) -> bytes:
        try:
            return self._kms.sign(
                KeyId=self.key_id, Message=message, MessageType="RAW", SigningAlgorithm=self.ALGORITHM
            )["Signature"]
        except AWS_FAILURES as error:
            raise DependencyUnavailable("The key service is unavailable.") from error

    def public_key_der(self) -> bytes:
        if self._public_der is None:
            try:
                self._public_der = self._kms.get_public_key(KeyId=self.key_id)["PublicKey"]
            except AWS_FAILURES as error:
                raise DependencyUnavailable("The key service is unavailable.") from error
        return self._public_der

    def ping(self) -> None:
        key_usable(self._kms, self.key_id)
