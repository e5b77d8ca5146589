import type { Schemas } from "../api/client";

// The shapes of the proxy-access API (docs/api.md), as the pages read them: the generated ones,
// and the lists and words the pages need beside them.

export const AREAS = [
  "results",
  "documents",
  "health_summary",
  "messages",
  "appointments",
  "medications",
] as const;
/** What a grant may cover (the access log and the proxies list are the patient's own, never a proxy's). */
export type ProxyArea = (typeof AREAS)[number];
export type Area = ProxyArea | "access_log" | "proxies";

export const RELATIONSHIPS = ["parent", "guardian_of_minor", "guardian_of_adult", "health_care_agent"] as const;
export type Relationship = (typeof RELATIONSHIPS)[number] | "trusted_person";
export type Access = "full" | "read_only";
export type DocumentKind = "birth_certificate" | "court_order" | "letters_of_guardianship" | "power_of_attorney" | "other";

/** The kinds each relationship must upload, one of each set (the API's REQUIRED_DOCUMENTS). */
export const REQUIRED_DOCUMENTS: Record<Relationship, DocumentKind[][]> = {
  parent: [["birth_certificate", "court_order", "other"]],
  guardian_of_minor: [["court_order", "letters_of_guardianship"]],
  guardian_of_adult: [["court_order", "letters_of_guardianship"]],
  health_care_agent: [["power_of_attorney"]],
  trusted_person: [],
};
export const FOR_MINORS: Relationship[] = ["parent", "guardian_of_minor"];

/** One patient the signed-in account acts for (GET /v1/me `acting_for`). */
export type ActingFor = Schemas["ActingFor"];

export type GrantStatus = "invited" | "awaiting_consent" | "active" | "ended" | "revoked" | "terminated" | "declined";

export type ProxyGrantView = Schemas["ProxyGrantView"];

export type DocumentStatus = "waiting" | "ready" | "refused";

export type ProxyDocument = Schemas["ProxyDocument"];

export type RequestStatus = "draft" | "submitted" | "approved" | "awaiting_consent" | "denied" | "withdrawn";


export type ProxyRequest = Schemas["ProxyRequest"];

export type ProxyForm = Schemas["ProxyRequestForm"];

export type DocumentUpload = Schemas["ProxyDocumentStarted"];

/** What staff see of a request (GET /v1/staff/proxy-requests/{id}). */
export type StaffProxyRequest = Schemas["StaffProxyRequest"];

export interface FileLink {
  url: string;
  expires_at: string;
}
