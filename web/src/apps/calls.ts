import { api } from "../api/client";
import { load } from "../api/errors";
import type {
  AppRegistration,
  AppSummary,
  AuthorizationRequest,
  ConnectedApp,
  Redirect,
  RegisteredApp,
  RegisteredWithSecret,
} from "./types";

// The health-apps routes (issue 16's contract), through the portal's one API client, so that the
// session's header, the idle clock and the refusal handling go with them as with every call.
// Reads answer their data or throw an Error whose message is a sentence (for queries); writes
// answer their data or throw the API's error body as it came (for forms: formErrors reads it).
//
// The routes are asked by their address through the client's untyped side (as proxies/calls.ts
// fetchLink does) because the generated schema may not hold them yet; each id in an address is
// encoded, and the answers are typed from types.ts.

type Answer<T> = Promise<{ data?: T; error?: unknown; response: Response }>;
interface Loose {
  GET: <T>(path: string) => Answer<T>;
  POST: <T>(path: string, init?: { body?: unknown }) => Answer<T>;
  PUT: <T>(path: string, init?: { body?: unknown }) => Answer<T>;
}
const loose = api as unknown as Loose;
const segment = encodeURIComponent;

async function written<T>(request: Answer<T>): Promise<T> {
  const answer = await request;
  if (!answer.response.ok) throw answer.error;
  return answer.data as T;
}

// The consent page (the session's account, Access.PATIENT)
export const fetchAuthorizationRequest = (requestId: string) =>
  load(() => loose.GET<AuthorizationRequest>(`/v1/app-authorizations/requests/${segment(requestId)}`));
export const approveRequest = (requestId: string, body: { patient_id: string; resource_types: string[] }) =>
  written(loose.POST<Redirect>(`/v1/app-authorizations/requests/${segment(requestId)}/approve`, { body }));
export const denyRequest = (requestId: string) =>
  written(loose.POST<Redirect>(`/v1/app-authorizations/requests/${segment(requestId)}/deny`));

// Connected apps of one record, and the apps a patient may connect
export const fetchConnectedApps = (patientId: string) =>
  load(() => loose.GET<{ apps: ConnectedApp[] }>(`/v1/patients/${segment(patientId)}/apps`));
export const revokeApp = (patientId: string, authorizationId: string) =>
  written(loose.POST<undefined>(`/v1/patients/${segment(patientId)}/apps/${segment(authorizationId)}/revoke`));
export const fetchAvailableApps = () => load(() => loose.GET<{ apps: AppSummary[] }>("/v1/apps"));

// Admins: the organization's registered apps
export const fetchRegisteredApps = () => load(() => loose.GET<{ apps: RegisteredApp[] }>("/v1/admin/apps"));
export const registerApp = (body: AppRegistration) => written(loose.POST<RegisteredWithSecret>("/v1/admin/apps", { body }));
export const changeApp = (clientId: string, body: AppRegistration) =>
  written(loose.PUT<RegisteredApp>(`/v1/admin/apps/${segment(clientId)}`, { body }));
export const newSecret = (clientId: string) =>
  written(loose.POST<RegisteredWithSecret>(`/v1/admin/apps/${segment(clientId)}/secret`));
export const disableApp = (clientId: string) =>
  written(loose.POST<RegisteredApp | undefined>(`/v1/admin/apps/${segment(clientId)}/disable`));
