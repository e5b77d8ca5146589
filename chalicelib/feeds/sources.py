"""Admins register the systems that send their organization's clinical feeds (feed sources): which
sender files for the organization, and the assigning authority of its bare identifiers.

A sender is named in a path by its ``source_id``: the sender, base64url-encoded without padding
(as a quarantined message's id is), because senders hold "|", "^", spaces and, for FHIR, URLs
with "/" that a path segment cannot carry reliably. The catch-all ``*`` files every unregistered
sender of the deployment into one organization, so only the operator registers it; its admins may
change or retire it.

An admin registers only a sender no other organization holds, held or filed through (its
catch-all), and whose messages wait in no organization's quarantine: a sender's past messages
name another hospital's patients, and a replay would file them into the registering organization.
Anything else is refused (409) in words that say nothing of the other organization; the operator
assigns such a sender (docs/deploying.md)."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Protocol

from chalicelib.audit.domain import Action, Outcome
from chalicelib.audit.trail import AuditPorts, caller_actor, write_audit
from chalicelib.errors import Conflict, NotFound, Problems
from chalicelib.feeds.contract import FeedSourceChange
from chalicelib.feeds.domain import CODE_CATEGORIES, FeedSource
from chalicelib.feeds.envelope import _is_identity
from chalicelib.feeds.stores import FeedMessages, FeedSources
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin
from chalicelib.patients.domain import AUTHORITY, IDENTIFIER_TYPE_CODES, is_sensitive, universal_id
from chalicelib.records.domain import FHIR_ID_AUTHORITY


class SourcesPorts(AuditPorts, Protocol):
    """The organization's feed sources, kept by the health records store."""

    @property
    def records(self) -> FeedSources: ...

    @property
    def feed_messages(self) -> FeedMessages: ...


MAX_SOURCES = 100  # per organization; real ones have a handful (EHR, lab, ADT, scheduling)
CATCH_ALL = "*"
OPERATOR_ASSIGNS = (
    "This sender cannot be registered to your organization: ask the portal's operator to assign this sender."
)


def source_id(sender: str) -> str:
    return base64.urlsafe_b64encode(sender.encode()).decode().rstrip("=")


def _sender(value: str) -> str:
    """The sender a source id names, or "" when it names none a feed could carry."""
    try:
        sender = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return ""
    # Only the one spelling of each sender (no padding, no stray bits), and only what intake reads.
    return sender if source_id(sender) == value and _is_identity(sender) else ""


def _shown(source: FeedSource) -> dict[str, Any]:
    return {
        "source_id": source_id(source.sender),
        "sender": source.sender,
        "default_authority": source.default_authority or None,
        "authorities": [{"sent_as": sent, "authority": authority} for sent, authority in source.authorities],
        "category_codes": [{"code": code, "category": category} for code, category in source.category_codes],
        "files_test_messages": source.files_test_messages,
    }


def list_sources(ports: SourcesPorts, caller: Caller, origin: Origin) -> dict[str, Any]:
    sources = ports.records.feed_sources_of(caller.organization_id, MAX_SOURCES)
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "feed_sources.list",
        action=Action.READ,
        resource_type="Endpoint",
        reason=f"count:{len(sources)}",
    )
    return {"feed_sources": [_shown(s) for s in sources]}


def put_source(
    ports: SourcesPorts,
    caller: Caller,
    origin: Origin,
    sender_id: str,
    change: FeedSourceChange,
    *,
    production: bool = True,
) -> dict[str, Any]:
    """``production``: the stage holds real patients' charts, where test messages are never filed
    (filing ignores the flag there too), so asking for it is refused rather than silently ignored."""
    problems = Problems()
    sender = _sender(sender_id)
    if not sender:
        problems.add(
            "source_id",
            "the sender, 1 to 256 printable characters, base64url-encoded without padding",
            "The path names the sender base64url-encoded without padding: the sender is 1 to 256 "
            "printable characters, as intake reads it.",
        )
    if change.files_test_messages and production:
        problems.add(
            "files_test_messages",
            "never in production",
            "Test messages are never filed in production: send them to a test stage of the portal.",
        )
    problems.raise_if_any("The sender's registration is not valid.")
    authority = change.default_authority or ""
    organization_id = caller.organization_id
    if sender == CATCH_ALL:
        holder = ports.records.feed_source(CATCH_ALL)
        if holder is None or holder.organization_id != organization_id:
            raise Conflict(
                "The catch-all sender * files every unregistered sender of the deployment: only the "
                "operator registers it. Register each sender instead."
            )
    refusal = _refusal(ports, sender, organization_id)
    if refusal:
        _audit_change(ports, caller, origin, sender_id, Outcome.DENIED, refusal)
        raise Conflict(OPERATOR_ASSIGNS)
    registered = ports.records.feed_sources_of(organization_id, MAX_SOURCES)
    if len(registered) >= MAX_SOURCES and sender not in {s.sender for s in registered}:
        raise Conflict(f"An organization registers at most {MAX_SOURCES} senders.")
    # Both lists checked before refusing, every entry of each: an admin fixes the form in one go.
    declared = problems.gather(declarations, [(d.sent_as, d.authority) for d in change.authorities])
    categories = problems.gather(category_codes, [(c.code, c.category) for c in change.category_codes])
    problems.raise_if_any("The sender's registration is not valid.")
    assert declared is not None and categories is not None  # or a problem was raised
    source = FeedSource(sender, organization_id, authority, change.files_test_messages, declared, categories)
    try:
        ports.records.claim_feed_source(source)
    except Conflict:
        _audit_change(ports, caller, origin, sender_id, Outcome.DENIED, "registered_to_another_organization")
        raise Conflict(OPERATOR_ASSIGNS) from None
    _audit_change(ports, caller, origin, sender_id)
    return _shown(source)


def declarations(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A feed source's declared authorities, each spelling written once as matching compares it
    (an OID as "urn:oid:<oid>"); ValidationFailed names every entry that cannot be declared."""
    found: dict[str, str] = {}
    problems = Problems()
    for index, (sent_as, authority) in enumerate(pairs):
        spelled = universal_id(sent_as) or sent_as.strip()
        where = f"authorities.{index}.sent_as"
        if spelled in found:
            problems.add(where, "declared twice", f"{sent_as} is declared twice: each name stands for one authority.")
        elif spelled == FHIR_ID_AUTHORITY or is_sensitive(spelled) or is_sensitive(authority):
            problems.add(
                where,
                "not a sender's to map",
                "This authority cannot be declared: the portal's own FHIR id authority, and authorities of "
                "social security, driver's licence or passport numbers (never kept), are not a sender's to map.",
            )
        elif spelled.upper() in IDENTIFIER_TYPE_CODES:
            problems.add(
                where,
                "an identifier type code, not an authority",
                f"{sent_as} is an identifier type code, not an authority: a number sent with it in the authority's "
                "place takes the default authority.",
            )
        if not AUTHORITY.fullmatch(authority.strip()):
            problems.add(
                f"authorities.{index}.authority",
                "1 to 64 letters, digits, spaces or . _ : / -",
                "An authority is 1 to 64 letters, digits, spaces or . _ : / -.",
            )
        if spelled not in found:
            found[spelled] = authority.strip()
    problems.raise_if_any("Some authorities cannot be declared.")
    return tuple(found.items())


def category_codes(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """A feed source's category mapping, each code once, written as filing compares it (system
    and code trimmed); ValidationFailed names every entry that cannot be kept."""
    found: dict[str, str] = {}
    problems = Problems()
    for index, (code, category) in enumerate(pairs):
        where = f"category_codes.{index}.code"
        system, _, value = code.partition("|")
        spelled = f"{system.strip()}|{value.strip()}"
        if not system.strip() or not value.strip():
            problems.add(
                where, 'written "<system>|<code>"', 'A code is written "<system>|<code>", as the sender writes both.'
            )
        elif spelled in found:
            problems.add(where, "listed twice", f"{spelled} is listed twice: each code has one category.")
        if category not in CODE_CATEGORIES:
            problems.add(
                f"category_codes.{index}.category",
                f"one of {', '.join(CODE_CATEGORIES)}",
                f"A category is one of {', '.join(CODE_CATEGORIES)}.",
            )
        if spelled not in found:
            found[spelled] = category
    problems.raise_if_any("Some category codes cannot be kept.")
    return tuple(found.items())


def _refusal(ports: SourcesPorts, sender: str, organization_id: str) -> str:
    """Why the organization's admin may not register the sender (for the audit trail), or ""."""
    holder = ports.records.held_by(sender)
    if holder:
        # Holding it (or having retired it) makes its past messages this organization's own.
        return "" if holder == organization_id else "files_for_another_organization"
    catch_all = ports.records.held_by(CATCH_ALL)
    if catch_all and catch_all != organization_id:
        # Another organization's catch-all files (or filed, until retired) every unregistered sender.
        return "files_for_another_organization"
    live = ports.records.feed_source(CATCH_ALL)
    own_catch_all = live is not None and live.organization_id == organization_id
    if not own_catch_all and ports.feed_messages.quarantined_from(sender):
        # Nobody's messages wait in quarantine: registering would hand them over for a replay.
        # (Under the organization's own catch-all they are its own already.)
        return "unclaimed_messages_waiting"
    return ""


def _audit_change(
    ports: SourcesPorts,
    caller: Caller,
    origin: Origin,
    sender_id: str,
    outcome: Outcome = Outcome.SUCCESS,
    reason: str = "",
) -> None:
    """The audit event of a feed source change, made or refused (``reason`` says why)."""
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "feed_source.changed",
        outcome,
        action=Action.UPDATE,
        resource_type="Endpoint",
        resource_id=sender_id,
        reason=reason,
    )


def delete_source(ports: SourcesPorts, caller: Caller, origin: Origin, sender_id: str) -> None:
    """Messages from the sender are no longer filed for the organization: they are quarantined
    (never passed to a catch-all), and a replay files them once this organization registers the
    sender again; only the operator may give it to another organization."""
    sender = _sender(sender_id)
    if not sender or not ports.records.retire_feed_source(caller.organization_id, sender):
        raise NotFound("No such feed source.")
    write_audit(
        ports,
        origin,
        caller_actor(caller),
        "feed_source.removed",
        action=Action.DELETE,
        resource_type="Endpoint",
        resource_id=sender_id,
    )
