"""What the health apps' routes take and give (see kernel/contract.py): the OAuth endpoints' forms
and answers (RFC 6749's own error shape), the SMART discovery document, the consent API the
portal's pages call, connected apps, and the admins' app registry."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, ConfigDict, Field, StringConstraints

from chalicelib.apps.domain import RESOURCE_TYPES
from chalicelib.kernel.contract import RequestModel, ResponseModel

ResourceType = Literal[
    "Patient",
    "Observation",
    "DiagnosticReport",
    "DocumentReference",
    "AllergyIntolerance",
    "Condition",
    "Immunization",
    "MedicationRequest",
    "Encounter",
    "Appointment",
    "Practitioner",
    "Organization",
    "Provenance",
]
assert set(ResourceType.__args__) == set(RESOURCE_TYPES)  # type: ignore[attr-defined]

ClientKindName = Literal["public", "confidential"]

# -- OAuth (forms in, RFC 6749 JSON out) ------------------------------------------------------------


class _Form(RequestModel):
    """Documents a form body (application/x-www-form-urlencoded); Authlib reads the form itself
    and answers a wrong one in OAuth's error shape."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)


Text = Annotated[str, StringConstraints(max_length=2000)]


class TokenForm(_Form):
    grant_type: Literal["authorization_code", "refresh_token"]
    code: Text | None = Field(default=None, description="authorization_code: the code from the redirect.")
    redirect_uri: Text | None = Field(default=None, description="authorization_code: as sent to /oauth2/authorize.")
    code_verifier: Text | None = Field(default=None, description="authorization_code: the PKCE verifier (S256).")
    refresh_token: Text | None = Field(default=None, description="refresh_token: the last one issued (it rotates).")
    scope: Text | None = Field(default=None, description="refresh_token: at most the scope granted.")
    client_id: Text | None = Field(default=None, description="Public clients, and client_secret_post.")
    client_secret: Text | None = Field(default=None, description="client_secret_post only.")


class TokenActionForm(_Form):
    token: Text
    token_type_hint: Literal["access_token", "refresh_token"] | None = None
    client_id: Text | None = None
    client_secret: Text | None = None


class OAuthError(ResponseModel):
    """RFC 6749 section 5.2."""

    error: str
    error_description: str | None = None
    error_uri: str | None = None
    state: str | None = None


class TokenAnswer(ResponseModel):
    access_token: str
    token_type: Literal["Bearer"]
    expires_in: int
    scope: str
    patient: str | None = Field(default=None, description="With launch/patient: the patient chosen at consent.")
    refresh_token: str | None = Field(default=None, description="With offline_access; rotates on every use.")
    id_token: str | None = Field(default=None, description="With openid: RS256, keys at /oauth2/jwks.")
    need_patient_banner: bool


class IntrospectionAnswer(ResponseModel):
    active: bool
    scope: str | None = None
    client_id: str | None = None
    token_type: str | None = None
    exp: int | None = None
    iat: int | None = None
    sub: str | None = None
    iss: str | None = None
    patient: str | None = None


class Empty(ResponseModel):
    pass


class KeySet(ResponseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    keys: list[dict[str, Any]]


class SmartConfiguration(ResponseModel):
    """SMART App Launch 2's discovery document."""

    issuer: str
    jwks_uri: str
    authorization_endpoint: str
    token_endpoint: str
    introspection_endpoint: str
    revocation_endpoint: str
    grant_types_supported: list[str]
    response_types_supported: list[str]
    code_challenge_methods_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    scopes_supported: list[str]
    capabilities: list[str]


# -- the consent API ------------------------------------------------------------------------------


class AppSummary(ResponseModel):
    client_id: str
    name: str
    description: str
    logo_url: str | None
    privacy_policy_url: str | None
    kind: ClientKindName


class OfferedPatient(ResponseModel):
    patient_id: str
    name: str
    relationship: str = Field(description='"self", or the proxy grant\'s relationship ("parent", ...).')
    organization_name: str
    resource_types: list[ResourceType] = Field(description="What this caller may share of this patient.")


class ConsentRequest(ResponseModel):
    request_id: str
    app: AppSummary
    resource_types: list[ResourceType] = Field(description="Asked for and grantable, in the portal's order.")
    not_granted: list[str] = Field(description="Scopes asked for that the portal never grants (writes ...).")
    offline: bool
    openid: bool
    patients: list[OfferedPatient]
    expires_at: str


class Approve(RequestModel):
    patient_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    resource_types: list[ResourceType] = Field(min_length=1, max_length=len(RESOURCE_TYPES))


class Redirect(ResponseModel):
    redirect_to: str


# -- connected apps -------------------------------------------------------------------------------


class AppRead(ResponseModel):
    resource_type: str
    count: int
    last_at: str


class ConnectedApp(ResponseModel):
    authorization_id: str
    app: AppSummary
    authorized_at: str
    authorized_by: str = Field(description='"you", or "proxy" when someone acting for the patient did.')
    authorized_by_name: str | None
    resource_types: list[ResourceType]
    offline: bool
    last_used_at: str | None
    reads: list[AppRead]


class ConnectedApps(ResponseModel):
    apps: list[ConnectedApp]


class AppList(ResponseModel):
    apps: list[AppSummary]


# -- the admins' registry -------------------------------------------------------------------------


def _redirect_uri(value: str) -> str:
    from chalicelib.apps.oauth.registry import check_redirect_uri

    return check_redirect_uri(value)


def _page_url(value: str) -> str:
    from chalicelib.apps.oauth.registry import check_page_url

    return check_page_url(value)


RedirectUri = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(_redirect_uri)]
PageUrl = Annotated[str, StringConstraints(min_length=1, max_length=500), AfterValidator(_page_url)]
AppName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
AppDescription = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class AppRegistration(RequestModel):
    name: AppName
    description: AppDescription = ""
    redirect_uris: list[RedirectUri] = Field(min_length=1, max_length=10)
    logo_url: PageUrl | None = None
    privacy_policy_url: PageUrl | None = None
    kind: ClientKindName


class RegisteredApp(ResponseModel):
    client_id: str
    name: str
    description: str
    logo_url: str | None
    privacy_policy_url: str | None
    kind: ClientKindName
    redirect_uris: list[str]
    status: Literal["active", "disabled"]
    created_at: str
    client_secret: str | None = Field(default=None, description="A confidential app's secret: shown this once.")


class RegisteredApps(ResponseModel):
    apps: list[RegisteredApp]
