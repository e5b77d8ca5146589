import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { messagingAndRefillEventTypes } from "./auditEventTypes";
import { apiError, me } from "./fixtures";
import { expectAccessible } from "./recordsFixtures";
import { fakeApi, renderAt } from "./render";

const event = (what: string, who: Schemas["AccessEvent"]["who"], outcome: Schemas["AccessEvent"]["outcome"] = "success") => ({
  at: "2026-03-02T10:00:00Z",
  who,
  what,
  outcome,
  resource_type: null,
  proxy_name: null,
});

describe("who looked at my record", () => {
  it("says who did what and when, in plain words, a page at a time", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/access-log": (call) =>
        new URLSearchParams(call.search).get("cursor") === "c2"
          ? { status: 200, body: { events: [event("records.filed", "system")], next_cursor: null } }
          : {
              status: 200,
              body: {
                events: [
                  event("result.read", "you"),
                  event("patient.portal_status.read", "staff"),
                  event("some.new_thing", "admin", "denied"),
                ],
                next_cursor: "c2",
              },
            },
    });
    renderAt("/access-log");
    const table = await screen.findByRole("table", { name: "Who looked at my record" });
    expect(document.title).toBe("Who looked at my record | Patient portal");
    const rows = within(table).getAllByRole("row").slice(1).map((row) => row.textContent);
    expect(rows[0]).toMatch(/Mar 2, 2026.*YouRead a test resultAllowed/);
    expect(rows[1]).toContain("Staff of your care teamLooked at your portal accountAllowed");
    expect(rows[2]).toContain("An administrator of your care teamAnother action on your record (some.new_thing)Refused");
    await expectAccessible();

    await userEvent.setup().click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByText("Filed something new in your record")).toBeTruthy();
    expect(calls.filter((call) => call.path.endsWith("/access-log")).map((call) => call.search)).toEqual([
      "?limit=25",
      "?limit=25&cursor=c2",
    ]);
  });

  it("names every messaging, refill and care-team action in plain words, never by its code", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/access-log": {
        status: 200,
        body: { events: messagingAndRefillEventTypes.map((what) => event(what, "staff")), next_cursor: null },
      },
    });
    renderAt("/access-log");
    const table = await screen.findByRole("table", { name: "Who looked at my record" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows).toHaveLength(messagingAndRefillEventTypes.length);
    const coded = rows.map((row) => row.textContent ?? "").filter((text) => text.includes("Another action"));
    expect(coded).toEqual([]);
    expect(within(table).getByText("Denied a refill request")).toBeTruthy();
    expect(within(table).getByText("Marked a conversation urgent")).toBeTruthy();
  });

  it("names the health app that read the record", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/access-log": {
        status: 200,
        body: {
          events: [
            { ...event("app.token", "app"), app_name: "Health Tracker Demo" },
            event("app.authorize", "you"),
          ],
          next_cursor: null,
        },
      },
    });
    renderAt("/access-log");
    const table = await screen.findByRole("table", { name: "Who looked at my record" });
    const rows = within(table).getAllByRole("row").slice(1).map((row) => row.textContent);
    expect(rows[0]).toContain("Health Tracker Demo (a health app)A connected health app signed in to read your record");
    expect(rows[1]).toContain("YouConnected a health app to your record");
  });

  it("says so when nobody has looked", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/access-log": { status: 200, body: { events: [], next_cursor: null } },
    });
    renderAt("/access-log");
    expect(await screen.findByText("Nobody has looked at your record yet.")).toBeTruthy();
  });

  it("says when it is refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/access-log": { status: 404, body: apiError("not_found", "No such patient.") },
    });
    renderAt("/access-log");
    expect((await screen.findByRole("alert")).textContent).toBe("No such patient.");
  });
});
