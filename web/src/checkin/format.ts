// The API gives check-in times with the clinic's offset ("2027-01-12T09:30:00-05:00"). They are
// shown on the clinic's clock, as the visit's own time is, whatever the reader's zone: the
// wall-clock part is read as written and formatted without moving it.

const WITH_OFFSET = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function wallClock(value: string): Date | null {
  const match = WITH_OFFSET.exec(value);
  if (!match) return null;
  const [, day, hour, minute] = match;
  const wall = new Date(`${day}T${hour}:${minute}:00Z`);
  return Number.isNaN(wall.getTime()) ? null : wall;
}

/** "Tuesday, January 12, 2027 at 9:30 AM" on the clinic's clock; what cannot be read stays as sent. */
export function clinicTime(value: string, language: string): string {
  const wall = wallClock(value);
  if (wall === null) return value;
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

/** The time of day only ("9:30 AM") on the clinic's clock, for a list of one day's visits. */
export function clinicClock(value: string, language: string): string {
  const wall = wallClock(value);
  if (wall === null) return value;
  return new Intl.DateTimeFormat(language, { hour: "numeric", minute: "2-digit", timeZone: "UTC" }).format(wall);
}

/** Today's date (YYYY-MM-DD) on the reader's own calendar. */
export function localToday(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** A form's text as paragraphs: the API splits them by blank lines. */
export function paragraphs(body: string): string[] {
  return body
    .split(/\r?\n\s*\r?\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean);
}
