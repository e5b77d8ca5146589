"""The visitor's own address when a request came through the portal's CloudFront distribution.

Behind CloudFront, API Gateway sees CloudFront's address, shared by everyone that edge serves:
the per-address throttle of sign-in and recovery would count a whole city as one visitor (and an
attacker spread over edges as many). CloudFront tells the origin who the visitor is, but any
caller can write those headers itself, straight to API Gateway. So they are believed only on a
request that carries the edge secret, a header the distribution adds toward the API (its value a
stack secret, never sent to browsers); any other request keeps the address API Gateway saw.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Mapping

EDGE_SECRET_HEADER = "x-portal-edge"


def viewer_address(headers: Mapping[str, str], edge_secret: str) -> str | None:
    """The visitor's address as CloudFront gives it, or None when the request did not come through
    the distribution (no secret configured, or the header missing or wrong)."""
    if not edge_secret:
        return None
    given = headers.get(EDGE_SECRET_HEADER) or ""
    if not hmac.compare_digest(given.encode(), edge_secret.encode()):
        return None
    # CloudFront-Viewer-Address is "<ip>:<port>" (IPv6 unbracketed: the port follows the last ':').
    stated = headers.get("cloudfront-viewer-address") or ""
    if stated:
        return _address(stated.rsplit(":", 1)[0])
    # Otherwise X-Forwarded-For: whatever the visitor sent, then the visitor's address as CloudFront
    # saw it, then CloudFront's own as API Gateway saw it.
    hops = [hop.strip() for hop in (headers.get("x-forwarded-for") or "").split(",") if hop.strip()]
    return _address(hops[-2]) if len(hops) >= 2 else None


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        return None
