import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { apiError, me } from "./fixtures";
import { expectAccessible } from "./recordsFixtures";
import { fakeApi, renderAt } from "./render";

const LOINC = "http://loinc.org";

const reading = (id: string, code: string, display: string, value: string, units: string, at: string): Schemas["VitalSign"] => ({
  id,
  version: 1,
  updated_at: "2026-11-21T10:05:00Z",
  code: { code, display, system: LOINC },
  value,
  numeric: true,
  units,
  observed_at: at,
  status: "final",
});

const point = (id: string, value: string, units: string, at: string): Schemas["TrendPoint"] => ({
  result_id: id,
  at,
  value,
  units,
  reference_range: null,
  flags: [],
  critical: false,
  outside_window: false,
});

// As the API answers: newest measured first, each trend's points oldest first.
const history: Schemas["VitalSignsHistory"] = {
  trends: [
    {
      code: { code: "8867-4", display: "Heart rate", system: LOINC },
      units: "/min",
      points: [point("hr-1", "64", "/min", "2026-11-20T10:00:00Z"), point("hr-2", "70", "/min", "2026-11-21T10:00:00Z")],
      other_units: [],
    },
    {
      code: { code: "29463-7", display: "Body weight", system: LOINC },
      units: "kg",
      points: [point("wt-1", "61.5", "kg", "2026-11-21T10:00:00Z")],
      other_units: [],
    },
  ],
  complete: true,
};

const readings: Schemas["VitalSignsPage"] = {
  vital_signs: [
    reading("hr-2", "8867-4", "Heart rate", "70", "/min", "2026-11-21T10:00:00Z"),
    reading("wt-1", "29463-7", "Body weight", "61.5", "kg", "2026-11-21T10:00:00Z"),
    reading("hr-1", "8867-4", "Heart rate", "64", "/min", "2026-11-20T10:00:00Z"),
  ],
  next_cursor: null,
};

describe("vital signs in the health summary", () => {
  it("shows the latest of each, each one over time, and every reading newest first", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-summary/vital_signs/history": { status: 200, body: history },
      "GET /v1/patients/p-1/health-summary/vital_signs": { status: 200, body: readings },
    });
    renderAt("/health-summary/vital_signs");
    const latest = await screen.findByRole("table", { name: "The latest reading of each vital sign" });
    const rows = within(latest).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringMatching(/^Heart rate70 \/minNov 21, 2026/),
      expect.stringMatching(/^Body weight61\.5 kgNov 21, 2026/),
    ]);
    // a chart (and its table) for what has more than one reading; the page title names no value
    expect(screen.getByRole("figure", { name: "Heart rate over time" })).toBeTruthy();
    expect(screen.queryByRole("figure", { name: "Body weight over time" })).toBeNull();
    expect(document.title).toBe("Health summary | Patient portal");
    const list = screen.getAllByRole("heading", { level: 3 }).map((heading) => heading.textContent);
    expect(list.slice(-3)).toEqual(["Heart rate", "Body weight", "Heart rate"]);
    const newest = screen.getAllByRole("heading", { name: "Heart rate", level: 3 })[0]!.closest("li")!;
    expect(newest.textContent).toContain("Reading:70 /min");
    expect(screen.getByRole("link", { name: "Vital signs" }).getAttribute("aria-current")).toBe("page");
    expect(calls.find((call) => call.path.endsWith("/vital_signs"))?.search).toBe("?limit=20");
  });

  it("is accessible with its charts and tables", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-summary/vital_signs/history": { status: 200, body: history },
      "GET /v1/patients/p-1/health-summary/vital_signs": { status: 200, body: readings },
    });
    renderAt("/health-summary/vital_signs");
    await screen.findByRole("figure", { name: "Heart rate over time" });
    await screen.findByRole("heading", { name: "Body weight", level: 3 });
    await expectAccessible();
  }, 20_000); // (axe over a chart and three lists takes seconds on a busy machine)

  it("says when there are none, and says why it could not load them", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-summary/vital_signs/history": { status: 200, body: { trends: [], complete: true } },
      "GET /v1/patients/p-1/health-summary/vital_signs": { status: 200, body: { vital_signs: [], next_cursor: null } },
    });
    renderAt("/health-summary/vital_signs");
    expect(await screen.findByText("No vital signs are on file.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });

  it("shows the API's reason when the history is refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-summary/vital_signs/history": { status: 404, body: apiError("not_found", "No such patient.") },
      "GET /v1/patients/p-1/health-summary/vital_signs": { status: 404, body: apiError("not_found", "No such patient.") },
    });
    renderAt("/health-summary/vital_signs");
    const alerts = await screen.findAllByRole("alert");
    expect(alerts[0]!.textContent).toBe("No such patient.");
  });
});
