import { useTranslation } from "react-i18next";

// Dates and times the API sends, in words for the reader's language, in one style across the
// portal: a day as "Mar 2, 2026", a moment as "Mar 2, 2026, 10:00 AM", in the reader's time zone.
// A day without a time ("2026-03-02", a birth date) is a calendar day, not a moment: it is shown
// as sent, never moved a day by the reader's time zone.

const DAY_ONLY = /^\d{4}-\d{2}-\d{2}$/;

function formatter(language: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  return new Intl.DateTimeFormat(language, options);
}

function parsed(value: string): Date | null {
  const date = DAY_ONLY.test(value) ? new Date(`${value}T00:00:00Z`) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** A day ("2026-03-02", or the day of a moment) in words; what cannot be read stays as sent. */
export function dayText(value: string, language: string): string {
  const date = parsed(value);
  if (date === null) return value;
  return formatter(language, DAY_ONLY.test(value) ? { dateStyle: "medium", timeZone: "UTC" } : { dateStyle: "medium" }).format(
    date,
  );
}

/** A moment ("2026-03-02T10:00:00Z") as a date and time in words; a bare day as a day. */
export function momentText(value: string, language: string): string {
  if (DAY_ONLY.test(value)) return dayText(value, language);
  const date = parsed(value);
  if (date === null) return value;
  return formatter(language, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

/** The time of day of a moment ("10:00 AM"), for what happens later today. */
export function timeText(value: string | Date, language: string): string {
  const date = typeof value === "string" ? parsed(value) : value;
  if (date === null) return String(value);
  return formatter(language, { timeStyle: "short" }).format(date);
}

/**
 * A date as a sender sent it, shown as precisely as known: a moment, a day, or a year or a year
 * and month as sent. Null for none.
 */
export function whenText(value: string | null, language: string): string | null {
  if (value === null || value === "") return null;
  if (DAY_ONLY.test(value)) return dayText(value, language);
  if (value.length > 10 && parsed(value) !== null) return momentText(value, language);
  return value;
}

/** The functions above in the page's language. */
export function useDates() {
  const { i18n } = useTranslation();
  const language = i18n.language;
  return {
    day: (value: string) => dayText(value, language),
    moment: (value: string) => momentText(value, language),
    time: (value: string | Date) => timeText(value, language),
    when: (value: string | null) => whenText(value, language),
  };
}
