import type { ErrorBody } from "../api/errors";

/** A moment the API sent ("2026-03-02T10:00:00Z") as a date and time in words, in the reader's language. */
export function momentText(value: string, language: string): string {
  const parsed = new Date(value);
  if (Number.isNaN(parsed.getTime())) return value;
  return new Intl.DateTimeFormat(language, { dateStyle: "long", timeStyle: "short" }).format(parsed);
}

/** The API's error body, when a call was refused with one (a network failure has none). */
export function isErrorBody(value: unknown): value is ErrorBody {
  return typeof value === "object" && value !== null && "error" in value;
}
