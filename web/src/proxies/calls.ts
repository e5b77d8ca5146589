import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { call, type FileState, sendFile } from "../messages/attachments";
import type { FileLink, ProxyDocument } from "./types";

// The proxy-access routes (docs/api.md), through the portal's one typed API client. Reads answer
// their data or throw an Error whose message is a sentence (for queries); writes answer their data
// or throw the API's error body as it came (for forms: formErrors reads it).

async function written<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const answer = await request;
  if (answer.error !== undefined) throw answer.error;
  return answer.data as T;
}

type Path<Name extends string> = { params: { path: Record<Name, string> } };
const grantPath = (patientId: string, grantId: string): Path<"patient_id" | "grant_id"> => ({
  params: { path: { patient_id: patientId, grant_id: grantId } },
});
const requestPath = (requestId: string): Path<"request_id"> => ({ params: { path: { request_id: requestId } } });

// The requester's own
export const fetchForm = () => load(() => api.GET("/v1/proxy-requests/form"));
export const fetchMyRequests = () => load(() => api.GET("/v1/proxy-requests"));
export const fetchOrganizationNames = () => load(() => api.GET("/v1/support-requests/organizations"));
export const fetchMyGrants = () => load(() => api.GET("/v1/me/proxy-grants"));
export const fetchRequest = (requestId: string) => load(() => api.GET("/v1/proxy-requests/{request_id}", requestPath(requestId)));
// (the writes that take an Idempotency-Key are given the form's: a double click or a retry after a
// lost answer does it once; api/idempotency.ts)
const once = (key: string) => ({ "Idempotency-Key": key });
export const createRequest = (body: Schemas["NewProxyRequest"], key: string) =>
  written(api.POST("/v1/proxy-requests", { params: { header: once(key) }, body }));
export const withdrawRequest = (requestId: string) =>
  written(api.POST("/v1/proxy-requests/{request_id}/withdraw", requestPath(requestId)));
export const signRequest = (requestId: string, body: Schemas["SignProxyRequest"], key: string) =>
  written(
    api.POST("/v1/proxy-requests/{request_id}/sign", {
      params: { path: { request_id: requestId }, header: once(key) },
      body,
    }),
  );
export const removeDocument = (requestId: string, documentId: string) =>
  written(
    api
      .DELETE("/v1/proxy-requests/{request_id}/documents/{document_id}", {
        params: { path: { request_id: requestId, document_id: documentId } },
      })
      // (204 has no body: an answer without an error is the removal done)
      .then((answer) => (answer.error === undefined ? { ...answer, data: true as const } : answer)),
  );
export const redeemInvitation = (code: string) => written(api.POST("/v1/proxy-invitations/redeem", { body: { code } }));

/** A legal document of a request: announced, uploaded straight to storage, checked (as a message's file). */
export function sendDocument(
  requestId: string,
  kind: ProxyDocument["kind"],
  file: File,
  onState: (state: FileState) => void,
): Promise<ProxyDocument> {
  return sendFile(
    file,
    async () => {
      const announced = await call(() =>
        api.POST("/v1/proxy-requests/{request_id}/documents", {
          ...requestPath(requestId),
          body: { kind, file_name: file.name, content_type: file.type as ProxyDocument["content_type"], size: file.size },
        }),
      );
      return { id: announced.document.document_id, upload: announced.upload };
    },
    (documentId) =>
      call(() =>
        api.POST("/v1/proxy-requests/{request_id}/documents/{document_id}/check", {
          params: { path: { request_id: requestId, document_id: documentId } },
        }),
      ),
    onState,
  );
}

// The patient's own: who can see the record
export const fetchProxies = (patientId: string) =>
  load(() => api.GET("/v1/patients/{patient_id}/proxies", { params: { path: { patient_id: patientId } } }));
export const answerConsent = (patientId: string, grantId: string, agree: boolean) =>
  written(api.POST("/v1/patients/{patient_id}/proxies/{grant_id}/consent", { ...grantPath(patientId, grantId), body: { agree } }));
export const renewGrant = (patientId: string, grantId: string, key: string) =>
  written(
    api.POST("/v1/patients/{patient_id}/proxies/{grant_id}/renew", {
      params: { path: { patient_id: patientId, grant_id: grantId }, header: once(key) },
    }),
  );
export const revokeGrant = (patientId: string, grantId: string) =>
  written(api.POST("/v1/patients/{patient_id}/proxies/{grant_id}/revoke", grantPath(patientId, grantId)));
export const inviteTrustedPerson = (patientId: string, body: Schemas["TrustedPersonInvitation"]) =>
  written(api.POST("/v1/patients/{patient_id}/proxies", { params: { path: { patient_id: patientId } }, body }));

// Staff
export const fetchStaffQueue = (queue: "to_do" | "done", cursor: string) =>
  load(() => api.GET("/v1/staff/proxy-requests", { params: { query: { queue, ...(cursor && { cursor }) } } }));
export const fetchStaffRequest = (requestId: string) =>
  load(() => api.GET("/v1/staff/proxy-requests/{request_id}", requestPath(requestId)));
export const matchRequest = (requestId: string, body: Schemas["MatchProxyRequest"]) =>
  written(api.POST("/v1/staff/proxy-requests/{request_id}/match", { ...requestPath(requestId), body }));
export const approveRequest = (requestId: string, body: Schemas["ApproveProxyRequest"], key: string) =>
  written(
    api.POST("/v1/staff/proxy-requests/{request_id}/approve", {
      params: { path: { request_id: requestId }, header: once(key) },
      body,
    }),
  );
export const denyRequest = (requestId: string, reason: string, key: string) =>
  written(
    api.POST("/v1/staff/proxy-requests/{request_id}/deny", {
      params: { path: { request_id: requestId }, header: once(key) },
      body: { reason },
    }),
  );
export const fetchStaffProxies = (patientId: string) =>
  load(() => api.GET("/v1/staff/patients/{patient_id}/proxies", { params: { path: { patient_id: patientId } } }));
export const endGrant = (patientId: string, grantId: string, reason: string) =>
  written(api.POST("/v1/staff/proxy-grants/{patient_id}/{grant_id}/end", { ...grantPath(patientId, grantId), body: { reason } }));
export const staffRenewGrant = (patientId: string, grantId: string, endsAt: string, key: string) =>
  written(
    api.POST("/v1/staff/proxy-grants/{patient_id}/{grant_id}/renew", {
      params: { path: { patient_id: patientId, grant_id: grantId }, header: once(key) },
      body: endsAt ? { ends_at: endsAt } : {},
    }),
  );

/**
 * A five-minute link to a request's document or signed form. The request names the address to ask
 * (`link_path`); it is asked of the same client so the session's header goes with it.
 */
export function fetchLink(linkPath: string): Promise<FileLink> {
  type Loose = { GET: (path: string) => Promise<{ data?: FileLink; error?: unknown }> };
  return load(() => (api as unknown as Loose).GET(linkPath));
}

