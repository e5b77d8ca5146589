// The shapes of the proxy-access API (docs/api.md, "Proxy access"), as the pages read them.

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
export interface ActingFor {
  grant_id: string;
  patient_id: string;
  organization_id: string;
  organization_name: string;
  name: string;
  relationship: Relationship;
  access: Access;
  areas: string[];
  visible_until: string | null;
  ends_at: string | null;
  unread_messages: number;
}

export type GrantStatus = "invited" | "awaiting_consent" | "active" | "ended" | "revoked" | "terminated" | "declined";

export interface ProxyGrantView {
  grant_id: string;
  patient_id: string;
  proxy_name: string;
  patient_name: string;
  relationship: Relationship;
  access: Access;
  areas: string[];
  status: GrantStatus;
  starts_at: string;
  ends_at: string | null;
  visible_until: string | null;
  created_at: string;
  consented_at: string | null;
  ended_at: string | null;
  end_reason: string;
  request_id: string;
  given_by: "staff" | "patient";
}

export type DocumentStatus = "waiting" | "ready" | "refused";

export interface ProxyDocument {
  document_id: string;
  kind: DocumentKind;
  file_name: string;
  content_type: string;
  size: number;
  status: DocumentStatus;
  problem: string | null;
}

export type RequestStatus = "draft" | "submitted" | "approved" | "awaiting_consent" | "denied" | "withdrawn";

export interface RequestedPatient {
  given_name: string;
  family_name: string;
  birth_date: string;
  identifier: string | null;
}

export interface ProxyRequest {
  request_id: string;
  status: RequestStatus;
  organization_id: string;
  organization_name: string;
  relationship: Relationship;
  patient: RequestedPatient;
  requester_name: string;
  requester_phone: string | null;
  access: Access;
  areas: string[];
  note: string | null;
  documents: ProxyDocument[];
  signed_at: string | null;
  submitted_at: string | null;
  decided_at: string | null;
  decision_reason: string | null;
  grant_id: string | null;
  created_at: string;
}

export interface ProxyForm {
  version: string;
  title: string;
  text: string;
}

export interface DocumentUpload {
  document: ProxyDocument;
  upload: { url: string; fields: Record<string, string> };
}

/** What staff see of a request (GET /v1/staff/proxy-requests/{id}). */
export interface StaffProxyRequest extends ProxyRequest {
  requester: { account_id: string; username: string; email_on_file: boolean };
  matched_patient: {
    patient_id: string;
    family_name: string;
    given_names: string[];
    birth_date: string | null;
    identifiers: { system?: string; type?: string; value: string }[];
    deceased?: boolean;
  } | null;
  patient_age: number | null;
  signed_form_link_path: string | null;
  documents: (ProxyDocument & { link_path: string | null })[];
}

export interface FileLink {
  url: string;
  expires_at: string;
}
