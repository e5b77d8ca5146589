from __future__ import annotations

from typing import Any

from chalicelib.adapters import AWS_FAILURES
from chalicelib.errors import Conflict, DependencyUnavailable, NotFound, ValidationFailed
from chalicelib.messaging.domain import FileHead

# Presigned URLs are bearer tokens to PHI: they live five minutes at most.
MAX_PRESIGNED_SECONDS = 300
# The tag the attachments bucket's lifecycle rule deletes by (infra/template.yaml).
UNSENT_TAG = "unsent"


class S3ObjectStore:
    """A bucket of objects whose keys the server generates; encrypted with the stack's KMS key."""

    def __init__(self, client, bucket: str, kms_key_id: str = ""):
        self._s3 = client
        self.bucket = bucket
        self._kms_key_id = kms_key_id

    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None) -> None:
        extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self._kms_key_id} if self._kms_key_id else {}
        try:
            self._s3.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType=content_type, Metadata=metadata or {}, **extra
            )
        except AWS_FAILURES as error:
            raise DependencyUnavailable("Document storage is unavailable.") from error

    def get(self, key: str) -> bytes:
        try:
            return self._s3.get_object(Bucket=self.bucket, Key=key)["Body"].read()
        except self._s3.exceptions.NoSuchKey as error:
            raise NotFound("No such document.") from error
        except AWS_FAILURES as error:
            raise DependencyUnavailable("Document storage is unavailable.") from error

    def presigned_get(
        self,
        key: str,
        expires_in: int = MAX_PRESIGNED_SECONDS,
        content_type: str = "",
        disposition: str = "",
        version_id: str = "",
    ) -> str:
        """A link to one object (to ``version_id`` of it, when given); ``content_type`` and
        ``disposition`` override what S3 answers with (the browser then shows or downloads the
        file as the portal decides, not as stored)."""
        if not 0 < expires_in <= MAX_PRESIGNED_SECONDS:
            raise ValidationFailed(f"A download link lives at most {MAX_PRESIGNED_SECONDS} seconds.")
        # Never kept in a browser's or proxy's cache: these are patient files.
        params = {"Bucket": self.bucket, "Key": key, "ResponseCacheControl": "no-store"}
        if content_type:
            params["ResponseContentType"] = content_type
        if disposition:
            params["ResponseContentDisposition"] = disposition
        if version_id:
            params["VersionId"] = version_id
        return self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)

    def ping(self) -> None:
        self._s3.head_bucket(Bucket=self.bucket)


class S3Attachments(S3ObjectStore):
    """The message attachments bucket: files a browser uploads straight to it through a presigned
    POST, checked by the server before they go with a message. Uploads land under ``uploads/``
    (which the bucket's lifecycle rule empties after a day, so a file never checked does not
    stay); a checked file is copied under ``attachments/`` and its upload deleted."""

    UNAVAILABLE = "Attachment storage is unavailable."

    def presigned_post(self, key: str, content_type: str, max_bytes: int, expires_in: int) -> dict[str, Any]:
        """A form that uploads one file to ``key``: S3 refuses it unless its Content-Type is exactly
        ``content_type`` and its size is 1 to ``max_bytes`` bytes, and after ``expires_in`` seconds.
        The bucket's default encryption (the stack's KMS key) encrypts what lands."""
        fields: dict[str, str] = {"Content-Type": content_type}
        conditions: list[object] = [
            {"Content-Type": content_type},
            ["content-length-range", 1, max_bytes],
        ]
        try:
            return self._s3.generate_presigned_post(
                Bucket=self.bucket, Key=key, Fields=fields, Conditions=conditions, ExpiresIn=expires_in
            )
        except AWS_FAILURES as error:
            raise DependencyUnavailable(self.UNAVAILABLE) from error

    def head_bytes(self, key: str, count: int) -> FileHead | None:
        """The first ``count`` bytes of an object, its whole size and which version of it they
        are, in one ranged GET (the file is never read whole); None when there is no such object."""
        try:
            answer = self._s3.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{count - 1}")
        except self._s3.exceptions.NoSuchKey:
            return None
        except AWS_FAILURES as error:
            if _status(error) == 416:  # an empty object has no byte 0: refused as too small to be a file
                return FileHead(b"", 0)
            if _status(error) == 404:
                return None
            raise DependencyUnavailable(self.UNAVAILABLE) from error
        with answer["Body"] as body:
            first = body.read(count)
        # "bytes 0-261/12345": the whole size after the slash (no Content-Range: the object was whole)
        whole = str(answer.get("ContentRange") or "").rpartition("/")[2]
        size = int(whole) if whole.isdigit() else int(answer.get("ContentLength") or len(first))
        version = str(answer.get("VersionId") or "")
        return FileHead(first, size, "" if version == "null" else version, str(answer.get("ETag") or ""))

    def copy(self, source: FileHead, source_key: str, target: str, content_type: str, disposition: str) -> None:
        """Copy the very version of ``source_key`` that ``source`` read to ``target``, encrypted with
        the stack's key, stored with the type and the file name it is served with (so a download
        link names neither). The upload form stays usable for a while after a check: another file
        posted to the same key meanwhile is never what is copied (Conflict when the version read
        is gone, and in a bucket without versions when the object changed)."""
        extra = {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": self._kms_key_id} if self._kms_key_id else {}
        copied: dict[str, str] = {"Bucket": self.bucket, "Key": source_key}
        if source.version_id:
            copied["VersionId"] = source.version_id
        if source.etag:
            extra["CopySourceIfMatch"] = source.etag
        try:
            self._s3.copy_object(
                Bucket=self.bucket,
                Key=target,
                CopySource=copied,
                ContentType=content_type,
                ContentDisposition=disposition,
                CacheControl="no-store",
                MetadataDirective="REPLACE",
                # Until it goes with a message: the bucket's lifecycle rule deletes a file tagged
                # unsent after a week, so one checked and never sent does not stay for ever.
                Tagging=f"{UNSENT_TAG}=true",
                TaggingDirective="REPLACE",
                **extra,
            )
        except AWS_FAILURES as error:
            if _status(error) in (404, 412):
                raise Conflict("The file changed after it was checked; check it again.") from error
            raise DependencyUnavailable(self.UNAVAILABLE) from error

    def mark_sent(self, key: str) -> None:
        """The file went with a message: kept as long as the message (the lifecycle rule no longer
        applies to it)."""
        try:
            self._s3.put_object_tagging(
                Bucket=self.bucket, Key=key, Tagging={"TagSet": [{"Key": UNSENT_TAG, "Value": "false"}]}
            )
        except AWS_FAILURES as error:
            raise DependencyUnavailable(self.UNAVAILABLE) from error

    def delete_quietly(self, key: str) -> None:
        """Delete what the bucket's lifecycle rule would delete anyway: a failure is only logged."""
        try:
            self._s3.delete_object(Bucket=self.bucket, Key=key)
        except AWS_FAILURES:
            from chalicelib.observability import logger

            logger.warning("an upload was left for the bucket's lifecycle rule")

    def delete(self, key: str) -> None:
        try:
            self._s3.delete_object(Bucket=self.bucket, Key=key)
        except AWS_FAILURES as error:
            raise DependencyUnavailable(self.UNAVAILABLE) from error

    def exists(self, key: str) -> bool:
        try:
            self._s3.head_object(Bucket=self.bucket, Key=key)
        except AWS_FAILURES as error:
            if _status(error) == 404:
                return False
            raise DependencyUnavailable(self.UNAVAILABLE) from error
        return True


def _status(error: Exception) -> int:
    response = getattr(error, "response", None) or {}
    return int((response.get("ResponseMetadata") or {}).get("HTTPStatusCode") or 0)
