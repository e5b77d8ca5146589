import i18next from "i18next";
import type { Schemas } from "./client";

export type ErrorBody = Schemas["ErrorBody"];

/** What a form shows for a refused request: sentences by field name, and the rest. */
export interface FormErrors {
  fields: Record<string, string>;
  general: string[];
}

export const noErrors: FormErrors = { fields: {}, general: [] };

export function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === "object" && value !== null && "error" in value;
}

/**
 * Splits the API's error ({"error": {"code", "message", "details": [{"field", "issue"}]}}) into
 * what goes next to each field the form has and what goes above it. A detail that names a shown
 * field goes next to it, in its own words (`issue`) or, when it has none (a taken user name is
 * {"field": "username"}), in the error's message. The message goes above the form unless a field
 * already says it; so does the issue of a detail that names no field the form shows (unless it is the
 * message again).
 */
export function formErrors(body: unknown, formFields: readonly string[], fallback: string): FormErrors {
  if (!isErrorBody(body)) return { fields: {}, general: [fallback] };
  const { message, details } = body.error;
  const fields: Record<string, string> = {};
  const general: string[] = [];
  for (const detail of details) {
    const field = detail.field?.split(".")[0];
    const issue = detail.issue ? sentence(detail.issue) : undefined;
    if (field && formFields.includes(field)) fields[field] ??= issue ?? message;
    else if (issue && issue !== sentence(message) && !general.includes(issue)) general.push(issue);
  }
  // A detail may carry the message itself as its words: said once, however it is named.
  const saidByAField = Object.values(fields).some((said) => said === message || said === sentence(message));
  if (!saidByAField) general.unshift(message);
  return { fields, general };
}

/** The API words a field's issue as a phrase ("too common"); next to the field it reads as a sentence. */
export function sentence(issue: string): string {
  const text = issue.trim();
  if (!text) return text;
  return text.charAt(0).toUpperCase() + text.slice(1) + (/[.!?]$/.test(text) ? "" : ".");
}

/**
 * The data of a call, or an Error whose message is a sentence for the patient: the API's own
 * message, or plain words when the API could not be reached. (For queries; forms use formErrors.)
 */
export async function load<T>(call: () => Promise<{ data?: T; error?: unknown }>): Promise<T> {
  let result: { data?: T; error?: unknown };
  try {
    result = await call();
  } catch {
    throw new Error(i18next.t("errors.network"));
  }
  if (result.data !== undefined) return result.data;
  throw new Error(isErrorBody(result.error) ? result.error.error.message : i18next.t("errors.unexpected"));
}
