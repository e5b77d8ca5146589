"""The Terms of Use and the Informed Consent and User Agreement: the version in force, and its
publication by an admin.

Terms are deployment-wide, not per organization: a patient may be connected to several
organizations of one deployment, and signs in to one portal, so they accept one text. So one
organization publishes them, the one the deployment names (``PORTAL_TERMS_ORGANIZATION``): the
admins of any other organization could otherwise make every patient of the deployment accept a
text they wrote. With none named, nobody publishes. Versions are stored (chalicelib.data.terms);
until one is published, the version shipped here (``SHIPPED``) is in force. The versions shipped
before it (``EARLIER_SHIPPED``) stay readable: patients accepted them, and an admin or counsel
may need to read what they accepted. A version is never changed once
published: a new one has a new label, and every patient whose accepted version is not the
current one is asked to accept it at their next sign-in (sessions.restriction_for). A session
opened before the publication keeps going until it ends (at most the session's lifetime): the
restriction is decided when a session opens.

The current version is read at every patient sign-in, at enrollment and by ``GET /v1/terms``;
``CachedTerms`` keeps it for a few seconds in the container, so a publication reaches every
container within ``CACHE_SECONDS`` (the container that published it at once).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import Conflict, Forbidden, NotFound, ValidationFailed
from chalicelib.identity.organization_names import OrganizationNames
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.clock import iso
from chalicelib.kernel.origin import Origin

# A label names a version in URLs of the documentation, in the audit trail and in each account.
VERSION_LABEL = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
MAX_TEXT = 20_000
MAX_SUMMARY = 500
MAX_HISTORY = 100  # versions listed (older ones stay stored, and their labels stay taken)
CACHE_SECONDS = 30


@dataclass(frozen=True)
class Terms:
    version: str
    terms_of_use: str
    consent: str
    summary: str = ""  # what changed, in the publishing admin's words
    published_at: datetime | None = None  # None: the version shipped with the portal

    def as_json(self) -> dict[str, str | None]:
        # what changed goes with the text, so that a patient asked to accept again is told why
        return {
            "version": self.version,
            "terms_of_use": self.terms_of_use,
            "consent": self.consent,
            "summary": self.summary or None,
        }


@dataclass(frozen=True)
class TermsHistoryEntry:
    version: str
    summary: str
    published_at: datetime | None


# What the portal does today, and nothing more: a promise of a feature that is not built
# (connected apps, say) would be a promise the hospital cannot keep. A change of this
# text gets a new label, so every patient accepts it at their next sign-in.
SHIPPED = Terms(
    version="2026-12-05.2",
    terms_of_use=(
        "The patient portal lets you see parts of your health record: your test results, documents such "
        "as visit and discharge summaries, and a summary of your health (allergies, conditions, medications, "
        "immunizations, visits and upcoming appointments as your care team recorded them). You can send "
        "messages to your care teams, with files attached; they are usually answered within three business "
        "days, so do not use messages for anything urgent. You can ask for refills of the prescriptions that "
        "can be refilled online; your care team approves or declines each request. You can ask for "
        "appointments and cancel them through the portal; your care team confirms each request. You can let "
        "someone you trust see parts of your record, and a parent of a child under 12, a guardian or a health "
        "care agent may be given access after the clinic checks their documents; you see in the portal who "
        "has access, and you can end it at any time. "
        "The portal is not for emergencies: call 911 or go to the nearest emergency department. "
        "Keep your user name, password and second factor to yourself; you are responsible for what is done "
        "with your account. We may suspend access that is misused. Every access to your record through the "
        "portal is logged, and you can see that log in the portal."
    ),
    consent=(
        "By using the portal you agree to receive health information electronically. Most results are "
        "released to you as soon as they are available, sometimes before your clinician has reviewed them; "
        "your care team may delay some kinds of results for a set time, and you may choose to wait for your "
        "clinician's review. What you write in a message, and the files you attach, are kept by the portal "
        "and sent to the clinical systems of the organization you write to. You may stop using the portal at "
        "any time and ask for your records on paper."
    ),
)


# The versions shipped before SHIPPED, newest first, word for word as patients accepted them: their
# accounts name these labels, so each label stays taken and its text stays readable.
EARLIER_SHIPPED: tuple[Terms, ...] = (
    Terms(
        version="2026-12-05",
        terms_of_use=(
            "The patient portal lets you see parts of your health record: your test results, documents such "
            "as visit and discharge summaries, and a summary of your health (allergies, conditions, medications, "
            "immunizations, visits and upcoming appointments as your care team recorded them). You can send "
            "messages to your care teams, with files attached; they are usually answered within three business "
            "days, so do not use messages for anything urgent. You can ask for refills of the prescriptions that "
            "can be refilled online; your care team approves or declines each request. You cannot book "
            "appointments through the portal: call your care team. "
            "The portal is not for emergencies: call 911 or go to the nearest emergency department. "
            "Keep your user name, password and second factor to yourself; you are responsible for what is done "
            "with your account. We may suspend access that is misused. Every access to your record through the "
            "portal is logged, and you can see that log in the portal."
        ),
        consent=(
            "By using the portal you agree to receive health information electronically. Most results are "
            "released to you as soon as they are available, sometimes before your clinician has reviewed them; "
            "your care team may delay some kinds of results for a set time, and you may choose to wait for your "
            "clinician's review. What you write in a message, and the files you attach, are kept by the portal "
            "and sent to the clinical systems of the organization you write to. You may stop using the portal at "
            "any time and ask for your records on paper."
        ),
    ),
    Terms(
        version="2026-12-04",
        terms_of_use=(
            "The patient portal lets you see parts of your health record: your test results, documents such "
            "as visit and discharge summaries, and a summary of your health (allergies, conditions, medications, "
            "immunizations, visits and upcoming appointments as your care team recorded them). You cannot send "
            "messages, book appointments or ask for refills through the portal: call your care team for those. "
            "The portal is not for emergencies: call 911 or go to the nearest emergency department. "
            "Keep your user name, password and second factor to yourself; you are responsible for what is done "
            "with your account. We may suspend access that is misused. Every access to your record through the "
            "portal is logged, and you can see that log in the portal."
        ),
        consent=(
            "By using the portal you agree to receive health information electronically. Most results are "
            "released to you as soon as they are available, sometimes before your clinician has reviewed them; "
            "your care team may delay some kinds of results for a set time, and you may choose to wait for your "
            "clinician's review. You may stop using the portal at any time and ask for your records on paper."
        ),
    ),
    Terms(
        version="2026-11-01",
        terms_of_use=(
            "The patient portal lets you see parts of your health record, message your care team and manage "
            "appointments. It is not for emergencies: call 911 or go to the nearest emergency department. "
            "Keep your user name, password and second factor to yourself; you are responsible for what is done "
            "with your account. Messages are usually answered within three business days. We may suspend access "
            "that is misused. Every access to your record is logged, and you can see that log in the portal."
        ),
        consent=(
            "By using the portal you agree to receive health information electronically. Some results are "
            "released to you as soon as they are available, sometimes before your clinician has reviewed them; "
            "you may choose to wait for your clinician's review. You may stop using the portal at any time and "
            "ask for your records on paper. Access you grant to others (proxies, connected apps) can be withdrawn "
            "at any time."
        ),
    ),
)
ALL_SHIPPED: dict[str, Terms] = {t.version: t for t in (SHIPPED, *EARLIER_SHIPPED)}


class TermsStore(Protocol):
    def current(self) -> Terms | None:
        """The version in force, or None while none was ever published."""
        ...

    def current_now(self) -> Terms | None:
        """The same, read consistently from the store, never from a cache: what a publication
        is checked against."""
        ...

    def version(self, label: str) -> Terms | None:
        """A published version by its label (None if no version has it)."""
        ...

    def history(self) -> list[TermsHistoryEntry]:
        """The published versions, newest first (at most MAX_HISTORY); empty while none was."""
        ...

    def publish(self, terms: Terms, replaces: str | None) -> None:
        """Store a new version and make it current, on condition that ``replaces`` (None: none
        published yet) is still current and that no version has the label: Conflict otherwise."""
        ...


class TermsPorts(Protocol):
    @property
    def terms(self) -> TermsStore: ...


class PublishPorts(TermsPorts, AuditPorts, Protocol):
    """The stored versions, the audit trail, and organizations' names (to say who publishes)."""

    @property
    def organization_names(self) -> OrganizationNames: ...


def current(ports: TermsPorts) -> Terms:
    """The version patients accept now."""
    return ports.terms.current() or SHIPPED


def publisher(ports: PublishPorts, caller: Caller, organization_id: str) -> dict[str, Any]:
    """Who publishes the terms of this deployment, and whether the caller may."""
    name = ports.organization_names.name(organization_id) if organization_id else None
    return {
        "organization_id": organization_id or None,
        "organization_name": name,
        "caller_may_publish": bool(organization_id) and caller.organization_id == organization_id,
    }


def _refusal(ports: PublishPorts, organization_id: str) -> Forbidden:
    if not organization_id:
        return Forbidden(
            "Nobody publishes the Terms of Use on this deployment: the version shipped with the portal stays in force."
        )
    name = ports.organization_names.name(organization_id) or organization_id
    return Forbidden(f"Only the admins of {name} publish the Terms of Use of this portal.")


def versions(ports: PublishPorts, caller: Caller, publishing_organization: str) -> dict[str, Any]:
    """The current version in full and every version's label, summary and date, newest first;
    the shipped versions close the list (they were in force before the first publication), and
    who publishes."""
    stored = ports.terms.history()
    shipped = [TermsHistoryEntry(t.version, "", None) for t in (SHIPPED, *EARLIER_SHIPPED)]
    entries = [*stored, *shipped] if len(stored) < MAX_HISTORY else stored
    in_force = current(ports)
    return {
        "publisher": publisher(ports, caller, publishing_organization),
        "current": _full(in_force),
        "history": [
            {
                "version": e.version,
                "summary": e.summary or None,
                "published_at": iso(e.published_at) if e.published_at else None,
                "current": e.version == in_force.version,
            }
            for e in entries
        ],
    }


def one_version(ports: TermsPorts, label: str) -> dict[str, Any]:
    """One version in full, current or past (what patients accepted then)."""
    if label in ALL_SHIPPED:
        return _full(ALL_SHIPPED[label])
    found = ports.terms.version(label) if VERSION_LABEL.fullmatch(label or "") else None
    if found is None:
        raise NotFound("No version has this label.")
    return _full(found)


def publish(
    ports: PublishPorts,
    caller: Caller,
    origin: Origin,
    publishing_organization: str,
    version: str,
    replaces: str,
    terms_of_use: str,
    consent: str,
    summary: str,
    now: datetime,
) -> dict[str, Any]:
    """Publish a new version: from now on it is the one patients accept (at their next sign-in).
    Only the admins of ``publishing_organization`` may (none when it is empty). ``replaces`` is
    the version the admin read as current: if another was published since, the admin has not
    read it, and the publication is refused rather than silently put on top of it."""
    if not publishing_organization or caller.organization_id != publishing_organization:
        # (an attempt to change what every patient of the deployment accepts: kept in the trail)
        write_audit(
            ports,
            origin,
            caller_actor(caller),
            "terms.published",
            Outcome.DENIED,
            action=Action.CREATE,
            resource_type="Contract",
            resource_id=version if VERSION_LABEL.fullmatch(version) else "",
            reason="not_the_publishing_organization",
        )
        raise _refusal(ports, publishing_organization)
    problems = []
    if not VERSION_LABEL.fullmatch(version):
        problems.append(
            {"field": "version", "issue": "1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit"}
        )
    for field, text, limit in (
        ("terms_of_use", terms_of_use, MAX_TEXT),
        ("consent", consent, MAX_TEXT),
        ("summary", summary, MAX_SUMMARY),
    ):
        if not text.strip():
            problems.append({"field": field, "issue": "required"})
        elif len(text) > limit:
            problems.append({"field": field, "issue": f"at most {limit} characters"})
    if problems:
        raise ValidationFailed("The new version needs another look.", problems)
    # Read past this container's cache: another container may have published a moment ago.
    stored = ports.terms.current_now()
    in_force = stored or SHIPPED
    if replaces != in_force.version:
        raise Conflict(
            f"Version {in_force.version} was published after you read version {replaces}: "
            "read it, then publish again if you still need to.",
            [{"field": "replaces"}],
        )
    if version in ALL_SHIPPED or version == in_force.version:
        raise Conflict("A version with this label exists already: choose another.", [{"field": "version"}])
    terms = Terms(version, terms_of_use.strip(), consent.strip(), summary.strip(), now)
    ports.terms.publish(terms, stored.version if stored else None)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "terms.published",
        action=Action.CREATE,
        resource_type="Contract",
        resource_id=version,
    )
    return _full(terms)


def _full(terms: Terms) -> dict[str, Any]:
    return {
        **terms.as_json(),
        "published_at": iso(terms.published_at) if terms.published_at else None,
    }


class CachedTerms:
    """A TermsStore whose current version is kept for ``seconds`` in this container: the terms
    are read at every patient sign-in and by the public GET /v1/terms, and change rarely. Other
    containers see a publication within ``seconds``; this one at once. Thread-safe (the local
    server is threaded).

    A read that began before a publication here must not put the version it read back into the
    cache once the publication has emptied it (this container would then show the old version for
    ``seconds``): every publication moves ``_generation`` on, and a read keeps what it found only
    if no publication happened while it was reading."""

    def __init__(
        self, store: TermsStore, seconds: float = CACHE_SECONDS, monotonic: Callable[[], float] = time.monotonic
    ):
        self._store = store
        self._seconds = seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._held: tuple[float, Terms | None] | None = None
        self._generation = 0

    def current(self) -> Terms | None:
        with self._lock:
            if self._held is not None and self._monotonic() - self._held[0] < self._seconds:
                return self._held[1]
            generation = self._generation
            started = self._monotonic()
        found = self._store.current()
        with self._lock:
            if generation == self._generation:
                # (held from when the read began: the value is at least that fresh)
                self._held = (started, found)
        return found

    def current_now(self) -> Terms | None:
        return self._store.current_now()

    def version(self, label: str) -> Terms | None:
        return self._store.version(label)

    def history(self) -> list[TermsHistoryEntry]:
        return self._store.history()

    def publish(self, terms: Terms, replaces: str | None) -> None:
        try:
            self._store.publish(terms, replaces)
        finally:  # (on a conflict, someone else published: read it afresh)
            with self._lock:
                self._held = None
                self._generation += 1
