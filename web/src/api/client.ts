import createClient from "openapi-fetch";
import { noteApiCall, noteRefusal } from "../account/activity";
import { getToken, setToken } from "../session";
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];

// The API is on the page's own origin (the local stack serves both; in AWS, CloudFront will).
// fetch is looked up per call so that tests can replace it.
export const api = createClient<paths>({
  baseUrl: window.location.origin,
  fetch: (request) => globalThis.fetch(request),
});

api.use({
  onRequest({ request }) {
    const token = getToken();
    if (token) {
      request.headers.set("Authorization", `Bearer ${token}`);
      noteApiCall(); // each call with the session moves its idle deadline on (the idle warning counts from it)
    }
    return request;
  },
  onResponse({ request, response }) {
    // A session that ended (idle, expired, signed out elsewhere) is forgotten, so the pages
    // send the patient back to sign in instead of repeating a refused call.
    if (response.status === 401 && request.headers.has("Authorization")) setToken(null);
    void noteRefusal(response); // a session that must first accept the terms, or set up a second factor
    return response;
  },
});
