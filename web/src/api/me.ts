import { api } from "./client";
import { load } from "./errors";

/** GET /v1/me; every page that needs it shares one cached answer per session (["me", token]). */
export const fetchMe = () => load(() => api.GET("/v1/me"));
