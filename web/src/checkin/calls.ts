import { api } from "../api/client";
import { isErrorBody } from "../api/errors";
import type { Answer, DetailChanges, FormKind, SignBody, VisitTypeChange } from "./types";

const CHECK_IN = "/v1/patients/{patient_id}/appointments/{appointment_id}/check-in";
const idempotent = (key: string) => ({ "Idempotency-Key": key });

/** Keyed by the session token (another session never sees this one's answers), the record and the visit. */
export const checkInKey = (token: string, patientId: string, appointmentId: string) => [
  "check-in",
  token,
  patientId,
  appointmentId,
];

const visit = (patientId: string, appointmentId: string) => ({ patient_id: patientId, appointment_id: appointmentId });

export const patientCheckIn = {
  get: (patientId: string, appointmentId: string) => api.GET(CHECK_IN, { params: { path: visit(patientId, appointmentId) } }),
  details: (patientId: string, appointmentId: string, changes: DetailChanges | null, key: string) =>
    api.POST(`${CHECK_IN}/details`, {
      params: { path: visit(patientId, appointmentId), header: idempotent(key) },
      body: { confirmed: true, changes },
    }),
  answers: (patientId: string, appointmentId: string, answers: Answer[], key: string) =>
    api.POST(`${CHECK_IN}/answers`, {
      params: { path: visit(patientId, appointmentId), header: idempotent(key) },
      body: { answers },
    }),
  sign: (patientId: string, appointmentId: string, formId: string, body: SignBody, key: string) =>
    api.POST(`${CHECK_IN}/forms/{form_id}/sign`, {
      params: { path: { ...visit(patientId, appointmentId), form_id: formId }, header: idempotent(key) },
      body,
    }),
  complete: (patientId: string, appointmentId: string, key: string) =>
    api.POST(`${CHECK_IN}/complete`, { params: { path: visit(patientId, appointmentId), header: idempotent(key) } }),
  signedForm: (patientId: string, documentId: string) =>
    api.GET("/v1/patients/{patient_id}/signed-forms/{document_id}", {
      params: { path: { patient_id: patientId, document_id: documentId } },
    }),
};

export const staffCheckIns = {
  day: (date: string | null) => api.GET("/v1/staff/check-ins", { params: { query: date ? { date } : {} } }),
  get: (patientId: string, appointmentId: string) =>
    api.GET("/v1/staff/patients/{patient_id}/appointments/{appointment_id}/check-in", {
      params: { path: visit(patientId, appointmentId) },
    }),
  signedForm: (patientId: string, documentId: string) =>
    api.GET("/v1/staff/patients/{patient_id}/signed-forms/{document_id}", {
      params: { path: { patient_id: patientId, document_id: documentId } },
    }),
};

export const adminForms = {
  list: () => api.GET("/v1/admin/forms"),
  get: (formId: string) => api.GET("/v1/admin/forms/{form_id}", { params: { path: { form_id: formId } } }),
  create: (body: { title: string; kind: FormKind; body: string }, key: string) =>
    api.POST("/v1/admin/forms", { params: { header: idempotent(key) }, body }),
  publish: (formId: string, body: { title: string; body: string }, key: string) =>
    api.POST("/v1/admin/forms/{form_id}/versions", { params: { path: { form_id: formId }, header: idempotent(key) }, body }),
  setActive: (formId: string, active: boolean) =>
    api.PUT("/v1/admin/forms/{form_id}/active", { params: { path: { form_id: formId } }, body: { active } }),
  visitTypes: () => api.GET("/v1/admin/visit-types"),
  saveVisitType: (visitTypeId: string, body: VisitTypeChange) =>
    api.PUT("/v1/admin/visit-types/{visit_type_id}", { params: { path: { visit_type_id: visitTypeId } }, body }),
};

/**
 * An API refusal with its fields renamed for a form: the API names nested fields with dots
 * ("changes.insurance.payer", "answers.<link id>"), while a form's fields (formErrors) are flat.
 */
export function renamed(body: unknown, rename: (field: string) => string | undefined): unknown {
  if (!isErrorBody(body)) return body;
  return {
    error: {
      ...body.error,
      details: body.error.details.map((detail) => {
        const field = detail.field ? rename(detail.field) : undefined;
        return { ...detail, field: field ?? detail.field };
      }),
    },
  };
}
