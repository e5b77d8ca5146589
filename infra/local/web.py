"""The web portal on the local stack: web/dist (built by `make run`) beside the API, on one origin.

Paths under /v1/ and /dev/ are the API's; every other GET or HEAD is answered here: a file of the
build, or index.html for any other path, so that an address the single-page app routes itself
(/enroll?code=..., /sign-in) loads the app when opened directly or from an email. A missing
file under /assets/ is a 404, not index.html: a stale page asking for an old bundle must fail
plainly rather than be handed HTML as JavaScript. In AWS, CloudFront serves the same build.
"""

from __future__ import annotations

import mimetypes
import os
import posixpath
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

# Health apps (SMART on FHIR): the authorization server (/oauth2/) and the FHIR API (/fhir/) share
# the origin too. A SMART Health Link's manifest (/shl/<id>) is the API's; the viewer page /shl is
# the web's.
API_PREFIXES = ("/v1/", "/dev/", "/oauth2/", "/fhir/", "/shl/")
API_PATHS = ("/v1", "/dev")


# The page loads only its own files and calls only its own origin, and the attachments bucket's
# (a message attachment is POSTed there straight from the browser, with the form the API signed).
# Vite's build has no inline script, so scripts need no 'unsafe-inline'; style-src allows none
# either (React sets styles through the DOM, which CSP does not restrict). USWDS's CSS embeds
# small images as data: URLs.
#
# Staff read a proxy request's uploaded documents and signed form beside it: a frame (PDF) or an
# image (PNG, JPEG) straight from the attachments and signed-documents buckets, so frame-src and
# img-src name those two buckets' origins and nothing wider. That is safe: the bucket is another
# origin than the page's (a framed file cannot reach the page, its storage or its session), each
# object is reached only through a presigned link the API hands to staff of the request's
# organization, which expires in five minutes, and an upload's type was told from its bytes when
# it was checked (only PDF, PNG or JPEG is kept, and the link names that type).
#
# img-src also allows any https: origin, for the logos of health apps (the consent page, Connected
# apps): an organization's admin registers each app's logo address, checked https. An image cannot
# run script (script-src stays 'self'), the page sends no Referer (Referrer-Policy: no-referrer), and
# the logo's host learns no more than that someone viewed a page showing that app's logo.
def content_security_policy(upload_origins: str, document_origins: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: https: {document_origins}".strip(),
            "font-src 'self'",
            f"connect-src 'self' {upload_origins}".strip(),
            f"frame-src {document_origins}".strip() if document_origins else "frame-src 'none'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        )
    )


# The attachments bucket's origins in AWS, as the template's CloudFront policy writes them (Fn::Sub):
# boto3 signs a presigned POST for the regional endpoint, or the global one in us-east-1.
UPLOAD_ORIGINS_IN_AWS = (
    "https://${AttachmentsBucket}.s3.${AWS::Region}.amazonaws.com https://${AttachmentsBucket}.s3.amazonaws.com"
)
# The origins staff's document links point at in AWS: the attachments bucket (uploaded documents)
# and the signed-documents bucket (the signed form), each regional and global as above.
DOCUMENT_ORIGINS_IN_AWS = (
    f"{UPLOAD_ORIGINS_IN_AWS} https://${{SignedDocumentsBucket}}.s3.${{AWS::Region}}.amazonaws.com"
    " https://${SignedDocumentsBucket}.s3.amazonaws.com"
)


def local_upload_origin() -> str:
    """On the local stack, every bucket is the AWS stand-in's (AWS_ENDPOINT_URL, path-style): the
    uploads' origin and the documents' are one."""
    return os.environ.get("AWS_ENDPOINT_URL", "").rstrip("/")


HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def page_headers() -> dict[str, str]:
    """Every answer's security headers, the CSP naming where this stack's uploads go."""
    buckets = local_upload_origin()
    return {"Content-Security-Policy": content_security_policy(buckets, buckets), **HEADERS}


# index.html names the hashed bundles, so it is fetched afresh each time; the bundles themselves
# never change under their names.
HTML_CACHE = "no-cache"
ASSET_CACHE = "public, max-age=31536000, immutable"
# mimetypes reads the machine's tables, which differ (and on some lack .woff2, .mjs): fixed here.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".ico": "image/x-icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".txt": "text/plain; charset=utf-8",
}
NOT_BUILT = b"The web portal is not built: `make run` builds it (or run `npm run build` in web/).\n"
NOT_FOUND = b"Not found.\n"


def is_api_path(path: str) -> bool:
    """Whether a request path (query string included or not) belongs to the API."""
    path = urllib.parse.urlsplit(path).path
    return path in API_PATHS or path.startswith(API_PREFIXES)


@dataclass(frozen=True)
class WebAnswer:
    status: int
    headers: dict[str, str]
    body: bytes


def _content_type(path: Path) -> str:
    return CONTENT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _plain(status: int, body: bytes) -> WebAnswer:
    return WebAnswer(
        status, {**page_headers(), "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}, body
    )


def answer(root: Path, request_path: str) -> WebAnswer:
    """What the web portal answers a GET of ``request_path`` with, from the build in ``root``."""
    path = posixpath.normpath(urllib.parse.unquote(urllib.parse.urlsplit(request_path).path))
    index = root / "index.html"
    if not index.is_file():
        return _plain(503, NOT_BUILT)
    relative = path.lstrip("/")
    # normpath has already folded every "..", so a path cannot climb out of the root; a file is
    # also checked to really be inside it (a symlink in the build would be followed otherwise).
    candidate = (root / relative).resolve() if relative and "\x00" not in relative else None
    if candidate is not None and candidate.is_file() and candidate.is_relative_to(root.resolve()):
        cache = ASSET_CACHE if relative.startswith("assets/") else HTML_CACHE
        return WebAnswer(
            200,
            {**page_headers(), "Content-Type": _content_type(candidate), "Cache-Control": cache},
            candidate.read_bytes(),
        )
    if relative.startswith("assets/"):
        return _plain(404, NOT_FOUND)
    return WebAnswer(
        200, {**page_headers(), "Content-Type": CONTENT_TYPES[".html"], "Cache-Control": HTML_CACHE}, index.read_bytes()
    )
