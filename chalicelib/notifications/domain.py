from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.errors import ValidationFailed


@dataclass(frozen=True)
class Param:
    """A value a producer may pass for a template: never free text, always one fixed shape."""

    pattern: re.Pattern[str]  # used with fullmatch: "$" alone would also accept a trailing newline
    shape: str  # what a valid value is, in the words of a validation detail
    in_link: bool  # True: it may go only into the link path; False: only into the lines


# The whole set of parameters. Each is a short, checked value that is not PHI: an opaque token,
# the account's own user name, a one-time code. Adding one means adding it here, reviewed for PHI,
# and adding its field to NotificationRequest and FIELDS.
PARAMS: dict[str, Param] = {
    "token": Param(re.compile(r"[A-Za-z0-9_-]{16,128}"), "16 to 128 letters, digits, '-' or '_'", in_link=True),
    "username": Param(
        re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}"),
        "3 to 64 lowercase letters, digits, '.', '_', '@' or '-', starting with a letter or digit",
        in_link=False,
    ),
    "code": Param(re.compile(r"[0-9]{6}"), "6 digits", in_link=False),
    # How long a link works, in words ("7 days", "36 hours"): a deployment's setting, never PHI.
    "lifetime": Param(
        re.compile(r"[1-9][0-9]{0,4} (minute|hour|day)s?"),
        "a whole number of minutes, hours or days, such as '7 days'",
        in_link=False,
    ),
    # A support request's reference number and its id (support/): what the person quotes, and the
    # staff page's address; neither says anything of what was written.
    "reference": Param(re.compile(r"SR-[0-9A-F]{8}"), "SR- and 8 hex digits, such as 'SR-1A2B3C4D'", in_link=False),
    "support_request": Param(re.compile(r"[0-9a-f]{32}"), "32 lowercase hex digits", in_link=True),
}


def lifetime_words(seconds: int) -> str:
    """A lifetime in seconds as the ``lifetime`` parameter says it: in the largest whole unit it
    fills exactly, so the email never promises more time than the link has (a part left over is
    said in the next smaller unit: 36 hours, not 1 day)."""
    for unit, size in (("day", 86400), ("hour", 3600)):
        if seconds >= size and seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    count = max(1, seconds // 60)
    return f"{count} minute{'s' if count != 1 else ''}"


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{name}`` replaced by its value, in one pass: a value is never read again."""
    return _PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


@dataclass(frozen=True)
class Template:
    subject: str
    lines: tuple[str, ...]  # may hold "{username}" or "{code}" if the template declares it
    action: str  # the label of the one link
    path: str  # where the link goes in the portal; may hold "{token}" if the template declares it
    params: tuple[str, ...] = ()  # what a request for this template must carry, and all it may carry
    # True: a request may name an account instead of an address. The notice is then kept in the
    # account's portal inbox (titled with the subject) and emailed to its verified address.
    inbox: bool = False
    # The account's notification preference (identity.enrollment.DEFAULT_PREFERENCES) that says
    # whether an account-addressed notice of this template is emailed; "" when none applies.
    preference: str = ""

    def __post_init__(self) -> None:
        # A template that would leave a placeholder unfilled, or take a value it never shows, or
        # put a value where it does not belong (a user name into a URL), is a bug: fail at import.
        unknown = [name for name in self.params if name not in PARAMS]
        if unknown or len(set(self.params)) != len(self.params):
            raise ValueError(f"template params must be distinct names from {sorted(PARAMS)}: {self.params}")
        if self.inbox and self.params:
            # An inbox keeps a notice for good: never a link that works once, a code or a user name.
            raise ValueError(f"an inbox template takes no parameters: {self.params}")
        if self.preference and not self.inbox:
            raise ValueError("only an inbox template is sent by the account's preference")
        if not self.path.startswith("/") or self.path.startswith("//"):
            raise ValueError(f"a template's path is a path in the portal: {self.path!r}")
        in_link = {name for name in self.params if PARAMS[name].in_link}
        in_lines = set(self.params) - in_link
        for where, texts, allowed in (
            ("path", (self.path,), in_link),
            ("lines", self.lines, in_lines),
            ("subject", (self.subject,), set()),
            ("action", (self.action,), set()),
        ):
            used = {name for text in texts for name in _PLACEHOLDER.findall(text)}
            if used != allowed or any(c in _PLACEHOLDER.sub("", text) for text in texts for c in "{}"):
                raise ValueError(f"the {where} of a template must use exactly {sorted(allowed)}, found {sorted(used)}")


# The whole vocabulary of the portal's email. Adding a kind of email means adding a template
# here, reviewed for PHI: none of these may name a test, a clinic, a clinician or a condition.
# Each template owns its link and its words: a producer cannot put words into an email or a URL,
# only the parameters the template declares, each checked against its pattern.
TEMPLATES: dict[str, Template] = {
    "account_ready": Template(
        subject="Your patient portal account is ready",
        lines=(
            "An account has been created for you on the patient portal.",
            "Sign in with the user name and password your administrator gave you.",
        ),
        action="Open the portal",
        path="/",
    ),
    "invitation": Template(
        subject="You are invited to the patient portal",
        lines=(
            "You have been invited to use the patient portal.",
            "The link below works once and expires after {lifetime}. If it has expired, ask for a new invitation.",
        ),
        action="Accept the invitation",
        path="/enroll?code={token}",
        params=("token", "lifetime"),
    ),
    # An account with no record of its own, for someone who will ask to act for a patient. Like
    # the invitation, nothing says for whom, nor who the invitee is.
    "proxy_invitation": Template(
        subject="You are invited to the patient portal",
        lines=(
            "You have been invited to open a patient portal account, from which you can ask for access "
            "to the record of someone you care for.",
            "The link below works once and expires after {lifetime}. If it has expired, ask for a new invitation.",
        ),
        action="Open your account",
        path="/enroll?code={token}",
        params=("token", "lifetime"),
    ),
    # A patient chose this person to see their record. The code travels in the link's fragment:
    # browsers never send a fragment, so it never reaches a server's access log. Whose record it
    # is the person sees once signed in, never in email.
    "proxy_trusted_invitation": Template(
        subject="Someone has shared their patient portal record with you",
        lines=(
            "A patient has chosen you as someone they trust to see their record in the patient portal.",
            "Sign in, or open an account, to accept. The link below works once and expires after {lifetime}.",
            "If you do not know why you received this, you can ignore this email.",
        ),
        action="Accept the invitation",
        path="/proxy-invitation#code={token}",
        params=("token", "lifetime"),
    ),
    "something_waiting": Template(
        subject="Something new is waiting in your patient portal",
        lines=(
            "There is something new for you in the patient portal.",
            "For your privacy we do not say what in email. Sign in to see it.",
        ),
        action="Sign in to the portal",
        path="/",
        inbox=True,
        preference="email_new_results",
    ),
    # A result with a critical value: the care team calls the patient about it (a worklist item
    # made when it was filed). The notice says so, and, like every email, nothing of what it is
    # (not even that it is a result: an email may be read by someone else).
    "care_team_will_call": Template(
        subject="Your care team will contact you about something new in your patient portal",
        lines=(
            "There is something new for you in the patient portal, and your care team will contact you about it.",
            "For your privacy we do not say what in email. Sign in to see it.",
            "If you feel unwell, do not wait for the call: contact your provider's office, or in an emergency call 911.",
        ),
        action="Sign in to the portal",
        path="/",
        inbox=True,
        preference="email_new_results",
    ),
    "email_verification": Template(
        subject="Confirm your email address for the patient portal",
        lines=(
            "Please confirm that this is the email address for your patient portal account.",
            "If you did not ask for this, you can ignore this email.",
        ),
        action="Confirm this address",
        path="/verify-email?token={token}",
        params=("token",),
    ),
    # Staff entered a new address on the patient's record: its owner confirms it before any
    # invitation goes there. Like every email, nothing says which clinic or which patient.
    "contact_email_confirmation": Template(
        subject="Confirm your email address for the patient portal",
        lines=(
            "Your provider's office asked us to use this email address for your patient portal invitations.",
            "Please confirm it is yours. The link below works once and expires after 24 hours.",
            "If you did not expect this, you can ignore this email: the address will not be used.",
        ),
        action="Confirm this address",
        path="/confirm-contact-email?token={token}",
        params=("token",),
    ),
    "password_reset": Template(
        subject="Reset your patient portal password",
        lines=(
            "We received a request to reset the password of your patient portal account.",
            "The link below is valid for 30 minutes and works once.",
            "If you did not ask for this, you can ignore this email: your password is unchanged.",
        ),
        action="Choose a new password",
        path="/reset-password?token={token}",
        params=("token",),
    ),
    "account_setup": Template(
        subject="Your patient portal staff account has been created",
        lines=(
            "A staff account on the patient portal has been created for you.",
            "Use the link below to choose your user name and your password. The link is valid for 72 hours.",
            "If it has expired, ask for a password reset with this email address: a new link comes.",
        ),
        action="Set up your account",
        path="/account-setup?token={token}",
        params=("token",),
    ),
    "username_reminder": Template(
        subject="Your patient portal user name",
        lines=(
            "You asked for a reminder of your patient portal user name.",
            "Your user name is {username}.",
            "If you did not ask for this, you can ignore this email.",
        ),
        action="Sign in to the portal",
        path="/",
        params=("username",),
    ),
    "sign_in_code": Template(
        subject="Your patient portal sign-in code",
        lines=(
            "Your sign-in code is {code}. It expires in 10 minutes. Nobody from the portal will ask you for it.",
            "If you are not signing in right now, do not use the code, and reset your password.",
        ),
        action="Open the portal",
        path="/",
        params=("code",),
    ),
    "account_locked": Template(
        subject="Signing in to your patient portal account is paused",
        lines=(
            "There were several failed attempts to sign in to your patient portal account.",
            "To protect your account, signing in with the password alone is paused for 15 minutes.",
            "You can still sign in: after your password, we email you a link and a code to finish.",
            "If the failed attempts were not you, there is nothing to do: they did not get in.",
        ),
        action="Open the portal",
        path="/",
    ),
    "sign_in_unlock": Template(
        subject="Finish signing in to your patient portal",
        lines=(
            "Someone signed in to your patient portal account with its password while signing in was paused.",
            "If it was you, follow the link and enter the code {code}. Both expire in 10 minutes.",
            "If it was not you, do not use the code, and reset your password: someone else knows it.",
        ),
        action="Finish signing in",
        path="/sign-in/continue?challenge={token}",
        params=("token", "code"),
    ),
    "password_changed": Template(
        subject="Your patient portal password was changed",
        lines=(
            "The password of your patient portal account was changed.",
            "If it was you, there is nothing more to do.",
            "If it was not you, reset your password and contact your provider's office.",
        ),
        action="Open the portal",
        path="/",
    ),
    "email_changed": Template(
        subject="The email address of your patient portal account was changed",
        lines=(
            "The email address of your patient portal account was changed. "
            "We are telling you at your previous address.",
            "If it was you, there is nothing more to do.",
            "If it was not you, reset your password and contact your provider's office.",
        ),
        action="Open the portal",
        path="/",
    ),
    "second_factor_changed": Template(
        subject="The second sign-in step of your patient portal account was changed",
        lines=(
            "The second sign-in step of your patient portal account was changed.",
            "If it was you, there is nothing more to do.",
            "If it was not you, reset your password and contact your provider's office.",
        ),
        action="Open the portal",
        path="/",
    ),
    "portal_access_suspended": Template(
        subject="Your patient portal access is paused",
        lines=(
            "Your provider's office has paused your access to the patient portal.",
            "Please contact the office if you have questions.",
        ),
        action="Open the portal",
        path="/",
    ),
    "portal_access_ended": Template(
        subject="Your patient portal access has ended",
        lines=(
            "Your access to the patient portal has ended.",
            "Please contact your provider's office if you have questions.",
        ),
        action="Open the portal",
        path="/",
    ),
    # To someone acting for a patient (a parent, a guardian, an agent, a trusted person): something
    # new in a record they have access to, and only something their access shows. Never whose
    # record, nor what it is (an email may be read by someone else).
    "proxy_new_item": Template(
        subject="There is something new in a record you have access to",
        lines=(
            "There is something new in a patient portal record you have access to.",
            "For privacy we do not say whose record or what in email. Sign in to see it.",
        ),
        action="Sign in to the portal",
        path="/",
        inbox=True,
        preference="email_new_results",
    ),
    # A care team answered the patient: the notice waits in their portal inbox and is emailed by
    # their message-email preference. Never which team, who, or what about.
    "new_message": Template(
        subject="You have a new message in your patient portal",
        lines=(
            "You have a new message in the patient portal.",
            "For your privacy we do not say who it is from or what it says in email. Sign in to read it.",
        ),
        action="Sign in to read it",
        path="/messages",
        inbox=True,
        preference="email_messages",
    ),
    # To each member of a care team: a patient wrote. Never which patient or what about.
    "care_team_message_waiting": Template(
        subject="A patient message is waiting in your care team's inbox",
        lines=(
            "A patient message is waiting in your care team's inbox in the patient portal.",
            "Sign in as staff to read it.",
        ),
        action="Open the inbox",
        path="/staff/messages",
    ),
    # To an organization's support address: a request waits in its staff queue. Never what was
    # written, who wrote it or how to reach them (they may be about a person's health).
    "support_request_waiting": Template(
        subject="A support request is waiting in the patient portal",
        lines=("Support request {reference} is waiting in the patient portal.", "Sign in as staff to read it."),
        action="Open the support request",
        path="/staff/support/{support_request}",
        params=("reference", "support_request"),
    ),
    # To the person who sent a support request, if they gave an email address.
    "support_request_received": Template(
        subject="We received your support request",
        lines=(
            "We received your support request. Its reference number is {reference}: quote it if you contact us.",
            "Support will reach you the way you asked.",
        ),
        action="Open the portal",
        path="/",
        params=("reference",),
    ),
    # To the account that asked for a refill, once staff approved or denied it: kept in its portal
    # inbox and emailed. Never the medication, the pharmacy, the outcome or its reason. No
    # preference turns it off: it answers something the patient asked for and waits on.
    "refill_request_decided": Template(
        subject="There is an update to your refill request",
        lines=(
            "There is an update to your refill request in the patient portal.",
            "For your privacy we do not say more in email. Sign in to see it.",
        ),
        action="Sign in to see the update",
        path="/medications",
        inbox=True,
    ),
    # To a proxy (a parent, guardian, agent or trusted person) when a grant naming them changed:
    # revoked, ended, renewed, consented to or declined, or narrowed at a child's 12th birthday
    # (proxies/grants.py). Never whose record nor what changed: the link is their own list.
    "proxy_access_update": Template(
        subject="There is an update to your access to a record",
        lines=(
            "There is an update to your access to a record in the patient portal.",
            "For privacy we do not say more in email. Sign in to see it.",
        ),
        action="Sign in to see the update",
        path="/proxy-requests",
        inbox=True,
    ),
    # Some hours before a booked visit (appointments/reminders.py). Never when, where, with whom
    # or what for: an email may be read by someone else. Emailed by the account's appointment
    # preference, and kept in the portal inbox either way.
    "appointment_reminder": Template(
        subject="You have an appointment coming up",
        lines=(
            "You have an appointment coming up.",
            "For your privacy we do not say when or where in email. Sign in to see it.",
        ),
        action="See your appointments",
        path="/appointments",
        inbox=True,
        preference="email_appointments",
    ),
    # To the account that asked for an appointment, when staff propose a time, book it or decline
    # it: kept in its portal inbox and emailed. Never the time, place, clinician, reason or
    # outcome, nor even that it is about a visit (the words of every email name no kind of care):
    # the portal page it links to says what the request was. No preference turns it off: it
    # answers something the patient asked for and waits on.
    "appointment_request_update": Template(
        subject="There is an update to your request",
        lines=(
            "There is an update to a request you made in the patient portal.",
            "For your privacy we do not say more in email. Sign in to see it.",
        ),
        action="Sign in to see the update",
        path="/appointments",
        inbox=True,
    ),
    # To the account that asked for proxy access, when staff approve or deny the request. Never
    # whose record, the relationship, the outcome or its reason: the portal page says.
    "proxy_request_update": Template(
        subject="There is an update to your proxy access request",
        lines=(
            "There is an update to your proxy access request in the patient portal.",
            "For your privacy we do not say more in email. Sign in to see it.",
        ),
        action="Sign in to see the update",
        path="/proxy-requests",
        inbox=True,
    ),
    # To an adult patient whose consent a staff-approved proxy request waits for. Never who asked
    # or why: the portal's sharing page shows it, and the patient agrees or refuses there.
    "proxy_access_asked": Template(
        subject="Someone has asked for access to your record",
        lines=(
            "Someone has asked for access to your record in the patient portal.",
            "Nothing is shared until you agree. Sign in to see the request and answer it.",
        ),
        action="Sign in to answer",
        path="/sharing",
        inbox=True,
    ),
    # To the account that asked for a download of a record (apps/export), once its files are
    # ready. Never whose record nor what it holds: the portal page lists the files. No preference
    # turns it off: it answers something the person asked for and waits on.
    "record_export_ready": Template(
        subject="Your download is ready",
        lines=(
            "The download you asked for in the patient portal is ready.",
            "For your privacy we do not say more in email. Sign in to get it within a week.",
        ),
        action="Sign in to download",
        path="/records/download",
        inbox=True,
    ),
}

NOTIFICATION_ID = re.compile(r"[A-Za-z0-9._-]{1,128}")
_ACCOUNT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}")
FIELDS = (
    "notification_id",
    "template",
    "to_address",
    "token",
    "username",
    "code",
    "lifetime",
    "reference",
    "support_request",
    "account_id",
    "released_at",
)
# released_at: when what an inbox notice tells of was released (ISO 8601, UTC). Several releases
# fold into one notice id; one released after the patient read it makes the notice unread again.
_RELEASED_AT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})")


def _problems(values: Mapping[str, Any], given: Collection[str]) -> list[dict[str, str]]:
    """Every problem of a request at once. ``given``: the optional fields (parameters, address,
    account) the producer passed; each one given must be valid, even when empty."""

    def text(name: str) -> str:
        value = values.get(name, "")
        return value if isinstance(value, str) else ""

    problems = []
    if not NOTIFICATION_ID.fullmatch(text("notification_id")):
        problems.append({"field": "notification_id", "issue": "required: 1 to 128 letters, digits, '-', '_' or '.'"})
    template = TEMPLATES.get(text("template"))
    if template is None:
        problems.append({"field": "template", "issue": f"one of {sorted(TEMPLATES)}"})
    to_account = "account_id" in given
    if to_account and not _ACCOUNT_ID.fullmatch(text("account_id")):
        problems.append({"field": "account_id", "issue": "1 to 64 letters, digits, '-' or '_'"})
    elif to_account and template is not None and not template.inbox:
        problems.append({"field": "account_id", "issue": "this template is sent to an address only"})
    if "released_at" in given and not (to_account and _RELEASED_AT.fullmatch(text("released_at"))):
        problems.append({"field": "released_at", "issue": "an ISO 8601 time with its offset, for an account's notice"})
    if "to_address" in given and not _EMAIL.fullmatch(text("to_address")):
        problems.append({"field": "to_address", "issue": "not an email address"})
    elif "to_address" not in given and not to_account:
        problems.append({"field": "to_address", "issue": "required: an email address, unless account_id is given"})
    if template is not None:
        for name, param in PARAMS.items():
            if name in template.params and not param.pattern.fullmatch(text(name)):
                problems.append({"field": name, "issue": f"required: {param.shape}"})
            elif name not in template.params and name in given:
                problems.append({"field": name, "issue": f"this template takes no {name}"})
    return problems


@dataclass(frozen=True)
class NotificationRequest:
    """A valid request: constructing one checks it, so only checked values reach an email.

    It names an address (``to_address``), an account (``account_id``, for an inbox template), or
    both. An account is looked up when the notice is sent: it is kept in the account's inbox and
    emailed, by the account's preference, to ``to_address`` if given, else to the account's
    verified address."""

    notification_id: str  # the producer's id: sending is idempotent on it
    template: str
    to_address: str = ""
    token: str = ""  # "" unless the template declares it; likewise username and code
    username: str = ""
    code: str = ""
    lifetime: str = ""
    reference: str = ""
    support_request: str = ""
    account_id: str = ""
    released_at: str = ""  # an inbox notice of released records: when (see FIELDS)

    def __post_init__(self) -> None:
        given = [name for name in (*PARAMS, "to_address", "account_id", "released_at") if getattr(self, name) != ""]
        problems = _problems(self.__dict__, given=given)
        if problems:
            raise ValidationFailed("The notification request is not valid.", problems)

    @property
    def params(self) -> dict[str, str]:
        """The values of the template's parameters, and nothing else."""
        return {name: getattr(self, name) for name in TEMPLATES[self.template].params}

    @property
    def link_path(self) -> str:
        return fill(TEMPLATES[self.template].path, self.params)

    @classmethod
    def from_message(cls, message: Any) -> NotificationRequest:
        if not isinstance(message, dict):
            raise ValidationFailed("A notification is a JSON object.")
        problems = _problems(message, given=message.keys())
        unknown = sorted(set(message) - set(FIELDS))
        if unknown:
            problems.append({"field": ",".join(unknown), "issue": "not accepted"})
        if problems:
            raise ValidationFailed("The notification request is not valid.", problems)
        return cls(**{name: message.get(name, "") for name in FIELDS})


@dataclass(frozen=True)
class InboxItem:
    """A notice kept in an account's portal inbox. No PHI: its title is its template's email
    subject, and nothing else of the request (no address, no parameter) is kept."""

    account_id: str
    notification_id: str
    template: str
    title: str
    created_at: datetime
    read_at: datetime | None = None

    @classmethod
    def of(cls, request: NotificationRequest, at: datetime) -> InboxItem:
        return cls(
            account_id=request.account_id,
            notification_id=request.notification_id,
            template=request.template,
            title=TEMPLATES[request.template].subject,
            created_at=at,
        )
