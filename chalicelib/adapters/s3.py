from __future__ import annotations

from chalicelib.adapters import AWS_FAILURES
from chalicelib.errors import DependencyUnavailable, NotFound, ValidationFailed

# Presigned URLs are bearer tokens to PHI: they live five minutes at most.
MAX_PRESIGNED_SECONDS = 300


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
        self, key: str, expires_in: int = MAX_PRESIGNED_SECONDS, content_type: str = "", disposition: str = ""
    ) -> str:
        """A link to one object; ``content_type`` and ``disposition`` override what S3 answers with
        (the browser then shows or downloads the file as the portal decides, not as stored)."""
        if not 0 < expires_in <= MAX_PRESIGNED_SECONDS:
            raise ValidationFailed(f"A download link lives at most {MAX_PRESIGNED_SECONDS} seconds.")
        # Never kept in a browser's or proxy's cache: these are patient files.
        params = {"Bucket": self.bucket, "Key": key, "ResponseCacheControl": "no-store"}
        if content_type:
            params["ResponseContentType"] = content_type
        if disposition:
            params["ResponseContentDisposition"] = disposition
        return self._s3.generate_presigned_url("get_object", Params=params, ExpiresIn=expires_in)

    def ping(self) -> None:
        self._s3.head_bucket(Bucket=self.bucket)
