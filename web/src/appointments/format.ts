import type { TFunction } from "i18next";
import type { Schemas } from "../api/client";

export type Appointment = Schemas["PatientAppointment"];

const knownStatuses = [
  "proposed",
  "pending",
  "booked",
  "arrived",
  "checked-in",
  "fulfilled",
  "cancelled",
  "noshow",
  "entered-in-error",
  "waitlist",
] as const;

/** The status in words; one the page has no words for, as the clinic sent it. */
export function statusText(t: TFunction, status: string): string {
  return (knownStatuses as readonly string[]).includes(status)
    ? t(`appointments.status.${status as (typeof knownStatuses)[number]}`)
    : t("appointments.status.other", { status });
}

/**
 * A visit's time in words on the clinic's clock, with the zone named ("Friday, January 15, 2027
 * at 9:30 AM Eastern Standard Time"): a patient reading from another zone still sees the time the
 * clinic expects them. What cannot be read stays as sent.
 */
export function visitTime(value: string, timeZone: string, language: string): string {
  const date = new Date(value);
  if (value === "" || Number.isNaN(date.getTime())) return value;
  const options: Intl.DateTimeFormatOptions = {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZoneName: "long",
  };
  try {
    return new Intl.DateTimeFormat(language, { ...options, timeZone }).format(date);
  } catch {
    // a zone this browser does not know: the moment on the reader's clock, its zone still named
    return new Intl.DateTimeFormat(language, options).format(date);
  }
}

/** The time of day only (for the end of a visit that starts the same day). */
export function clockTime(value: string, timeZone: string, language: string): string {
  const date = new Date(value);
  if (value === "" || Number.isNaN(date.getTime())) return value;
  try {
    return new Intl.DateTimeFormat(language, { hour: "numeric", minute: "2-digit", timeZone }).format(date);
  } catch {
    return new Intl.DateTimeFormat(language, { hour: "numeric", minute: "2-digit" }).format(date);
  }
}
