import type { Schemas } from "../api/client";

// The shapes of the health-apps API (docs/api.md, "Health apps"), as the pages read them: the
// generated ones, and the resource types' order beside them.

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
export type AppSummary = Schemas["AppSummary"];

/** A record the signed-in account may share with the app: its own, or one it acts for (`resource_types`: what this account may share of it; a proxy's grant limits it). */
export type ShareablePatient = Schemas["OfferedPatient"];

/** GET /v1/app-authorizations/requests/{request_id}: what the app asks, for the consent page. */
export type AuthorizationRequest = Schemas["ConsentRequest"];

/** GET /v1/patients/{patient_id}/apps: an app connected to the record, with its reads (from the audit trail). */
export type ConnectedApp = Schemas["ConnectedApp"];

/** GET /v1/admin/apps: an app as its organization's admins manage it. */
export type RegisteredApp = Schemas["RegisteredApp"];

/** POST/PUT /v1/admin/apps: what an admin writes of an app. */
export type AppRegistration = Schemas["AppRegistration"];

/** A registration, or a new secret: a confidential app's secret comes once, in this answer. */
export type RegisteredWithSecret = Schemas["RegisteredApp"];
