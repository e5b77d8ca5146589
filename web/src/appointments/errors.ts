import { type ErrorBody, isErrorBody } from "../api/errors";

/**
 * The API names a field inside a list by its path ("preferred.0.date"); the form's fields are flat
 * ("preferred_0_date"), so the refusal lands next to the right one (formErrors reads a name up to
 * its first dot). A list refused as a whole ("preferred") stays as it is. A refusal about the
 * visit or the request itself ({"field": "appointment", "issue": "past_cutoff"}, {"field":
 * "request", "issue": "closed"}) carries a code for programs: its message already says it in
 * words, so the code is not shown.
 */
export function flatFields(error: unknown): unknown {
  if (!isErrorBody(error)) return error;
  const details = error.error.details
    .filter((detail) => detail.field !== "appointment" && detail.field !== "request")
    .map((detail) => (detail.field ? { ...detail, field: detail.field.replaceAll(".", "_") } : detail));
  return { error: { ...error.error, details } } satisfies ErrorBody;
}

/** The code of a refusal's detail (a 409's "past_cutoff", "not_open_yet"), when the API gave one. */
export function issueOf(error: unknown, field: string): string | null {
  if (!isErrorBody(error)) return null;
  return error.error.details.find((detail) => detail.field === field)?.issue ?? null;
}
