import i18next from "i18next";
import { type FormErrors, formErrors } from "../api/errors";
import { timeText } from "../components/dates";

export type Outcome<T> = { data: T; errors?: undefined } | { data?: undefined; errors: FormErrors; code?: string };

function retryAfter(body: unknown): number | null {
  const details = (body as { error?: { details?: { retry_after_seconds?: number | null }[] } })?.error?.details;
  const seconds = details?.find((detail) => typeof detail.retry_after_seconds === "number")?.retry_after_seconds;
  return typeof seconds === "number" ? seconds : null;
}

function errorCode(body: unknown): string | undefined {
  return (body as { error?: { code?: string } })?.error?.code;
}

/**
 * One form's call: its data, or what the form shows (formErrors), with the API's error code. A
 * throttled attempt (429) also says when to try again, as the API tells it, in the reader's time.
 */
export async function submit<T>(
  call: () => Promise<{ data?: T; error?: unknown; response?: Response }>,
  fields: readonly string[],
): Promise<Outcome<T>> {
  let result: { data?: T; error?: unknown; response?: Response };
  try {
    result = await call();
  } catch {
    return { errors: { fields: {}, general: [i18next.t("errors.network")] } };
  }
  if (result.error === undefined && (result.response === undefined || result.response.ok)) {
    return { data: result.data as T };
  }
  const errors = formErrors(result.error, fields, i18next.t("errors.unexpected"));
  const seconds = retryAfter(result.error);
  if (seconds !== null) {
    const when = new Date(Date.now() + Math.max(1, seconds) * 1000);
    const time = timeText(when, i18next.language);
    errors.general.push(i18next.t("account.tryAgainAt", { time }));
  }
  return { errors, code: errorCode(result.error) };
}
