import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";

// The SMART Health Links routes (docs/api.md), through the portal's typed client. Reads answer
// their data or throw a sentence (for queries); writes throw the API's error body as it came.

export type HealthLinkView = Schemas["HealthLinkView"];
export type SharedHealthLink = Schemas["SharedHealthLink"];
export type NewHealthLink = Schemas["NewHealthLink"];

async function written<T>(request: Promise<{ data?: T; error?: unknown }>): Promise<T> {
  const answer = await request;
  if (answer.error !== undefined) throw answer.error;
  return answer.data as T;
}

const patient = (patientId: string) => ({ params: { path: { patient_id: patientId } } });
const link = (patientId: string, linkId: string) => ({ params: { path: { patient_id: patientId, link_id: linkId } } });

export const fetchLinks = (patientId: string) =>
  load(() => api.GET("/v1/patients/{patient_id}/health-links", patient(patientId)));
export const fetchLink = (patientId: string, linkId: string) =>
  load(() => api.GET("/v1/patients/{patient_id}/health-links/{link_id}", link(patientId, linkId)));
export const fetchUses = (patientId: string, linkId: string) =>
  load(() => api.GET("/v1/patients/{patient_id}/health-links/{link_id}/uses", link(patientId, linkId)));
// No Idempotency-Key: a kept answer would hold the link's key (a double click makes two links).
export const createLink = (patientId: string, body: NewHealthLink) =>
  written(api.POST("/v1/patients/{patient_id}/health-links", { ...patient(patientId), body }));
export const revokeLink = (patientId: string, linkId: string) =>
  written(
    api
      .POST("/v1/patients/{patient_id}/health-links/{link_id}/revoke", link(patientId, linkId))
      // (204 has no body: an answer without an error is the revoke done)
      .then((answer) => (answer.error === undefined ? { ...answer, data: true as const } : answer)),
  );
