// The shapes of the health-apps API (issue 16's contract, docs/api.md once it is merged), as the
// pages read them. They are typed here rather than taken from the generated schema so that the
// pages build before the API's routes land; they follow the contract field for field, so that
// the generated types can replace them without a page changing.

/** The resource types an app may be allowed to read, in the API's order (apps.domain.RESOURCE_TYPES). */
export const RESOURCE_TYPES = [
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
] as const;
export type ResourceType = (typeof RESOURCE_TYPES)[number];

/** An app as a patient recognises it (the kind is for admins: patients are not shown it). */
export interface AppSummary {
  client_id: string;
  name: string;
  description: string;
  logo_url: string | null;
  privacy_policy_url: string | null;
  kind: "public" | "confidential";
}

/** A record the signed-in account may share with the app: its own, or one it acts for. */
export interface ShareablePatient {
  patient_id: string;
  name: string;
  relationship: string;
  organization_name: string;
  /** What this account may share of this record (a proxy's grant limits it). */
  resource_types: string[];
}

/** GET /v1/app-authorizations/requests/{request_id}: what the app asks, for the consent page. */
export interface AuthorizationRequest {
  request_id: string;
  app: AppSummary;
  resource_types: string[];
  not_granted: string[];
  offline: boolean;
  openid: boolean;
  patients: ShareablePatient[];
  expires_at: string;
}

/** The answer to approve or deny: where the browser goes next (back to the app). */
export interface Redirect {
  redirect_to: string;
}

export interface AppReads {
  resource_type: string;
  count: number;
  last_at: string;
}

/** GET /v1/patients/{patient_id}/apps: an app connected to the record. */
export interface ConnectedApp {
  authorization_id: string;
  app: AppSummary;
  authorized_at: string;
  authorized_by: string;
  authorized_by_name: string | null;
  resource_types: string[];
  offline: boolean;
  last_used_at: string | null;
  reads: AppReads[];
}

/** GET /v1/admin/apps: an app as its organization's admins manage it. */
export interface RegisteredApp extends AppSummary {
  redirect_uris: string[];
  status: "active" | "disabled";
  created_at: string;
}

/** POST/PUT /v1/admin/apps: what an admin writes of an app. */
export interface AppRegistration {
  name: string;
  description: string;
  redirect_uris: string[];
  logo_url?: string | null;
  privacy_policy_url?: string | null;
  kind: "public" | "confidential";
}

/** A registration, or a new secret: a confidential app's secret comes once, in this answer. */
export type RegisteredWithSecret = RegisteredApp & { client_secret?: string | null };
