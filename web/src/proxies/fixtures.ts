import type { Schemas } from "../api/client";
import { me } from "../test/fixtures";
import type { ActingFor, ProxyDocument, ProxyGrantView, ProxyRequest, StaffProxyRequest } from "./types";

// The proxy-access API's answers the tests fake, in its documented shapes.

export const emma: ActingFor = {
  grant_id: "g-emma",
  patient_id: "p-emma",
  organization_id: "org-1",
  organization_name: "Albany Medical Center",
  name: "Emma",
  relationship: "parent",
  proxy_name: "Luis Rivera",
  access: "full",
  areas: ["results", "documents", "health_summary", "messages", "appointments", "medications"],
  visible_until: "2031-06-01T04:00:00Z",
  ends_at: null,
  unread_messages: 2,
};

/** GET /v1/me of an account acting for these patients (with its own record unless `own` is false). */
export function meActingFor(grants: ActingFor[], own = true): Schemas["Me"] {
  const base = me();
  return {
    ...base,
    patient: own ? base.patient : null,
    acting_for: grants,
  };
}

export function grant(id: string, extra: Partial<ProxyGrantView> = {}): ProxyGrantView {
  return {
    grant_id: id,
    patient_id: "p-1",
    proxy_name: "Sam Lovelace",
    patient_name: "Ada",
    relationship: "trusted_person",
    access: "read_only",
    areas: ["results", "appointments"],
    status: "active",
    starts_at: "2026-01-05T10:00:00Z",
    ends_at: "2027-01-05T10:00:00Z",
    visible_until: null,
    created_at: "2026-01-05T10:00:00Z",
    consented_at: "2026-01-05T10:00:00Z",
    ended_at: null,
    end_reason: "",
    request_id: "",
    given_by: "patient",
    ...extra,
  };
}

export function document(id: string, extra: Partial<ProxyDocument> = {}): ProxyDocument {
  return {
    document_id: id,
    kind: "birth_certificate",
    file_name: "birth.pdf",
    content_type: "application/pdf",
    size: 2048,
    status: "ready",
    problem: null,
    ...extra,
  };
}

export function request(id: string, extra: Partial<ProxyRequest> = {}): ProxyRequest {
  return {
    request_id: id,
    status: "draft",
    organization_id: "org-1",
    organization_name: "Albany Medical Center",
    relationship: "parent",
    patient: { given_name: "Emma", family_name: "Lovelace", birth_date: "2019-06-01", identifier: null },
    requester_name: "Ada Lovelace",
    requester_phone: null,
    access: "full",
    areas: null,
    note: null,
    documents: [],
    signed_at: null,
    submitted_at: null,
    decided_at: null,
    decision_reason: null,
    grant_id: null,
    created_at: "2026-03-01T10:00:00Z",
    ...extra,
  };
}

export function staffRequest(id: string, extra: Partial<StaffProxyRequest> = {}): StaffProxyRequest {
  return {
    ...request(id, { status: "submitted", submitted_at: "2026-03-02T10:00:00Z", signed_at: "2026-03-02T10:00:00Z" }),
    documents: [{ ...document("d-1"), link_path: `/v1/staff/proxy-requests/${id}/documents/d-1/link` }],
    requester: { account_id: "acc-1", username: "ada", email_on_file: true },
    matched_patient: null,
    patient_age: null,
    signed_form_link_path: `/v1/staff/proxy-requests/${id}/signed-form/link`,
    ...extra,
  };
}

export const emmaRecord: Schemas["PatientSummary"] = {
  patient_id: "p-emma",
  organization_id: "org-1",
  identifiers: [],
  family_name: "Lovelace",
  given_names: ["Emma"],
  birth_date: "2019-06-01",
  sex: "female",
};
