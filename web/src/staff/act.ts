import i18next from "i18next";
import { formErrors } from "../api/errors";

/**
 * Runs a staff action and gives its answer, or throws an Error whose message is the API's refusal
 * in its own words (a 409's sentence, say). Unlike load(), an empty success (204) is an answer too.
 */
export async function act<T>(call: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T | null> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await call();
  } catch {
    throw new Error(i18next.t("errors.network"));
  }
  if (result.response.ok) return result.data ?? null;
  throw new Error(formErrors(result.error, [], i18next.t("errors.unexpected")).general.join(" "));
}
