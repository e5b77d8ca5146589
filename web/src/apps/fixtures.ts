import type { AppSummary, AuthorizationRequest, ConnectedApp, RegisteredApp, ShareablePatient } from "./types";

// The health-apps API's answers the page tests fake, in the contract's shapes (types.ts).

export const tracker: AppSummary = {
  client_id: "demo-health-tracker",
  name: "Health Tracker Demo",
  description: "Charts your results over time.",
  logo_url: "https://tracker.example/logo.png",
  privacy_policy_url: "https://tracker.example/privacy",
  kind: "public",
};

export const ada: ShareablePatient = {
  patient_id: "p-1",
  name: "Ada Lovelace",
  relationship: "self",
  organization_name: "Albany Medical",
  resource_types: [
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
  ],
};

export const emmaShared: ShareablePatient = {
  patient_id: "p-emma",
  name: "Emma Lovelace",
  relationship: "parent",
  organization_name: "Albany Medical",
  // (the parent's grant covers results only)
  resource_types: ["Patient", "Observation", "DiagnosticReport", "Practitioner", "Organization", "Provenance"],
};

export function consentRequest(extra: Partial<AuthorizationRequest> = {}): AuthorizationRequest {
  return {
    request_id: "req-1",
    app: tracker,
    resource_types: ada.resource_types,
    not_granted: [],
    offline: true,
    openid: true,
    patients: [ada],
    expires_at: "2026-03-01T10:10:00Z",
    ...extra,
  };
}

export function connected(id: string, extra: Partial<ConnectedApp> = {}): ConnectedApp {
  return {
    authorization_id: id,
    app: tracker,
    authorized_at: "2026-02-20T15:00:00Z",
    authorized_by: "you",
    authorized_by_name: null,
    resource_types: ["Patient", "Observation"],
    offline: true,
    last_used_at: "2026-02-21T09:30:00Z",
    reads: [
      { resource_type: "Observation", count: 12, last_at: "2026-02-21T09:30:00Z" },
      { resource_type: "Patient", count: 1, last_at: "2026-02-20T15:01:00Z" },
    ],
    ...extra,
  };
}

export function registered(clientId: string, extra: Partial<RegisteredApp> = {}): RegisteredApp {
  return {
    ...tracker,
    client_id: clientId,
    redirect_uris: ["http://localhost:8765/callback"],
    status: "active",
    created_at: "2026-01-15T12:00:00Z",
    ...extra,
  };
}
