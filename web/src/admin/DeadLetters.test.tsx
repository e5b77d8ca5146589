import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { fakeApi, renderAt } from "../test/render";
import { adminMe } from "./fixtures";

const COMMAND = "python -m infra.admin redrive --stack <stack> --queue all";

function counts(notifications: number, inbound = 0): Schemas["DeadLetters"] {
  return {
    queues: [
      {
        queue: "notifications",
        waiting: notifications,
        kinds: notifications
          ? [
              { kind: "invitation", count: notifications - 1 },
              { kind: "something_waiting", count: 1 },
            ]
          : [],
      },
      { queue: "inbound", waiting: inbound, kinds: inbound ? [{ kind: "ORU^R01", count: inbound }] : [] },
      { queue: "outbound", waiting: 0, kinds: [] },
    ],
    redrive_command: COMMAND,
  };
}

describe("undelivered messages", () => {
  it("shows what waits on the dead-letter queues, emails by what they are in words, and the command for the operator", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/dead-letters": { status: 200, body: counts(3, 1) },
    });
    renderAt("/admin/dead-letters");

    const table = await screen.findByRole("table", { name: "Undelivered messages" });
    const rows = within(table).getAllByRole("row").slice(1).map((row) => row.textContent);
    expect(rows).toEqual([
      "Emails to patients and staff3Invitation: 2, New results notice: 1",
      "Messages from your clinical systems1ORU^R01: 1",
    ]);
    expect(screen.getByRole("heading", { level: 1, name: "Undelivered messages" })).toBeTruthy();
    expect(document.title).toBe("Undelivered messages | Patient portal");
    expect(screen.getByText(COMMAND)).toBeTruthy();
    expect(screen.getByText(/also in the feed quarantine, marked as waiting on the dead-letter queue/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Undelivered messages" })).toBeTruthy();
    await expectAccessible();
  });

  it("says so when nothing waits", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/dead-letters": { status: 200, body: counts(0) },
    });
    renderAt("/admin/dead-letters");

    expect(await screen.findByText("Nothing waits: every message was delivered.")).toBeTruthy();
    expect(screen.queryByRole("table")).toBeNull();
  });
});
