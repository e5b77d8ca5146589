"""Cross-origin calls from browsers (CORS), for the origins a deployment names and no others.

The portal's own web frontend is served from the API's origin (same origin: no CORS at all), so
the allowed list is empty by default in AWS; locally it names the frontend's development server.
A deployment that hosts a frontend elsewhere lists its origin in PORTAL_CORS_ALLOWED_ORIGINS.

Credentials never travel in cookies (a bearer token in the Authorization header), so no origin
is ever allowed credentials and a foreign page cannot ride on a signed-in browser (no CSRF).

Every path answers OPTIONS (http.routing registers it, without an authorizer) so that the
preflight reaches the app as deployed and on the local stack alike; the request envelope answers
it here. API Gateway's own CORS support cannot do this: it sends one fixed origin.
"""

from __future__ import annotations

from collections.abc import Collection

# What a browser may send and read beyond the simple headers.
ALLOWED_REQUEST_HEADERS = ("Authorization", "Content-Type", "X-Correlation-Id")
EXPOSED_RESPONSE_HEADERS = ("Location", "Retry-After", "WWW-Authenticate", "X-Correlation-Id")
PREFLIGHT_MAX_AGE_SECONDS = 600  # browsers cap it (Chromium: 2 hours); fewer preflights per page

# SMART on FHIR's public endpoints: a health app running in a browser, on its own origin, calls
# them with its bearer token or its form; any origin may, and none with credentials (there are no
# cookies to ride on). Never the portal's own API (/v1): that stays with the listed origins.
OPEN_PATHS = ("/oauth2/token", "/oauth2/introspect", "/oauth2/revoke", "/oauth2/jwks")
# A SMART Health Link's manifest (/shl/<id>) too: any viewer opens it, and the link is the permission.
OPEN_PREFIXES = ("/fhir/", "/shl/")


def open_to_any_origin(route_path: str) -> bool:
    return route_path in OPEN_PATHS or route_path.startswith(OPEN_PREFIXES)


def open_response_headers() -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Expose-Headers": ", ".join(EXPOSED_RESPONSE_HEADERS),
    }


def open_preflight_headers(requested_method: str, methods: Collection[str]) -> dict[str, str] | None:
    if requested_method.upper() not in methods:
        return None
    return {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": ", ".join(sorted(methods)),
        "Access-Control-Allow-Headers": ", ".join(ALLOWED_REQUEST_HEADERS),
        "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_SECONDS),
    }


def response_headers(origin: str, allowed: Collection[str]) -> dict[str, str]:
    """Headers for an actual (not preflight) response: the origin is echoed only if allowed.
    ``Vary: Origin`` always, so a cache never hands one origin's answer to another."""
    headers = {"Vary": "Origin"}
    if origin and origin in allowed:
        headers["Access-Control-Allow-Origin"] = origin
        headers["Access-Control-Expose-Headers"] = ", ".join(EXPOSED_RESPONSE_HEADERS)
    return headers


def preflight_headers(
    origin: str, requested_method: str, methods: Collection[str], allowed: Collection[str]
) -> dict[str, str] | None:
    """Headers that allow the preflight, or None when it is refused (unknown origin, or a method
    the path does not serve)."""
    if not origin or origin not in allowed or requested_method.upper() not in methods:
        return None
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": ", ".join(sorted(methods)),
        "Access-Control-Allow-Headers": ", ".join(ALLOWED_REQUEST_HEADERS),
        "Access-Control-Max-Age": str(PREFLIGHT_MAX_AGE_SECONDS),
        "Vary": "Origin",
    }
