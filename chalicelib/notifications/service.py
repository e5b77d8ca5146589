"""Rendering and sending one notification, and keeping an account's notices in its inbox."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.accounts.domain import AccountStatus
from chalicelib.accounts.stores import Directory
from chalicelib.errors import DependencyUnavailable
from chalicelib.kernel.ports import Mailer
from chalicelib.notifications.domain import TEMPLATES, InboxItem, NotificationRequest, fill
from chalicelib.notifications.stores import Inbox


class LinkSettings(Protocol):
    @property
    def public_base_url(self) -> str:
        """Where the links in emails lead (the web frontend)."""
        ...


class DeliveryPorts(Protocol):
    """The account a notice is for (the directory), its inbox, SES, and where links lead."""

    @property
    def settings(self) -> LinkSettings: ...

    @property
    def mailer(self) -> Mailer: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def inbox(self) -> Inbox: ...


def render(request: NotificationRequest, public_base_url: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a notification: the template's words and link, with the
    request's checked parameters filled in (escaped, with the words around them, in the HTML)."""
    template = TEMPLATES[request.template]
    lines = [fill(line, request.params) for line in template.lines]
    link = public_base_url.rstrip("/") + request.link_path
    text = "\n\n".join(
        [*lines, f"{template.action}: {link}", "This email was sent automatically; replies are not read."]
    )
    paragraphs = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    body = (
        f'<html><body>{paragraphs}<p><a href="{html.escape(link, quote=True)}">{html.escape(template.action)}</a>'
        "</p><p>This email was sent automatically; replies are not read.</p></body></html>"
    )
    return template.subject, text, body


class MailRefused(DependencyUnavailable):
    """The mail service refused the email (its delivery record says so, in those words)."""


def send(request: NotificationRequest, *, mailer: Mailer, public_base_url: str, to_address: str = "") -> str:
    """Email the request to ``to_address``, or else to the request's own address."""
    subject, text, body = render(request, public_base_url)
    try:
        return mailer.send(to_address or request.to_address, subject, text, body)
    except DependencyUnavailable as error:
        raise MailRefused(error.message) from error


@dataclass(frozen=True)
class Delivery:
    """What became of one request, in ids and codes (it is logged and kept as the idempotency
    record's result)."""

    ses_message_id: str = ""  # "" when no email went out
    inbox: str = ""  # "added"; "kept" (there already: a retry after a failure); "folded" (into another); "" (no inbox)
    not_emailed: str = ""  # why no email: no_account, account_not_active, no_verified_address, preference_off, folded

    def as_json(self) -> dict[str, str]:
        return {"ses_message_id": self.ses_message_id, "inbox": self.inbox, "not_emailed": self.not_emailed}


def deliver(ports: DeliveryPorts, request: NotificationRequest, now: datetime) -> Delivery:
    """Send one request. An address alone: the email, as asked. An account: looked up now, when
    the notice goes (a timer may fire days after the request was made, and the address or the
    preferences may have changed since). The notice always goes into the account's inbox; it is
    emailed only if the template's preference is on and there is an address: ``to_address`` if
    the producer named one, else the account's verified address while the account is active.

    The inbox write is a conditional put on the notification id, so a retry after a failed email
    keeps the one item; sending once per id is the caller's idempotency."""
    base_url = ports.settings.public_base_url
    if not request.account_id:
        return Delivery(ses_message_id=send(request, mailer=ports.mailer, public_base_url=base_url))
    if request.released_at:
        # A notice of released records folds into the account's open notice of minutes before
        # (notifications/folding.py): no second email; that notice unread again if it was read.
        # (Its own fold, found again by a retry after a failed email, is sent as the first.)
        released_at = datetime.fromisoformat(request.released_at)
        fold_id, joined = ports.inbox.fold(request.account_id, request.template, request.notification_id, released_at)
        if joined and fold_id != request.notification_id:
            ports.inbox.unread_again(request.account_id, fold_id, released_at)
            return Delivery(inbox="folded", not_emailed="folded")
    account = ports.directory.account(request.account_id)
    if account is None:  # accounts are never deleted: a producer's mistake, and a retry will not mend it
        return Delivery(not_emailed="no_account")
    inbox = "added" if ports.inbox.add(InboxItem.of(request, now)) else "kept"
    preference = TEMPLATES[request.template].preference
    # A preference never set is on (identity.enrollment.DEFAULT_PREFERENCES are all on).
    if preference and not account.notification_preferences.get(preference, True):
        return Delivery(inbox=inbox, not_emailed="preference_off")
    address = request.to_address
    if not address and account.status is not AccountStatus.ACTIVE:
        return Delivery(inbox=inbox, not_emailed="account_not_active")  # "sign in to see it" would mislead
    if not address and account.email_verified:
        address = account.email
    if not address:
        return Delivery(inbox=inbox, not_emailed="no_verified_address")
    return Delivery(
        ses_message_id=send(request, mailer=ports.mailer, public_base_url=base_url, to_address=address), inbox=inbox
    )
