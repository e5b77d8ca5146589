import type { ErrorBody } from "../api/errors";

// (the portal's one way of saying dates; the admin pages import it from here too)
export { momentText } from "../components/dates";

/** The API's error body, when a call was refused with one (a network failure has none). */
export function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === "object" && value !== null && "error" in value;
}
