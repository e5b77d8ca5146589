"""Whether an authorization still stands: the consent itself, and the standing of whoever gave it.

An app acts as the account that authorized it, so it can do no more than that account could: when
staff suspend or end the account's portal access (or the EHR marks its patient deceased) no
session opens, and no token works either; when a proxy's grant ends (revoked, ended, expired) the
apps the proxy connected under it stop with it. Checked on every bearer call, refresh, code
exchange and introspection, against the stores (nothing depends on a revoke having reached the
lists); the revoke at suspension (``revoke_apps_of``) only keeps Connected apps honest.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.access.service import GrantLookup, PatientLookup
from chalicelib.accounts.domain import Account, AccountStatus, Role
from chalicelib.accounts.stores import Directory
from chalicelib.apps.domain import AppAuthorization
from chalicelib.apps.oauth.registry import RegistryPorts, revoke_authorization
from chalicelib.kernel.caller import Caller
from chalicelib.kernel.origin import Origin


class StandingPorts(Protocol):
    @property
    def directory(self) -> Directory: ...

    @property
    def patients(self) -> PatientLookup: ...

    @property
    def proxy_grants(self) -> GrantLookup: ...


def stands(ports: StandingPorts, authorization: AppAuthorization | None, now: datetime) -> bool:
    """True when tokens of ``authorization`` may still be used or issued."""
    if authorization is None or not authorization.active:
        return False
    account = ports.directory.account(authorization.account_id)
    if account is None or account.status is not AccountStatus.ACTIVE:
        return False
    if account.role is Role.PATIENT and account.patient_id:
        # As sign-in refuses it (identity.sessions.refuse_if_deceased): the account's own record.
        own = ports.patients.get(account.patient_id)
        if own is not None and getattr(own, "deceased", False):
            return False
    if authorization.proxy_grant_id:
        grant = next(
            (
                g
                for g in ports.proxy_grants.of_proxy(authorization.account_id)
                if getattr(g, "grant_id", "") == authorization.proxy_grant_id
            ),
            None,
        )
        if grant is None or grant.patient_id != authorization.patient_id or not grant.in_force(now):
            return False
    return True


class RevokePorts(StandingPorts, RegistryPorts, Protocol):
    pass


def revoke_apps_of(ports: RevokePorts, caller: Caller, origin: Origin, account: Account) -> int:
    """Revoke every app ``account`` authorized (on its own records, connected ones, and the records
    it acts for), when staff suspend or end its portal access. How many were revoked."""
    patient_ids = {account.patient_id} if account.patient_id else set()
    patient_ids |= {c.patient_id for c in account.connections}
    patient_ids |= {g.patient_id for g in ports.proxy_grants.of_proxy(account.account_id)}
    now = ports.clock.now()
    revoked = 0
    for patient_id in sorted(patient_ids):
        for authorization in ports.apps.authorizations_of(patient_id):
            if authorization.active and authorization.account_id == account.account_id:
                revoked += revoke_authorization(
                    ports, caller, origin, patient_id, authorization.authorization_id, now, by="staff"
                )
    return revoked
