"""Ending an account's sessions together with a change to the account (a new password, a
suspension, a second factor changed), so that nothing issued before the change still opens it."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Protocol

from chalicelib.accounts.domain import Account
from chalicelib.accounts.stores import Directory
from chalicelib.audit.domain import AuditEvent
from chalicelib.errors import Conflict, NotFound
from chalicelib.identity.domain import RecordKind
from chalicelib.identity.stores import IdentityRecordsPorts


class RevocationPorts(IdentityRecordsPorts, Protocol):
    """The account (in the directory) and its sessions and pending records (in the identity store)."""

    @property
    def directory(self) -> Directory: ...


def end_sessions(
    ports: RevocationPorts,
    account_id: str,
    change: Callable[[Account], Account],
    audit_event: AuditEvent,
    keep_selector: str = "",
) -> tuple[Account, int]:
    """Apply ``change`` to an account and end all its sessions but ``keep_selector``'s, with the
    audit event in the same write; returns the saved account and how many sessions ended.

    The sessions listed on the account are deleted first, then the account is saved on the
    version read: a sign-in that slipped in between changed that version, so the save fails and
    the loop reads again and deletes that session too. A failure part-way leaves the account
    unchanged, so the caller's retry ends whatever is left."""
    for _ in range(5):
        account = ports.directory.account(account_id)
        if account is None:
            raise NotFound("No such account.")
        ended = [entry.partition(":")[0] for entry in account.sessions if entry.partition(":")[0] != keep_selector]
        for selector in ended:
            ports.identity_records.delete(RecordKind.SESSION, selector)
        kept = frozenset(entry for entry in account.sessions if entry.partition(":")[0] == keep_selector)
        try:
            saved = ports.identity_records.save_account_with_audit(
                change(dataclasses.replace(account, sessions=kept)), audit_event
            )
        except Conflict:
            continue
        ports.identity_records.revoke_pending(account_id)
        return saved, len(ended)
    raise Conflict("The account kept changing; try again.")
