import { afterEach, describe, expect, it } from "vitest";
import { dayText, momentText, timeText, whenText } from "../components/dates";

// Node's environment (the web build has no Node types): setting TZ changes the zone Date uses.
declare const process: { env: Record<string, string | undefined> };
const zone = process.env.TZ;
afterEach(() => {
  if (zone === undefined) delete process.env.TZ;
  else process.env.TZ = zone;
});

describe("dates in words", () => {
  it("says a calendar day as sent, whatever the reader's time zone", () => {
    process.env.TZ = "America/Los_Angeles"; // midnight UTC is the evening before here
    expect(dayText("2026-03-02", "en-US")).toBe("Mar 2, 2026");
    expect(whenText("1990-04-01", "en-US")).toBe("Apr 1, 1990");
    expect(momentText("2026-03-02T10:00:00Z", "en-US")).toBe("Mar 2, 2026, 2:00 AM"); // the zone did change
  });

  it("says a moment with its time, in the reader's time zone", () => {
    process.env.TZ = "UTC";
    expect(momentText("2026-03-02T10:00:00Z", "en-US")).toBe("Mar 2, 2026, 10:00 AM");
    expect(whenText("2026-03-02T10:00:00Z", "en-US")).toBe("Mar 2, 2026, 10:00 AM");
    expect(timeText("2026-03-02T10:00:00Z", "en-US")).toBe("10:00 AM");
  });

  it("says a clinical time filed with the hospital's offset in the reader's own zone", () => {
    process.env.TZ = "America/Los_Angeles";
    // 08:30 in New York (EST), as the API gives a time a feed sent without an offset
    expect(whenText("2026-12-01T08:30:00-05:00", "en-US")).toBe("Dec 1, 2026, 5:30 AM");
    expect(whenText("2026-12-01T08:30-05:00", "en-US")).toBe("Dec 1, 2026, 5:30 AM"); // to the minute
    expect(dayText("2026-12-01T01:30:00-05:00", "en-US")).toBe("Nov 30, 2026"); // the reader's day
  });

  it("keeps what it cannot read, or what is less precise than a day, as sent", () => {
    expect(whenText("2026-03", "en-US")).toBe("2026-03");
    expect(whenText("2026", "en-US")).toBe("2026");
    expect(whenText(null, "en-US")).toBeNull();
    expect(momentText("soon", "en-US")).toBe("soon");
  });
});
