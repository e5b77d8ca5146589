"""What a health app is, what a patient let it read, and SMART scopes. Pure code: no I/O.

SMART App Launch 2 scopes (v2): ``patient/<Type>.<perms>`` where perms are a subset of ``cruds``
in that order; ``patient/*.rs`` means every type. The portal's FHIR API only reads, so an app is
granted at most ``r`` and ``s`` of what it asks; v1's ``patient/<Type>.read`` is taken as ``.rs``
(many apps, fhirclient's defaults among them, still ask in v1). A scope with a query
(``patient/Observation.rs?category=laboratory``) or for ``user/`` or ``system/`` access is not
granted: the token's scope says what was, as OAuth allows a server to grant less than asked.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from chalicelib.access.domain import Area

# The resource types the FHIR API serves, and the part of a record each belongs to (a proxy's grant
# names areas; the one check decides by area). None: the record's frame (the patient, who wrote
# what, the organization), readable under any area the caller may read.
# An Observation belongs to results (laboratory and others) or to the health summary (vital signs):
# the FHIR API decides per Observation by its category (``observation_area``).
RESOURCE_AREAS: dict[str, Area | None] = {
    "Patient": None,
    "Observation": Area.RESULTS,
    "DiagnosticReport": Area.RESULTS,
    "DocumentReference": Area.DOCUMENTS,
    "AllergyIntolerance": Area.HEALTH_SUMMARY,
    "Condition": Area.HEALTH_SUMMARY,
    "Immunization": Area.HEALTH_SUMMARY,
    "MedicationRequest": Area.MEDICATIONS,
    "Encounter": Area.APPOINTMENTS,
    "Appointment": Area.APPOINTMENTS,
    "Practitioner": None,
    "Organization": None,
    "Provenance": None,
}
RESOURCE_TYPES = tuple(RESOURCE_AREAS)


def observation_area(category_code: str) -> Area:
    """The area of an Observation by its FHIR observation-category code."""
    return Area.HEALTH_SUMMARY if category_code == "vital-signs" else Area.RESULTS


# Every Observation's area is one of these (``observation_area``): results or the health summary.
OBSERVATION_AREAS = frozenset({Area.RESULTS, Area.HEALTH_SUMMARY})


def resource_areas(resource_type: str) -> frozenset[Area]:
    """The areas of the record a type's resources may come from: an Observation's two, another
    item's one, none for the frame (whose resources come with the items of other types)."""
    if resource_type == "Observation":
        return OBSERVATION_AREAS
    area = RESOURCE_AREAS[resource_type]
    return frozenset() if area is None else frozenset({area})


# Scopes that are not about resources, and what each does.
LAUNCH_PATIENT = "launch/patient"  # the token answers with the patient chosen at consent
OPENID = "openid"  # an id_token (with fhirUser: the signed-in person as Patient or RelatedPerson)
FHIR_USER = "fhirUser"
OFFLINE_ACCESS = "offline_access"  # a refresh token that outlives the session (until revoked)
# A refresh token that lasts no longer than a portal session may (12 hours from the consent's code,
# rotation included): the app keeps access while the patient could have stayed signed in.
ONLINE_ACCESS = "online_access"
CONTEXT_SCOPES = (LAUNCH_PATIENT, OPENID, FHIR_USER, OFFLINE_ACCESS, ONLINE_ACCESS)

_RESOURCE_SCOPE = re.compile(
    r"(?P<context>patient|user|system)/(?P<type>\*|[A-Z][A-Za-z]{1,63})\.(?P<perms>c?r?u?d?s?|read|write|\*)"
)
MAX_SCOPE_TEXT = 2_000


class InvalidScope(ValueError):
    """A scope parameter that cannot be read at all (too long, nothing grantable)."""


@dataclass(frozen=True)
class Scopes:
    """What an app asked for, as the portal can grant it."""

    resource_types: frozenset[str]  # of RESOURCE_TYPES, with ``read`` and ``search``
    launch_patient: bool = False
    openid: bool = False
    fhir_user: bool = False
    offline: bool = False
    online: bool = False  # online_access without offline_access (offline is the longer of the two)
    not_granted: tuple[str, ...] = ()  # asked for but never granted (write, user/, queries, unknown)

    def text(self, resource_types: Iterable[str] | None = None) -> str:
        """The scope string of a token granting ``resource_types`` (default: all asked for)."""
        types = self.resource_types if resource_types is None else frozenset(resource_types)
        parts: list[str] = []
        if self.launch_patient:
            parts.append(LAUNCH_PATIENT)
        if self.openid:
            parts.append(OPENID)
        if self.fhir_user:
            parts.append(FHIR_USER)
        if self.offline:
            parts.append(OFFLINE_ACCESS)
        elif self.online:
            parts.append(ONLINE_ACCESS)
        parts.extend(f"patient/{t}.rs" for t in RESOURCE_TYPES if t in types)
        return " ".join(parts)


def parse_scopes(text: str) -> Scopes:
    """Read an OAuth scope parameter. ``patient/*.rs`` (or ``patient/*.read``) asks for every type."""
    if len(text) > MAX_SCOPE_TEXT:
        raise InvalidScope("The scope is too long.")
    types: set[str] = set()
    flags = {name: False for name in CONTEXT_SCOPES}
    refused: list[str] = []
    for scope in text.split():
        if scope in flags:
            flags[scope] = True
            continue
        match = _RESOURCE_SCOPE.fullmatch(scope)
        if match is None or match["context"] != "patient":
            refused.append(scope[:100])
            continue
        perms = match["perms"]
        reads = perms in ("read", "*") or ("r" in perms or "s" in perms)
        if not reads:
            refused.append(scope[:100])
            continue
        if match["type"] == "*":
            types.update(RESOURCE_TYPES)
        elif match["type"] in RESOURCE_AREAS:
            types.add(match["type"])
        else:
            refused.append(scope[:100])
    if not types:
        raise InvalidScope("The app asked for no FHIR resources the portal can share (patient/<Type>.rs).")
    return Scopes(
        resource_types=frozenset(types),
        launch_patient=flags[LAUNCH_PATIENT],
        openid=flags[OPENID],
        fhir_user=flags[FHIR_USER],
        offline=flags[OFFLINE_ACCESS],
        online=flags[ONLINE_ACCESS] and not flags[OFFLINE_ACCESS],
        not_granted=tuple(refused),
    )


class ClientKind(enum.Enum):
    PUBLIC = "public"  # a browser or phone app: no secret; PKCE is its proof
    CONFIDENTIAL = "confidential"  # a server: a client secret (client_secret_basic or _post), and PKCE


class AppStatus(enum.Enum):
    ACTIVE = "active"
    DISABLED = "disabled"  # an admin withdrew it: no new authorizations, its tokens refused


@dataclass(frozen=True)
class AppClient:
    """An app an organization's admin registered. ``client_id`` is public; the secret of a
    confidential client is stored only as a hash."""

    client_id: str
    organization_id: str
    name: str
    redirect_uris: tuple[str, ...]
    kind: ClientKind
    status: AppStatus
    created_at: datetime
    logo_url: str = ""
    privacy_policy_url: str = ""
    description: str = ""  # one line a patient recognises it by ("Track your blood pressure")
    secret_hash: str = ""
    version: int = 0


class AuthorizationStatus(enum.Enum):
    # Approved, its code not exchanged yet: not connected (not listed, no token works). The code's
    # exchange makes it active and replaces the app's earlier one for the same patient and account.
    PENDING = "pending"
    ACTIVE = "active"
    REVOKED = "revoked"  # by the patient (or proxy), by staff, or because the app was disabled


@dataclass(frozen=True)
class AppAuthorization:
    """A patient's (or their proxy's) consent for one app to read one patient's record: the
    resource types left checked, when, by whom. Tokens are issued under it and die with it: every
    FHIR call reads it, strongly, so a revoke holds on the very next call."""

    authorization_id: str
    client_id: str
    organization_id: str
    patient_id: str
    account_id: str  # who authorized: the patient, or a proxy acting for them
    resource_types: frozenset[str]
    scope: str  # the scope string granted (Scopes.text)
    status: AuthorizationStatus
    created_at: datetime
    offline: bool = False
    revoked_at: datetime | None = None
    revoked_by: str = ""  # "patient", "proxy", "staff", "admin" (app disabled)
    proxy_grant_id: str = ""  # when a proxy authorized: the grant they acted under
    last_used_at: datetime | None = None
    version: int = 0
    app_name: str = field(default="", compare=False)  # for lists: the app's name when authorized

    @property
    def active(self) -> bool:
        return self.status is AuthorizationStatus.ACTIVE

    @property
    def online(self) -> bool:
        """online_access granted (kept in the scope string: the stored fields stay as they were)."""
        return not self.offline and ONLINE_ACCESS in self.scope.split()

    def allows(self, resource_type: str) -> bool:
        return self.active and resource_type in self.resource_types
