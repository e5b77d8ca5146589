from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from chalicelib.errors import ValidationFailed


@dataclass(frozen=True)
class Template:
    subject: str
    lines: tuple[str, ...]
    action: str  # the label of the one link
    path: str  # where the link goes in the portal; "{token}" is replaced by the request's token

    @property
    def needs_token(self) -> bool:
        return "{token}" in self.path


# The whole vocabulary of the portal's email. Adding a kind of email means adding a template
# here, reviewed for PHI: none of these may name a test, a clinic, a clinician or a condition.
# Each template owns its link: a producer cannot put words into a URL, only an opaque token.
TEMPLATES: dict[str, Template] = {
    "account_ready": Template(
        subject="Your patient portal account is ready",
        lines=("An account has been created for you on the patient portal.",
               "Sign in with the user name and password your administrator gave you."),
        action="Open the portal", path="/"),
    "invitation": Template(
        subject="You are invited to the patient portal",
        lines=("You have been invited to use the patient portal.",
               "The link below works once and expires; if it has expired, ask for a new invitation."),
        action="Accept the invitation", path="/invitations/{token}"),
    "something_waiting": Template(
        subject="Something new is waiting in your patient portal",
        lines=("There is something new for you in the patient portal.",
               "For your privacy we do not say what in email. Sign in to see it."),
        action="Sign in to the portal", path="/"),
}

# Patterns are used with fullmatch: "$" alone would also accept a trailing newline.
_NOTIFICATION_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}")
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,128}")  # opaque, random: carries no meaning of its own
FIELDS = ("notification_id", "template", "to_address", "token")


@dataclass(frozen=True)
class NotificationRequest:
    notification_id: str  # the producer's id: sending is idempotent on it
    template: str
    to_address: str
    token: str = ""

    @property
    def link_path(self) -> str:
        return TEMPLATES[self.template].path.replace("{token}", self.token)

    @classmethod
    def from_message(cls, message: Any) -> "NotificationRequest":
        if not isinstance(message, dict):
            raise ValidationFailed("A notification is a JSON object.")
        problems = []

        def text(name: str) -> str:
            value = message.get(name, "")
            return value if isinstance(value, str) else ""

        if not _NOTIFICATION_ID.fullmatch(text("notification_id")):
            problems.append({"field": "notification_id", "issue": "required: 1 to 128 letters, digits, '-', '_' or '.'"})
        template = TEMPLATES.get(text("template"))
        if template is None:
            problems.append({"field": "template", "issue": f"one of {sorted(TEMPLATES)}"})
        if not _EMAIL.fullmatch(text("to_address")):
            problems.append({"field": "to_address", "issue": "not an email address"})
        if template is not None and template.needs_token and not _TOKEN.fullmatch(text("token")):
            problems.append({"field": "token", "issue": "required: 16 to 128 letters, digits, '-' or '_'"})
        if template is not None and not template.needs_token and "token" in message:
            problems.append({"field": "token", "issue": "this template takes no token"})
        unknown = sorted(set(message) - set(FIELDS))
        if unknown:
            problems.append({"field": ",".join(unknown), "issue": "not accepted"})
        if problems:
            raise ValidationFailed("The notification request is not valid.", problems)
        return cls(message["notification_id"], message["template"], message["to_address"], text("token"))
