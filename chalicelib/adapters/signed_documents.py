"""The signed-documents bucket: PDFs patients signed, each stored once under object lock.

The bucket has versioning and object lock (infra/template.yaml, SignedDocumentsBucket). Each PDF is
put with its own retention (mode and date: settings.signed_form_lock_mode and _days) and its
SHA-256 as S3's checksum, so S3 refuses bytes that changed on the way and keeps the digest beside
the object. Under the lock no one may delete or change that version until its date (in COMPLIANCE
mode no one at all; in GOVERNANCE only a role allowed to bypass it). A later put to the same key
is a new version beside it, never a change to it: a download names the version its record keeps.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

from chalicelib.adapters import AWS_FAILURES
from chalicelib.adapters.s3 import MAX_PRESIGNED_SECONDS, S3ObjectStore, _status
from chalicelib.errors import DependencyUnavailable

UNAVAILABLE = "Signed document storage is unavailable."


@dataclass(frozen=True)
class StoredObject:
    version_id: str
    sha256: str  # lower-case hex, from S3's own checksum of what it stored
    size: int
    metadata: dict[str, str]


class S3SignedDocuments(S3ObjectStore):
    def put_locked(
        self,
        key: str,
        data: bytes,
        sha256_hex: str,
        retain_until: datetime,
        mode: str,
        metadata: dict[str, str],
        content_type: str = "application/pdf",
    ) -> str:
        """Store ``data`` under lock until ``retain_until``; the new version's id ("" in a bucket
        without versions)."""
        extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self._kms_key_id} if self._kms_key_id else {}
        try:
            answer = self._s3.put_object(
                Bucket=self.bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                Metadata=metadata,
                ChecksumAlgorithm="SHA256",
                ChecksumSHA256=base64.b64encode(bytes.fromhex(sha256_hex)).decode("ascii"),
                ObjectLockMode=mode,
                ObjectLockRetainUntilDate=retain_until,
                CacheControl="no-store",
                **extra,
            )
        except AWS_FAILURES as error:
            raise DependencyUnavailable(UNAVAILABLE) from error
        version = str(answer.get("VersionId") or "")
        return "" if version == "null" else version

    def stored(self, key: str) -> StoredObject | None:
        """What the key holds now (its latest version), or None."""
        try:
            answer = self._s3.head_object(Bucket=self.bucket, Key=key, ChecksumMode="ENABLED")
        except AWS_FAILURES as error:
            if _status(error) == 404:
                return None
            raise DependencyUnavailable(UNAVAILABLE) from error
        checksum = str(answer.get("ChecksumSHA256") or "")
        version = str(answer.get("VersionId") or "")
        return StoredObject(
            version_id="" if version == "null" else version,
            sha256=base64.b64decode(checksum).hex() if checksum else "",
            size=int(answer.get("ContentLength") or 0),
            metadata={str(k).lower(): str(v) for k, v in (answer.get("Metadata") or {}).items()},
        )

    def presigned_version(self, key: str, version_id: str, filename: str) -> str:
        """A five-minute link to one version of one PDF, shown in the browser as ``filename``."""
        return self.presigned_get(
            key, MAX_PRESIGNED_SECONDS, "application/pdf", f'inline; filename="{filename}"', version_id
        )
