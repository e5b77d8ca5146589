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


# The whole vocabulary of the portal's email. Adding a kind of email means adding a template
# here, reviewed for PHI: none of these may name a test, a clinic, a clinician or a condition.
TEMPLATES: dict[str, Template] = {
    "account_ready": Template(
        subject="Your patient portal account is ready",
        lines=("An account has been created for you on the patient portal.",
               "Sign in with the user name and password your administrator gave you."),
        action="Open the portal"),
    "invitation": Template(
        subject="You are invited to the patient portal",
        lines=("You have been invited to use the patient portal.",
               "The link below works once and expires; if it has expired, ask for a new invitation."),
        action="Accept the invitation"),
    "something_waiting": Template(
        subject="Something new is waiting in your patient portal",
        lines=("There is something new for you in the patient portal.",
               "For your privacy we do not say what in email. Sign in to see it."),
        action="Sign in to the portal"),
}

# Patterns are used with fullmatch: "$" alone would also accept a trailing newline.
_NOTIFICATION_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}")
# A link is a path inside the portal: no scheme, no host, so a message cannot point people elsewhere.
_LINK_PATH = re.compile(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]{0,1023}")


@dataclass(frozen=True)
class NotificationRequest:
    notification_id: str  # the producer's id: sending is idempotent on it
    template: str
    to_address: str
    link_path: str

    @classmethod
    def from_message(cls, message: Any) -> "NotificationRequest":
        if not isinstance(message, dict):
            raise ValidationFailed("A notification is a JSON object.")
        problems = []

        def text(name: str, default: str = "") -> str:
            value = message.get(name, default)
            return value if isinstance(value, str) else ""

        if not _NOTIFICATION_ID.fullmatch(text("notification_id")):
            problems.append({"field": "notification_id", "issue": "required: 1 to 128 letters, digits, '-', '_' or '.'"})
        if text("template") not in TEMPLATES:
            problems.append({"field": "template", "issue": f"one of {sorted(TEMPLATES)}"})
        if not _EMAIL.fullmatch(text("to_address")):
            problems.append({"field": "to_address", "issue": "not an email address"})
        link_path = text("link_path", "/")
        if not _LINK_PATH.fullmatch(link_path) or link_path.startswith("//"):
            problems.append({"field": "link_path", "issue": "must be a path inside the portal, starting with /"})
        unknown = sorted(set(message) - {"notification_id", "template", "to_address", "link_path"})
        if unknown:
            problems.append({"field": ",".join(unknown), "issue": "not accepted"})
        if problems:
            raise ValidationFailed("The notification request is not valid.", problems)
        return cls(message["notification_id"], message["template"], message["to_address"], link_path)
