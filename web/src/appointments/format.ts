import type { TFunction } from "i18next";
import type { Appointment } from "./types";

export type { Appointment };

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

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;

/**
 * A time the API gives with the clinic's offset ("2027-01-15T09:30:00-05:00"), in words as the
 * clinic's wall clock reads it ("Friday, January 15, 2027 at 9:30 AM"), wherever the reader is:
 * a request's times carry no zone name, but their offset is the clinic's. With the zone known
 * (`timeZone`), it is named too.
 */
export function slotTime(value: string, language: string, timeZone?: string | null): string {
  if (timeZone) return visitTime(value, timeZone, language);
  const parts = WALL_CLOCK.exec(value);
  if (parts === null) return value;
  const [, year, month, day, hour, minute] = parts.map(Number);
  const wall = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!));
  return new Intl.DateTimeFormat(language, {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZone: "UTC",
  }).format(wall);
}

/** A calendar day ("2027-01-15") in words with its weekday, never moved by the reader's zone. */
export function dayWords(value: string, language: string): string {
  const date = new Date(`${value}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(language, {
    weekday: "long",
    year: "numeric",
    month: "long",
    day: "numeric",
    timeZone: "UTC",
  }).format(date);
}
