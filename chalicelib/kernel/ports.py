"""The AWS services as services see them: the verbs the adapters (chalicelib.adapters) speak,
as Protocols. A service names the ones it uses in its own ports Protocol; tests pass fakes.
(Dated events are timers.service.Timers, beside the service that schedules them.)"""

from __future__ import annotations

from typing import Any, Protocol


class Queue(Protocol):
    """An SQS queue: a message is a JSON object (FIFO queues also take a group and a dedup id)."""

    def send(self, message: dict[str, Any], group_id: str = "", deduplication_id: str = "") -> str: ...

    def send_raw(self, body: str, group_id: str, deduplication_id: str, attributes: dict[str, str]) -> str:
        """A body sent as it is (a replayed feed message), with string message attributes."""
        ...


class ObjectStore(Protocol):
    """An S3 bucket of the stack, written under server-made keys."""

    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None) -> None: ...

    def get(self, key: str) -> bytes: ...

    def presigned_get(
        self, key: str, expires_in: int = ..., content_type: str = "", disposition: str = "", version_id: str = ""
    ) -> str: ...


class Mailer(Protocol):
    def send(self, to_address: str, subject: str, text: str, html: str) -> str: ...


class DoesNotOpen(Exception):
    """A ciphertext that the key will not open: altered, or presented with another context. No
    retry opens it. Whether that is the caller's doing (a tampered queue message) or the server's
    (a damaged stored secret) is for the code that asked to say."""


class Keys(Protocol):
    """The stack's KMS key, for secrets kept at rest (bound to their owner by a context).
    ``decrypt`` raises DoesNotOpen for a ciphertext that does not open with its context."""

    def encrypt(self, plaintext: bytes, context: dict[str, str]) -> bytes: ...

    def decrypt(self, ciphertext: bytes, context: dict[str, str]) -> bytes: ...
