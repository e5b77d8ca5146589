"""The encrypted files of SMART Health Links, in the attachments bucket under ``health-links/``.

That bucket already answers a browser's cross-origin call (the portal POSTs attachments there) and
the portal's page may already connect to it (its CSP), so the viewer page can fetch a file from
the location the manifest gives. Its lifecycle rule for this prefix (infra/template.yaml) deletes
a file some days after the longest a link lives, should a revoke ever have failed to. A file is
ciphertext: without the key in the link's fragment it reads as noise.
"""

from __future__ import annotations

from chalicelib.adapters import AWS_FAILURES
from chalicelib.adapters.s3 import S3ObjectStore
from chalicelib.errors import DependencyUnavailable

PREFIX = "health-links/"
UNAVAILABLE = "Shared file storage is unavailable."


class S3HealthLinkFiles(S3ObjectStore):
    def put_file(self, key: str, data: bytes, content_type: str) -> str:
        """Store one link's file; the new version's id ("" in a bucket without versions)."""
        extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self._kms_key_id} if self._kms_key_id else {}
        try:
            answer = self._s3.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, CacheControl="no-store", **extra
            )
        except AWS_FAILURES as error:
            raise DependencyUnavailable(UNAVAILABLE) from error
        version = str(answer.get("VersionId") or "")
        return "" if version == "null" else version

    def delete_file(self, key: str, version_id: str) -> None:
        """Delete the file for good: its version itself, not just a delete marker on top of it."""
        try:
            if version_id:
                self._s3.delete_object(Bucket=self.bucket, Key=key, VersionId=version_id)
            self._s3.delete_object(Bucket=self.bucket, Key=key)
        except AWS_FAILURES as error:
            raise DependencyUnavailable(UNAVAILABLE) from error
