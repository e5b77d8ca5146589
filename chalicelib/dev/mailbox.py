"""Reads the email the local SES stand-in (moto server) accepted and renders it as a page."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from html.parser import HTMLParser


@dataclass(frozen=True)
class Email:
    message_id: str
    sender: str
    to: tuple[str, ...]
    subject: str
    text: str
    links: tuple[str, ...]


class _TextAndLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            href = dict(attrs).get("href") or ""
            if href.startswith(("http://", "https://")):
                self.links.append(href)
                self._open_link = href
        if tag in ("p", "br", "div"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "a" and getattr(self, "_open_link", ""):
            self.parts.append(f": {self._open_link}")  # as the plain-text part of the email has it
            self._open_link = ""

    def handle_data(self, data):
        self.parts.append(data)


def fetch_emails(aws_endpoint_url: str, timeout: float = 3.0) -> list[Email]:
    """Newest first. moto keeps sent mail in send order and without a timestamp."""
    import urllib.error
    import urllib.request  # ~15 ms to import: paid by the local mailbox, not by every cold start

    for attempt in range(3):
        try:
            with urllib.request.urlopen(
                f"{aws_endpoint_url.rstrip('/')}/moto-api/data.json", timeout=timeout
            ) as answer:
                data = json.load(answer)
            break
        except urllib.error.HTTPError as error:
            # moto dumps its live objects: a write racing the dump (an S3 object being stored by the
            # feed) fails it with a 500. The next dump sees the finished object.
            if error.code != 500 or attempt == 2:
                raise
    emails = []
    for message in reversed(data.get("ses", {}).get("Message", [])):
        parser = _TextAndLinks()
        parser.feed(message.get("body") or "")
        destinations = message.get("destinations") or {}
        emails.append(
            Email(
                message_id=message.get("id", ""),
                sender=message.get("source", ""),
                to=tuple(destinations.get("ToAddresses", [])),
                subject=message.get("subject", ""),
                text="".join(parser.parts).strip(),
                links=tuple(parser.links),
            )
        )
    return emails


def render_page(emails: list[Email]) -> str:
    items = []
    for email in emails:
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
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>Local mailbox</title>"
        "<style>body{font-family:sans-serif;max-width:50rem;margin:2rem auto}article{border:1px solid #ccc;"
        "padding:1rem;margin:1rem 0}pre{white-space:pre-wrap}.meta{color:#555}</style></head>"
        f"<body><h1>Local mailbox ({len(emails)})</h1>{body}</body></html>"
    )
