"""A video visit's join link as a scheduling system sends it (pure: text in, text out).

Only an https address with a host, no user name or password in it, no spaces or control
characters, at most 2000 characters: anything else is no link (never an error), so a feed that
puts a phone number or a plain-text note where a link goes files the visit without one."""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LINK = 2000


def video_link(text: object) -> str:
    """``text`` when it is an acceptable join link, else ""."""
    if not isinstance(text, str):
        return ""
    link = text.strip()
    if not link or len(link) > MAX_LINK or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in link):
        return ""
    try:
        parts = urlsplit(link)
        port_ok = parts.port is None or 0 < parts.port < 65536
    except ValueError:
        return ""
    if parts.scheme.lower() != "https" or not parts.hostname or "@" in parts.netloc or not port_ok:
        return ""
    return link
