import { api } from "../api/client";
import { load } from "../api/errors";
import { call, sendFile, type FileState } from "../messages/attachments";
import type { DocumentUpload, ProxyDocument, ProxyForm, ProxyGrantView, ProxyRequest } from "./types";

/**
 * The proxy-access routes (docs/api.md, "Proxy access") through the portal's one API client, so
 * the session's header and its end are handled as for every other call. Their paths are written
 * as strings: the calls type their answers with the shapes in ./types.
 */
type Init = { body?: unknown; params?: { query?: Record<string, string> } };
type Answer<T> = Promise<{ data?: T; error?: unknown; response: Response }>;
interface Loose {
  GET<T>(path: string, init?: Init): Answer<T>;
  POST<T>(path: string, init?: Init): Answer<T>;
  PUT<T>(path: string, init?: Init): Answer<T>;
  DELETE<T>(path: string, init?: Init): Answer<T>;
}
const loose = api as unknown as Loose;

const at = (path: string) => path;
const id = encodeURIComponent;

/** Reads (for queries): the data, or an Error whose message is a sentence. */
export const get = <T>(path: string, query?: Record<string, string>) =>
  load(() => loose.GET<T>(at(path), query ? { params: { query } } : undefined));

/**
 * Writes (for forms): the data, or the API's error body thrown as is (formErrors reads it), or a
 * network failure thrown as an Error.
 */
export async function send<T>(method: "POST" | "PUT" | "DELETE", path: string, body?: unknown): Promise<T> {
  const answer = await loose[method]<T>(at(path), body === undefined ? undefined : { body });
  if (answer.error !== undefined) throw answer.error;
  return (answer.data ?? (true as T)) as T;
}

export const proxyPaths = {
  requests: "/v1/proxy-requests",
  request: (requestId: string) => `/v1/proxy-requests/${id(requestId)}`,
  form: "/v1/proxy-requests/form",
  myGrants: "/v1/me/proxy-grants",
  patientProxies: (patientId: string) => `/v1/patients/${id(patientId)}/proxies`,
  patientProxy: (patientId: string, grantId: string, verb: "revoke" | "consent" | "renew") =>
    `/v1/patients/${id(patientId)}/proxies/${id(grantId)}/${verb}`,
  redeem: "/v1/proxy-invitations/redeem",
  staffRequests: "/v1/staff/proxy-requests",
  staffRequest: (requestId: string) => `/v1/staff/proxy-requests/${id(requestId)}`,
  staffPatientProxies: (patientId: string) => `/v1/staff/patients/${id(patientId)}/proxies`,
  staffGrant: (patientId: string, grantId: string, verb: "end" | "renew") =>
    `/v1/staff/proxy-grants/${id(patientId)}/${id(grantId)}/${verb}`,
  sensitiveCodes: "/v1/admin/sensitive-codes",
};

export const fetchForm = () => get<ProxyForm>(proxyPaths.form);
export const fetchMyRequests = () => get<{ requests: ProxyRequest[] }>(proxyPaths.requests);
export const fetchRequest = (requestId: string) => get<ProxyRequest>(proxyPaths.request(requestId));
export const fetchProxies = (patientId: string) => get<{ proxies: ProxyGrantView[] }>(proxyPaths.patientProxies(patientId));

/** A legal document of a request: announced, uploaded straight to storage, checked (as a message's file). */
export function sendDocument(
  requestId: string,
  kind: string,
  file: File,
  onState: (state: FileState) => void,
): Promise<ProxyDocument> {
  return sendFile(
    file,
    async () => {
      const announced = await call(() =>
        loose.POST<DocumentUpload>(`${proxyPaths.request(requestId)}/documents`, {
          body: { kind, file_name: file.name, content_type: file.type, size: file.size },
        }),
      );
      return { id: announced.document.document_id, upload: announced.upload };
    },
    (documentId) =>
      call(() => loose.POST<ProxyDocument>(`${proxyPaths.request(requestId)}/documents/${id(documentId)}/check`)),
    onState,
  );
}
