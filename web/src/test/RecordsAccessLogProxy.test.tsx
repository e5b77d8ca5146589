import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { me } from "./fixtures";
import { expectAccessible } from "./recordsFixtures";
import { fakeApi, renderAt } from "./render";

type AccessEvent = Schemas["AccessEvent"];
const event = (at: string, what: string, who: AccessEvent["who"], proxy_name: string | null = null): AccessEvent => ({
  at,
  who,
  what,
  outcome: "success",
  resource_type: null,
  proxy_name,
});

describe("who looked at my record: someone acting for me", () => {
  it("names the proxy, and folds the same person's same look within a minute into one line", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/access-log": {
        status: 200,
        body: {
          events: [
            event("2026-03-02T10:00:40Z", "patient.read", "proxy", "Luis Rivera"),
            event("2026-03-02T10:00:20Z", "patient.read", "proxy", "Luis Rivera"),
            event("2026-03-02T10:00:00Z", "patient.read", "proxy", "Luis Rivera"),
            // a minute and more before the line's newest: a line of its own
            event("2026-03-02T09:59:30Z", "patient.read", "proxy", "Luis Rivera"),
            // another person's look at the same moment: never folded into his
            event("2026-03-02T09:59:30Z", "patient.read", "proxy", "Ana Rivera"),
            event("2026-03-02T09:59:00Z", "results.list", "proxy", null),
          ],
          next_cursor: null,
        },
      },
    });
    renderAt("/access-log");
    const table = await screen.findByRole("table", { name: "Who looked at my record" });
    const rows = within(table).getAllByRole("row").slice(1).map((row) => row.textContent ?? "");
    expect(rows).toHaveLength(4);
    expect(rows[0]).toContain("Luis Rivera (acting for you)");
    expect(rows[0]).toContain("(3 times within a minute)");
    expect(rows[1]).toContain("Luis Rivera (acting for you)");
    expect(rows[1]).not.toContain("times");
    expect(rows[2]).toContain("Ana Rivera (acting for you)");
    // a proxy the API could not name is still said in words
    expect(rows[3]).toContain("Someone acting for you");
    await expectAccessible();
  });
});
