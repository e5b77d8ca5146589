"""Merges: an A40 says an earlier record of the patient is the same person as the survivor.

The prior record's identifiers come to name the survivor, the prior record points at it, and
its records are copied under the survivor (the prior record and its items are kept, never
deleted). Its portal account is not moved here: a staff worklist item asks for it. What was
still waiting to be released is announced to the survivor's account when it is released.

What lives beside the record (each in a partition of its own, so copy_records does not see it)
moves with it: refill and appointment requests, check-ins with their rows on the day's lists,
signed forms, proxy grants, and the visits' reminders, set again to name the survivor.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from typing import Protocol, cast

from chalicelib.accounts.stores import Directory
from chalicelib.appointments.domain import AppointmentFiled
from chalicelib.appointments.reminders import keep_reminders
from chalicelib.appointments.stores import AppointmentRequests
from chalicelib.feeds.domain import FeedSource
from chalicelib.filing.matching import identifiers
from chalicelib.kernel.zones import DEFAULT_TIME_ZONE
from chalicelib.patients.domain import Patient
from chalicelib.patients.stores import Patients
from chalicelib.proxies.grants import follow_merge
from chalicelib.proxies.stores import ProxyGrants
from chalicelib.records.domain import WITHDRAWN, PatientFacts, SentIdentifier
from chalicelib.records.stores import Records
from chalicelib.refills.stores import RefillRequests
from chalicelib.release.notices import NoticePorts, announce_later
from chalicelib.release.policy import HELD_UNTIL
from chalicelib.worklist.domain import WorklistItem, move_account_item_key
from chalicelib.worklist.stores import Worklist


class MovedCheckIns(Protocol):
    def move_check_ins(self, from_patient: str, to_patient: str) -> int: ...


class MovedSignedForms(Protocol):
    def move_forms(self, from_patient: str, to_patient: str) -> int: ...


class MovedReminders(Protocol):
    def move_plans(self, from_patient: str, to_patient: str) -> list[str]: ...


class MergePorts(NoticePorts, Protocol):
    """The two patient records, the records copied from one to the other, the worklist item
    that asks staff to move the merged record's portal account, and the release timers that
    announce to the survivor what was still waiting."""

    @property
    def patients(self) -> Patients: ...

    @property
    def records(self) -> Records: ...

    @property
    def worklist(self) -> Worklist: ...

    @property
    def refills(self) -> RefillRequests: ...

    @property
    def appointment_requests(self) -> AppointmentRequests: ...

    @property
    def checkins(self) -> MovedCheckIns: ...

    @property
    def signed_forms(self) -> MovedSignedForms: ...

    @property
    def appointment_reminders(self) -> MovedReminders: ...

    @property
    def directory(self) -> Directory: ...

    @property
    def proxy_grants(self) -> ProxyGrants: ...


def merge(
    ports: MergePorts,
    source: FeedSource,
    sender: str,
    survivor: Patient,
    merged_from: tuple[SentIdentifier, ...],
    now: datetime,
) -> None:
    """A40: the prior record's identifiers now name the survivor, the prior record points at it,
    and its records are copied under the survivor (the prior record and its items are kept,
    never deleted). A portal account of the prior record is not moved here (the feed cannot end
    sessions): a staff worklist item asks for it (portal-access "follow_merge")."""
    bare = PatientFacts(identifiers=merged_from)
    prior_ids = {ports.patients.claimed_by(source.organization_id, i) for i in identifiers(source, sender, bare)}
    prior_ids.discard("")
    prior_ids.discard(survivor.patient_id)
    for prior_id in prior_ids:
        prior = ports.patients.get(prior_id)
        if prior is None:
            continue
        # Already marked by an earlier delivery that failed before its identifiers moved (they
        # still name it, or it would not be here): move them now.
        if prior.merged_into != survivor.patient_id:
            ports.patients.save(dataclasses.replace(prior, merged_into=survivor.patient_id))
        # The prior record's results, documents and the rest show under the survivor: copied
        # before the identifiers move, since a redelivery finds the prior record by them.
        ports.records.copy_records(prior.patient_id, survivor.patient_id)
        # Its refill requests too (they live beside the record, not in it): else the survivor
        # loses them and could ask again for a medication one already waits for.
        ports.refills.move_requests(prior.patient_id, survivor.patient_id)
        # And its appointment requests with the marks beside its visits (a cancellation, the
        # request a booking closed): else a booking that names the request finds nothing under
        # the survivor, and a visit the patient cancelled reads booked again.
        ports.appointment_requests.move_requests(prior.patient_id, survivor.patient_id)
        # And its check-ins and signed forms (the copied visits keep their ids): else the survivor's
        # check-in asks again for what the patient confirmed, answered and signed, and staff's day
        # list names the merged record. The signed forms come before the reminders, whose failure
        # would only send this merge again.
        ports.checkins.move_check_ins(prior.patient_id, survivor.patient_id)
        ports.signed_forms.move_forms(prior.patient_id, survivor.patient_id)
        # And who may act for the patient: the grants move to the survivor with their ids, and the
        # proxies' pointers name it (their access follows the record the feed now files to).
        follow_merge(ports, prior.patient_id, survivor.patient_id, now)
        _remind_survivor(ports, prior, survivor, now)
        _announce_to_survivor(ports, prior, survivor, now)
        if prior.account_id:
            # Its portal account still opens the merged record, where nothing new is filed: staff
            # move it to the survivor (portal-access "follow_merge"), or settle two accounts. Asked
            # before the identifiers move (a redelivery finds the prior record only until then),
            # once: the item's key is the merged record's, not this delivery's.
            _ask_to_move_the_account(ports, prior, now)
        fresh = cast(Patient, ports.patients.get(survivor.patient_id))  # just matched; a patient is never deleted
        ports.patients.save_with_claims(
            dataclasses.replace(
                fresh, identifiers=fresh.identifiers + tuple(i for i in prior.identifiers if i not in fresh.identifiers)
            ),
            moved=tuple(i for i in prior.identifiers if i not in fresh.identifiers),
        )
        # A message of another sender (another queue group) matched to the prior record by an
        # identifier that had not moved yet may have filed there after the copy above: copied
        # again now that the identifiers name the survivor (nothing is copied twice).
        if ports.records.copy_records(prior.patient_id, survivor.patient_id):
            _announce_to_survivor(ports, prior, survivor, now)


def _announce_to_survivor(ports: MergePorts, prior: Patient, survivor: Patient, now: datetime) -> None:
    """The prior record's release timers name its own account (often none: a record the feed
    made has no account, and then no timer was started): the survivor's copies of what is still
    waiting get timers of their own, so the survivor's account is told when each is released.
    A held copy gets none (staff release it, and the patient is told then). Each timer's name
    names the survivor, so it never clashes with the prior record's own timer of that version; a
    redelivered merge starts the same timer again, which Step Functions answers with the running
    one (or refuses, once fired: then the copy is released and no longer waiting)."""
    fresh = ports.patients.get(survivor.patient_id) or survivor
    tag = hashlib.sha256(fresh.patient_id.encode()).hexdigest()[:12]
    for waiting in ports.records.upcoming(prior.patient_id, now):
        if waiting.release_at >= HELD_UNTIL:
            continue
        copy = ports.records.current(fresh.patient_id, waiting.result_id, kind=waiting.kind)
        # (the survivor's own item of this id, if it had one, keeps its own release and timer)
        if copy is None or copy.release_at != waiting.release_at or not copy.waiting(now):
            continue
        announce_later(ports, fresh, copy, now, name=f"release-{copy.result_id}-v{copy.version}-to-{tag}")


def _remind_survivor(ports: MergePorts, prior: Patient, survivor: Patient, now: datetime) -> None:
    """The prior record's reminder timers name it (their messages carry its id, and a reminder
    goes to its account): its plans move to the survivor and each copied visit's reminders are
    set again as the feed sets them (filing/appointments.py), which stops the old timers and starts
    the survivor's. Idempotent: a plan already set for the survivor is left as it is."""
    for entry_id in ports.appointment_reminders.move_plans(prior.patient_id, survivor.patient_id):
        visit = ports.records.current(survivor.patient_id, entry_id, kind="appointment")
        if visit is None:
            continue
        organization = ports.directory.organization(visit.organization_id)
        keep_reminders(
            AppointmentFiled(
                ports=ports,
                organization_id=visit.organization_id,
                patient_id=survivor.patient_id,
                entry_id=entry_id,
                content=dict(visit.content),
                withdrawn=visit.status == WITHDRAWN,
                ids=(),
                now=now,
                time_zone=(organization.time_zone if organization else "") or DEFAULT_TIME_ZONE,
            )
        )


def _ask_to_move_the_account(ports: MergePorts, prior: Patient, now: datetime) -> None:
    """The staff worklist item "move_portal_account" for the merged record's account."""
    item_id, sort_key = move_account_item_key(prior.patient_id, prior.created_at)
    ports.worklist.add(
        WorklistItem(
            item_id=item_id,
            organization_id=prior.organization_id,
            task="move_portal_account",
            patient_id=prior.patient_id,
            result_id="",
            result_version=0,
            status="open",
            created_at=now,
            sort_key=sort_key,
        )
    )
