import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";

const read = (what: string, appName: string | null, at: string) => ({
  at,
  who: "app",
  what,
  outcome: "success",
  resource_type: "Observation",
  proxy_name: null,
  app_name: appName,
});

describe("who looked at my record: health apps", () => {
  it("names the app that read the record, and what it did, in plain words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/access-log": {
        status: 200,
        body: {
          events: [
            read("fhir.search", "Health Tracker Demo", "2026-03-02T10:00:00Z"),
            { ...read("fhir.read", null, "2026-03-02T08:00:00Z"), resource_type: "Patient" },
            { ...read("fhir.read", null, "2026-03-02T07:59:30Z"), resource_type: "Organization" },
            { ...read("app.authorize", null, "2026-03-01T10:00:00Z"), who: "you", resource_type: null },
          ],
          next_cursor: null,
        },
      },
    });
    renderAt("/access-log");
    const table = await screen.findByRole("table", { name: "Who looked at my record" });
    const rows = within(table).getAllByRole("row").slice(1).map((row) => row.textContent);
    expect(rows[0]).toContain("Health Tracker Demo (a health app)A health app looked through test results and vital signs");
    expect(rows[1]).toContain("A health appA health app read your name, birth date and contact details");
    // reads of different parts within a minute stay apart: each says what it read
    expect(rows[2]).toContain("A health app read who provided your care and where your data came from");
    expect(rows[3]).toContain("YouConnected a health app to your record");
  });

  it("says a health link was opened by someone it was shared with", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/access-log": {
        status: 200,
        body: {
          events: [{ ...read("health_link.use", null, "2026-03-02T10:00:00Z"), who: "anonymous", resource_type: null }],
          next_cursor: null,
        },
      },
    });
    renderAt("/access-log");
    const table = await screen.findByRole("table", { name: "Who looked at my record" });
    const row = within(table).getAllByRole("row")[1]!.textContent;
    expect(row).toContain("Someone you shared a link withOpened the link to your health summary");
    expect(row).not.toContain("not signed in");
  });
});
