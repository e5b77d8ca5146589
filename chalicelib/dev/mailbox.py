"""Reads the email the local SES stand-in accepted, a page at a time, and renders it as a page.

The stand-in is moto, running in the local stack's own process (``make run`` starts moto and the
API in one process; the integration tests run moto in theirs), so the mailbox reads its list of
sent messages directly. It used to ask moto's server for a dump of everything it held (every
table item and stored file, to find the email among them): that grew with the run, and failed
when a write raced the dump. Now a page costs what its messages cost, however much the run holds.
"""

from __future__ import annotations

import html
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any

from chalicelib.errors import ValidationFailed

DEFAULT_PAGE = 20


@dataclass(frozen=True)
class Email:
    message_id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    text: str
    links: tuple[str, ...]


@dataclass(frozen=True)
class MailboxPage:
    emails: list[Email]  # newest first
    total: int  # every email accepted so far
    next_cursor: str  # "" on the page with the oldest email
    limit: int
    newest: bool  # the page of the newest email (asked without a cursor)


class _TextAndLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []
        self._open_link = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.links.append(href)
                self._open_link = href
        if tag in ("p", "br", "div"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open_link:
            self.parts.append(f": {self._open_link}")  # as the plain-text part of the email has it
            self._open_link = ""

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def sent_messages(region: str) -> Sequence[Any]:
    """moto's list of the messages SES accepted in this process, oldest first (it only grows
    during a run; moto keeps no timestamp, so the order is the only age there is)."""
    from moto.core import DEFAULT_ACCOUNT_ID  # the local stage only: moto is a development tool
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID][region].sent_messages


def email_of(message: Any) -> Email:
    """One of moto's messages as the mailbox shows it (only send_email's carry a body)."""
    parser = _TextAndLinks()
    parser.feed(getattr(message, "body", "") or "")
    destinations = getattr(message, "destinations", None) or {}
    return Email(
        message_id=getattr(message, "id", ""),
        sender=getattr(message, "source", ""),
        to=tuple(destinations.get("ToAddresses", [])),
        subject=getattr(message, "subject", ""),
        text="".join(parser.parts).strip(),
        links=tuple(parser.links),
    )


def read_page(messages: Sequence[Any], limit: int = DEFAULT_PAGE, cursor: str = "") -> MailboxPage:
    """The ``limit`` newest messages older than ``cursor``, newest first.

    A cursor is the count of messages older than the last page's oldest, so a page keeps its
    place while new mail arrives (mail is only ever added at the end). Only this page's messages
    are read and parsed.
    """
    total = len(messages)  # read once: the list may grow while this runs
    if cursor == "":
        end = total
    elif cursor.isdigit() and 0 < int(cursor) <= total:
        end = int(cursor)
    else:
        raise ValidationFailed("The page cursor is not valid.", [{"field": "cursor"}])
    start = max(0, end - limit)
    emails = [email_of(message) for message in reversed(messages[start:end])]
    return MailboxPage(emails, total, next_cursor=str(start) if start else "", limit=limit, newest=not cursor)


def render_page(page: MailboxPage) -> str:
    items = []
    for email in page.emails:
        links = "".join(
            f'<li><a href="{html.escape(link, quote=True)}">{html.escape(link)}</a></li>' for link in email.links
        )
        items.append(
            f"<article><h2>{html.escape(email.subject)}</h2>"
            f"<p class=meta>To {html.escape(', '.join(email.to))} &middot; from {html.escape(email.sender)}"
            f" &middot; id {html.escape(email.message_id)}</p>"
            f"<pre>{html.escape(email.text)}</pre><ul>{links}</ul></article>"
        )
    body = "".join(items) or "<p>No email yet. Email the portal sends appears here, newest first.</p>"
    navigation = []
    if page.next_cursor:
        older = urllib.parse.urlencode({"limit": page.limit, "cursor": page.next_cursor})
        navigation.append(f'<a href="?{html.escape(older, quote=True)}">Older email</a>')
    if not page.newest:
        navigation.append(f'<a href="?limit={page.limit}">Newest email</a>')
    nav = f"<nav>{' &middot; '.join(navigation)}</nav>" if navigation else ""
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>Local mailbox</title>"
        "<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto}article{border:1px solid #ccc;"
        "padding:1rem;margin:1rem 0}pre{white-space:pre-wrap}.meta{color:#555}</style></head>"
        f"<body><h1>Local mailbox ({page.total})</h1>{nav}{body}{nav}</body></html>"
    )
