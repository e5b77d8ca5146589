"""Rendering and sending one notification."""

from __future__ import annotations

import html
from typing import Protocol

from chalicelib.notifications.domain import TEMPLATES, NotificationRequest, fill


class Mailer(Protocol):
    def send(self, to_address: str, subject: str, text: str, html: str) -> str: ...


def render(request: NotificationRequest, public_base_url: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a notification: the template's words and link, with the
    request's checked parameters filled in (escaped, with the words around them, in the HTML)."""
    template = TEMPLATES[request.template]
    lines = [fill(line, request.params) for line in template.lines]
    link = public_base_url.rstrip("/") + request.link_path
    text = "\n\n".join([*lines, f"{template.action}: {link}",
                        "This email was sent automatically; replies are not read."])
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    body = (f"<html><body>{paragraphs}<p><a href=\"{html.escape(link, quote=True)}\">{html.escape(template.action)}</a>"
            "</p><p>This email was sent automatically; replies are not read.</p></body></html>")
    return template.subject, text, body


def send(request: NotificationRequest, *, mailer: Mailer, public_base_url: str) -> str:
    subject, text, body = render(request, public_base_url)
    return mailer.send(request.to_address, subject, text, body)
