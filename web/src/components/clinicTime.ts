// When something happened (asked, changed, written, received, checked in), said with the clock it
// is read on named, so that a reader in another zone than their clinic's never takes one clock for
// the other. The best clock known is used:
// 1. the clinic's zone, when the page knows it (an API answer's `time_zone`): "Dec 5, 2026, 9:30 AM
//    Eastern Standard Time";
// 2. else the clinic's offset the time was sent with ("...T09:30:00-05:00"): its wall clock as
//    written, the offset named ("Dec 5, 2026, 9:30 AM UTC-05:00");
// 3. else (a time the API keeps in UTC, "...Z", with no zone to put it in) the reader's own clock,
//    its zone named, rather than UTC, which few patients read.

const WITH_OFFSET = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?([+-])(\d{2}):(\d{2})$/;

const SHORT: Intl.DateTimeFormatOptions = {
  year: "numeric",
  month: "short",
  day: "numeric",
  hour: "numeric",
  minute: "2-digit",
};
// As a visit's time is said on the appointments and check-in pages ("Friday, January 15, 2027 at 9:30 AM").
const LONG: Intl.DateTimeFormatOptions = { ...SHORT, weekday: "long", month: "long" };

/**
 * A moment in words with its clock named; what cannot be read stays as sent. "short" for lists and
 * facts ("Dec 5, 2026, 9:30 AM ..."), "long" in a sentence beside a visit's times.
 */
export function namedMoment(
  value: string,
  language: string,
  timeZone?: string | null,
  style: "short" | "long" = "short",
): string {
  const PARTS = style === "long" ? LONG : SHORT;
  const date = new Date(value);
  if (value === "" || Number.isNaN(date.getTime())) return value;
  if (timeZone) {
    try {
      return new Intl.DateTimeFormat(language, { ...PARTS, timeZone, timeZoneName: "long" }).format(date);
    } catch {
      // a zone this browser does not know: the offset, or the reader's clock, below
    }
  }
  const offset = WITH_OFFSET.exec(value);
  if (offset) {
    const [, day, hour, minute, sign, offsetHours, offsetMinutes] = offset;
    const wall = new Date(`${day}T${hour}:${minute}:00Z`);
    const clock = new Intl.DateTimeFormat(language, { ...PARTS, timeZone: "UTC" }).format(wall);
    const named = offsetHours === "00" && offsetMinutes === "00" ? "UTC" : `UTC${sign}${offsetHours}:${offsetMinutes}`;
    return `${clock} ${named}`;
  }
  return new Intl.DateTimeFormat(language, { ...PARTS, timeZoneName: "long" }).format(date);
}
