import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import type { AppRegistration } from "./types";

// The health-apps routes (docs/api.md, "Health apps"), through the portal's one typed API client.
// Reads answer their data or throw an Error whose message is a sentence (for queries); writes
// answer their data or throw the API's error body as it came (for forms: formErrors reads it).

async function written<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const answer = await request;
  if (!answer.response.ok) throw answer.error;
  return answer.data as T;
}

const requestPath = (requestId: string) => ({ params: { path: { request_id: requestId } } });
const clientPath = (clientId: string) => ({ params: { path: { client_id: clientId } } });

// The consent page (the session's account)
export const fetchAuthorizationRequest = (requestId: string) =>
  load(() => api.GET("/v1/app-authorizations/requests/{request_id}", requestPath(requestId)));
export const approveRequest = (requestId: string, body: Schemas["Approve"]) =>
  written(api.POST("/v1/app-authorizations/requests/{request_id}/approve", { ...requestPath(requestId), body }));
export const denyRequest = (requestId: string) =>
  written(api.POST("/v1/app-authorizations/requests/{request_id}/deny", requestPath(requestId)));

// Connected apps of one record, and the apps a patient may connect
export const fetchConnectedApps = (patientId: string) =>
  load(() => api.GET("/v1/patients/{patient_id}/apps", { params: { path: { patient_id: patientId } } }));
export const revokeApp = (patientId: string, authorizationId: string) =>
  written(
    api.POST("/v1/patients/{patient_id}/apps/{authorization_id}/revoke", {
      params: { path: { patient_id: patientId, authorization_id: authorizationId } },
    }),
  );
export const fetchAvailableApps = () => load(() => api.GET("/v1/apps"));

// Admins: the organization's registered apps
export const fetchRegisteredApps = () => load(() => api.GET("/v1/admin/apps"));
export const registerApp = (body: AppRegistration) => written(api.POST("/v1/admin/apps", { body }));
export const changeApp = (clientId: string, body: AppRegistration) =>
  written(api.PUT("/v1/admin/apps/{client_id}", { ...clientPath(clientId), body }));
export const newSecret = (clientId: string) => written(api.POST("/v1/admin/apps/{client_id}/secret", clientPath(clientId)));
export const disableApp = (clientId: string) => written(api.POST("/v1/admin/apps/{client_id}/disable", clientPath(clientId)));
