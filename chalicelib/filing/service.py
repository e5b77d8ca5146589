"""Filing one message: read the envelope, then for each patient in it match (and merge), file
every item with the filer registered for its kind, and set off the after-effects.

The order of the steps is the order of the writes, and a redelivery repeats them all: what a
failure further on left undone is done then (see the "refiled" outcome).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import SYSTEM_ACTOR, Action
from chalicelib.audit.trail import AuditPorts, write_audit
from chalicelib.feeds.domain import Envelope, FeedFormat, QuarantinedPart
from chalicelib.feeds.stores import FeedMessages, FeedSources
from chalicelib.filing import documents, entries, entry_ids, results  # noqa: F401  (each registers its filer)
from chalicelib.filing.aftereffects import AftereffectsPorts, call_the_patient, withdraw_everywhere
from chalicelib.filing.categories import mapped
from chalicelib.filing.connections import ConnectionPorts, activate_waiting
from chalicelib.filing.deceased import DeceasedPorts, end_sessions
from chalicelib.filing.discharges import retime_summaries
from chalicelib.filing.filers import FILERS, Delivery, FilingPorts
from chalicelib.filing.matching import MatchingPorts, match
from chalicelib.filing.merges import MergePorts, merge
from chalicelib.filing.mismatch import Decision
from chalicelib.filing.zones import in_zone
from chalicelib.kernel.origin import Origin
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.proxies.grants import end_for_deceased
from chalicelib.records.domain import ClinicalMessage, PossibleMismatch, StoredResult, Unreadable
from chalicelib.records.stores import Records
from chalicelib.release.notices import NoticePorts, announce_later, tell, tell_proxies
from chalicelib.release.policy import ReleasePolicy


class FilingRecords(Records, FeedSources, Protocol):
    """The health records store, with the feed sources it keeps (which organization a sender files for)."""


class MessageFilingPorts(
    FilingPorts,
    MatchingPorts,
    MergePorts,
    AftereffectsPorts,
    NoticePorts,
    DeceasedPorts,
    ConnectionPorts,
    AuditPorts,
    Protocol,
):
    """Filing one message: the sender's organization and its release policy, the patients, the
    filers, the after-effects and the notices, the sessions of a patient recorded as deceased,
    the audit trail, and the feed's record of the message (staff's decision on a held one)."""

    @property
    def records(self) -> FilingRecords: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def feed_messages(self) -> FeedMessages: ...


@dataclass(frozen=True)
class Filed:
    patients: tuple[str, ...]
    results_new: int = 0
    results_changed: int = 0
    critical: tuple[str, ...] = ()  # result ids with a critical value
    entries_changed: int = 0  # allergies, visits, appointments ... new or changed
    stale: int = 0  # older than what the portal holds: nothing changed
    # Parts of a batch Bundle left out, each with its reason (the rest is filed).
    quarantined: tuple[QuarantinedPart, ...] = ()


def read(envelope: Envelope) -> tuple[list[ClinicalMessage], list[QuarantinedPart], bool]:
    """The message's patients, the parts of it set aside as unreadable, and whether each patient's
    part is filed on its own (a batch, message or collection Bundle) or the message is all or nothing."""
    if envelope.format is FeedFormat.HL7V2:
        from chalicelib.interop.hl7v2 import read_hl7

        return [read_hl7(envelope.text, envelope.parsed)], [], False
    from chalicelib.interop.fhir import read_fhir_parts  # fhir.resources is heavy: only the feed pays for it

    try:
        # Decimals as written: "0.70" must not become 0.7 on its way to the patient.
        document = json.loads(envelope.text, parse_float=Decimal)
    except ValueError:
        raise Unreadable("The FHIR document is not JSON.") from None
    try:
        parts = read_fhir_parts(document)
    except PossibleMismatch:
        raise
    except Unreadable as error:
        if _patients_in(document) > 1:
            # (staff reading the quarantine of a many-patient document ask first what went in)
            raise Unreadable(f"{error} Nothing of the message was filed.") from error
        raise
    set_aside = [QuarantinedPart(f"entry[{p.position}]", p.where, p.reason) for p in parts.set_aside]
    return parts.messages, set_aside, parts.independent


def file_message(
    ports: MessageFilingPorts, envelope: Envelope, message_key: str, now: datetime, *, production: bool = True
) -> Filed:
    """``production``: the portal holds real patients' charts (stage prod), so training, debugging
    and test-tagged messages are never filed, whatever their feed source says."""
    source = ports.records.feed_source(envelope.sender)
    if source is None:
        raise Unreadable("The sender is not registered to an organization (feed sources).")
    if envelope.test_data and (production or not source.files_test_messages):
        # Before anything is written: a test message filed into a live chart shows made-up results
        # to a real patient and sets off real work (a call about a critical value).
        raise Unreadable(
            f"Test data, not filed into live charts: {envelope.test_data}. Outside production, "
            "the feed source may opt in to filing test messages."
        )
    organization = ports.directory.organization(source.organization_id)
    policy = ReleasePolicy.from_json(organization.release_policy if organization else None)
    # The sender's wall clock is its organization's: a time it sent without an offset is read there.
    zone_name = organization.time_zone if organization and organization.time_zone else DEFAULT_TIME_ZONE
    delivery = Delivery(ports, source, envelope.sender, message_key, now, policy, zone_name)
    read_messages, left_out, independent = read(envelope)
    # What the organization declared its sender's codes to be is weighed above the readers' guess.
    codes = dict(source.category_codes)
    messages = [mapped(in_zone(m, zone_name), codes) for m in read_messages]
    if not independent:
        return _file(ports, envelope, delivery, messages)
    # A batch: each patient's part is filed on its own, so one that cannot be (its patient not
    # matched, an item refused) is quarantined alone while the others are filed.
    filed = Filed(())
    for message in messages:
        try:
            filed = _sum(filed, _file(ports, envelope, delivery, [message]))
        except PossibleMismatch:
            # Held for staff as a whole: their decision comes back with the message, and the
            # patients filed meanwhile are filed again unchanged.
            raise
        except Unreadable as error:
            # Named apart from the entries set aside while reading: a patient only referred to is
            # named by the entry referring to it, which may itself have been set aside.
            position = message.extra.get("position", -1)
            left_out.append(QuarantinedPart(f"patient[{position}]", message.extra.get("part", "a patient"), str(error)))
    if not filed.patients:
        first = left_out[0]
        more = f" ({len(left_out) - 1} more parts could not be filed either)" if len(left_out) > 1 else ""
        raise Unreadable(f"No part of the Bundle can be filed. {first.where}: {first.reason}{more}")
    return replace(filed, quarantined=_capped(left_out))


def _patients_in(document: Any) -> int:
    """How many Patient entries a Bundle holds (0 for anything else)."""
    if not isinstance(document, dict) or not isinstance(document.get("entry"), list):
        return 0
    return sum(
        isinstance(e, dict) and isinstance(e.get("resource"), dict) and e["resource"].get("resourceType") == "Patient"
        for e in document["entry"]
    )


_PARTS_KEPT = 50  # quarantine records one Bundle may add: the rest are summed up in the last


def _capped(parts: list[QuarantinedPart]) -> tuple[QuarantinedPart, ...]:
    if len(parts) <= _PARTS_KEPT:
        return tuple(parts)
    rest = parts[_PARTS_KEPT - 1 :]
    where = ", ".join(f"Bundle.{part.part}" for part in rest[:20]) + (" ..." if len(rest) > 20 else "")
    summed = QuarantinedPart(
        rest[0].part,
        f"{len(rest)} more parts ({where})",
        "Each could not be filed either; the first reason: " + rest[0].reason,
    )
    return (*parts[: _PARTS_KEPT - 1], summed)


def _sum(one: Filed, other: Filed) -> Filed:
    return Filed(**{f.name: getattr(one, f.name) + getattr(other, f.name) for f in fields(Filed)})


def _file(ports: MessageFilingPorts, envelope: Envelope, delivery: Delivery, messages: list[ClinicalMessage]) -> Filed:
    """Every patient of ``messages`` matched, and every item filed under them, in order. When one
    of several patients cannot be, those filed before it stay filed (a resend refiles them
    unchanged) and the quarantine record says which, so staff know what of the document went in."""
    progress = _Progress()
    try:
        return _file_in_order(ports, envelope, delivery, messages, progress)
    except PossibleMismatch:
        raise  # held for staff whole: their decision refiles the message
    except Unreadable as error:
        if len(messages) > 1 and progress.at is not None:
            raise Unreadable(_stopped(str(error), progress.at, progress.filed, progress.items)) from error
        raise


@dataclass
class _Progress:
    """How far filing a message went: the patients filed whole, the one being filed, its items filed."""

    filed: list[ClinicalMessage] = field(default_factory=list)
    at: ClinicalMessage | None = None
    items: int = 0

    def start(self, message: ClinicalMessage) -> None:
        self.at, self.items = message, 0

    def finish(self) -> None:
        if self.at is not None:
            self.filed.append(self.at)
        self.at = None


def _file_in_order(
    ports: MessageFilingPorts,
    envelope: Envelope,
    delivery: Delivery,
    messages: list[ClinicalMessage],
    progress: _Progress,
) -> Filed:
    source, now, message_key = delivery.source, delivery.now, delivery.message_key
    patients: list[str] = []
    new = changed = entries_changed = stale = 0
    critical: list[str] = []

    def decided() -> Decision | None:
        """Staff's decision on this message, once held as a possible mismatch (filing/holds.py)."""
        record = ports.feed_messages.get(message_key)
        return Decision.decode(record.decision) if record is not None and record.decision else None

    for message in messages:
        progress.start(message)
        patient = match(ports, source, envelope.sender, message.patient, now, decided)
        # An account that added this record before it said who it describes may open it now.
        patient = activate_waiting(ports, patient, Origin(correlation_id=message_key), now)
        if message.merged_from:
            merge(ports, source, envelope.sender, patient, message.merged_from, now)
        end_sessions(ports, patient)  # a deceased patient's: before anything new is filed
        if patient.deceased:
            # No one acts for a deceased patient: their grants end and the proxies are told.
            end_for_deceased(ports, patient.patient_id, now)
        released_now = False  # for this patient: the counts run over every patient of the document
        released: list[StoredResult] = []  # what shows now: told to the proxies whose access shows it
        critical_now = False  # a critical value among what is released now: the notice says they will be called
        filed_here = 0
        for entry in message.entries:
            outcome, filed = FILERS["entry"](delivery, patient, entry)
            progress.items += 1
            if entry.kind == "visit" and outcome in ("new", "changed", "refiled"):
                # a discharge summary filed before this discharge now counts from it
                also = entry_ids.legacy_name(delivery, filed, entry.source_id) if entry.ids else ""
                retime_summaries(ports, patient, filed, delivery.time_zone, now, also)
            filed_here += outcome in ("new", "changed")
            entries_changed += outcome in ("new", "changed")
            stale += outcome == "stale"
        for report in message.results:
            kind = "document" if message.kind == "document" or report.is_document else "result"
            outcome, stored = FILERS[kind](delivery, patient, report)
            progress.items += 1
            new += outcome == "new"
            changed += outcome == "changed"
            stale += outcome == "stale"
            # (a withdrawal adds nothing the patient can see: their access log does not show it as filed)
            filed_here += outcome in ("new", "changed") and not stored.withdrawn
            # "refiled": this message filed it before a failure further on, so what follows
            # (telling the patient, or setting the release timer) may not have happened yet.
            if outcome not in ("new", "changed", "refiled"):
                continue
            if stored.withdrawn:  # a withdrawn result: nothing to show, nobody to call
                withdraw_everywhere(ports, stored)
                continue
            if report.critical:
                critical.append(stored.result_id)
                call_the_patient(ports, patient, stored, now)
            if stored.shown_to_patient(now):
                released_now = True
                released.append(stored)
                critical_now = critical_now or stored.critical
            elif not stored.release_timer or outcome == "refiled":
                announce_later(ports, patient, stored, now)
        patients.append(patient.patient_id)
        if filed_here:
            # The patient's access log shows what the feeds added to the record, and when.
            write_audit(
                ports,
                Origin(correlation_id=message_key),
                SYSTEM_ACTOR,
                "records.filed",
                action=Action.CREATE,
                patient_id=patient.patient_id,
                resource_type="Bundle",
                reason=f"count:{filed_here}",
            )
        if released_now:
            tell(ports, patient, now, critical_now)
            tell_proxies(ports, patient, released, now)
        progress.finish()
    return Filed(tuple(patients), new, changed, tuple(critical), entries_changed, stale)


def describe(filed: Filed) -> dict[str, Any]:
    return {
        "patients": len(filed.patients),
        "results_new": filed.results_new,
        "results_changed": filed.results_changed,
        "critical": len(filed.critical),
        "entries_changed": filed.entries_changed,
        "stale": filed.stale,
        "quarantined_parts": len(filed.quarantined),
    }


_PATIENTS_NAMED = 20  # in a stop's reason: the rest are counted


def _stopped(reason: str, failed: ClinicalMessage, filed: list[ClinicalMessage], items_filed: int) -> str:
    """Why a document of several patients stopped at ``failed``, and what of it was filed before:
    each patient by its place in the document, with the resources filed under it by type and
    count (never a value)."""
    where = str(failed.extra.get("part") or "a patient")
    if not filed and not items_filed:
        return f"{where}: {reason} Nothing of the message was filed."
    named = [f"for {m.extra.get('part') or 'a patient'}, {_counted(m)}" for m in filed[:_PATIENTS_NAMED]]
    if len(filed) > _PATIENTS_NAMED:
        named.append(f"for {len(filed) - _PATIENTS_NAMED} more patients, what the document holds about them")
    if items_filed:
        named.append(f"for {where} itself, {items_filed} of its {len(failed.entries) + len(failed.results)} items")
    return (
        f"{where}: {reason} Filed before it stopped, and kept: {'; '.join(named)}. Nothing after it was "
        "filed; the corrected message sent again files the rest and leaves what was filed as it is."
    )


def _counted(message: ClinicalMessage) -> str:
    """The resources a patient's part holds, by type ("Patient 1, Observation 3"): the FHIR
    reader counts them; otherwise the items, in the portal's words."""
    resources = message.extra.get("resources")
    if isinstance(resources, dict) and resources:
        return ", ".join(f"{name} {count}" for name, count in sorted(resources.items()))
    return f"{len(message.results)} results or documents, {len(message.entries)} other entries"
