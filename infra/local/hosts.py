"""The host names the local stack answers for: its guard against DNS rebinding.

A web page open in the developer's browser can point a name it controls (``evil.example``) at
127.0.0.1 after it has loaded. The browser then treats the local stack as that page's own origin,
and the page could read the mailbox (every email, with its one-time links) from the API and every
table and bucket from the AWS stand-in, neither of which asks for credentials. Such requests still
carry the page's name in ``Host``, so both servers answer only requests whose ``Host`` names this
machine: 127.0.0.1, localhost, [::1], the address the stack binds, and any name listed in
PORTAL_ALLOWED_HOSTS (for a stack reached by another name), each without a port or with the
server's own. Anything else gets 421 Misdirected Request and a short plain message.

boto3 and PynamoDB inside the app call the AWS stand-in at AWS_ENDPOINT_URL, so with the bind
address; moto's Step Functions executor calls it back at localhost: both are allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
# Addresses that bind every interface: no request names them, so they allow nothing by themselves.
_WILDCARDS = ("0.0.0.0", "::", "[::]", "")
# A name (or an IPv6 address in brackets) and an optional port; nothing else may be in Host.
_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::([0-9]{1,5}))?")

REFUSAL_STATUS = 421
REFUSAL_REASON = "Misdirected Request"
REFUSAL_BODY = (
    b"Misdirected request: the local portal answers only for its own host names "
    b"(127.0.0.1, localhost, [::1]; add others with PORTAL_ALLOWED_HOSTS).\n"
)
REFUSAL_HEADERS = (("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store"))


@dataclass(frozen=True)
class HostGuard:
    names: frozenset[str]
    port: int

    def allows(self, host_header: str | None) -> bool:
        """Whether a request with this ``Host`` header is for this server (a missing one is not)."""
        match = _HOST.fullmatch((host_header or "").strip().lower())
        if match is None or match.group(1) not in self.names:
            return False
        return match.group(2) is None or int(match.group(2)) == self.port


def _as_host_name(name: str) -> str:
    name = name.strip().lower()
    return f"[{name}]" if ":" in name and not name.startswith("[") else name  # an IPv6 address


def host_guard(bind_host: str, port: int, extra_names: Iterable[str] = ()) -> HostGuard:
    names = {*LOOPBACK_NAMES, *(_as_host_name(n) for n in extra_names if n.strip())}
    if bind_host.strip() not in _WILDCARDS:
        names.add(_as_host_name(bind_host))
    return HostGuard(frozenset(names), port)


def allowed_names_from(environ_value: str) -> tuple[str, ...]:
    """PORTAL_ALLOWED_HOSTS: host names separated by commas (no ports: each server adds its own)."""
    return tuple(name.strip() for name in environ_value.split(",") if name.strip())


def host_checked(app, guard: HostGuard):
    """A WSGI application (the AWS stand-in) that answers only requests for ``guard``'s names."""

    def guarded(environ, start_response):
        if guard.allows(environ.get("HTTP_HOST")):
            return app(environ, start_response)
        start_response(
            f"{REFUSAL_STATUS} {REFUSAL_REASON}", [*REFUSAL_HEADERS, ("Content-Length", str(len(REFUSAL_BODY)))]
        )
        return [REFUSAL_BODY]

    return guarded
