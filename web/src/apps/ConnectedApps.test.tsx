import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { emma, meActingFor } from "../proxies/fixtures";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { connected, tracker } from "./fixtures";

describe("connected apps", () => {
  it("lists each app with when and by whom it was connected, what it may read and what it read", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/apps": {
        status: 200,
        body: {
          apps: [
            connected("auth-1"),
            connected("auth-2", {
              app: { ...tracker, client_id: "steps", name: "Step Counter", logo_url: null },
              authorized_by: "proxy",
              authorized_by_name: "Sam Lovelace",
              offline: false,
              last_used_at: null,
              reads: [],
            }),
          ],
        },
      },
    });
    renderAt("/apps");
    const tracking = (await screen.findByRole("heading", { name: "Health Tracker Demo" })).closest("li")!;
    expect(document.title).toBe("Connected apps | Patient portal");
    expect(tracking.textContent).toMatch(/Connected on Feb 20, 2026, \d{1,2}:\d{2}\s[AP]M by you/);
    expect(tracking.textContent).toContain("Your name, birth date and contact details");
    expect(tracking.textContent).toContain("Keeps reading until you disconnect it");
    const reads = within(tracking).getByRole("table", { name: "What it read" });
    expect(within(reads).getByRole("row", { name: /Test results and vital signs/ }).textContent).toContain("12 times, last on");
    expect(within(reads).getByRole("row", { name: /Your name/ }).textContent).toContain("Once, on");
    const steps = screen.getByRole("heading", { name: "Step Counter" }).closest("li")!;
    expect(steps.textContent).toContain("by Sam Lovelace");
    expect(steps.textContent).toContain("Has not read anything yet");
    expect(steps.textContent).toContain("Reads only for a short while");
    await expectAccessible();
  });

  it("disconnects an app only once the patient confirms, and says so", async () => {
    setToken("tok-1");
    let revoked = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/apps": () => ({ status: 200, body: { apps: revoked ? [] : [connected("auth-1")] } }),
      "GET /v1/apps": { status: 200, body: { apps: [tracker] } },
      "POST /v1/patients/p-1/apps/auth-1/revoke": () => {
        revoked = true;
        return { status: 204 };
      },
    });
    renderAt("/apps");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: /^Disconnect Health Tracker Demo, connected Feb 20, 2026/ }));
    expect(screen.getByRole("group", { name: "Disconnect Health Tracker Demo?" })).toBe(document.activeElement);
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await user.click(screen.getByRole("button", { name: /^Disconnect Health Tracker Demo, connected Feb 20, 2026/ }));
    await user.click(screen.getByRole("button", { name: "Yes, disconnect Health Tracker Demo" }));
    expect((await screen.findByRole("status")).textContent).toBe(
      "Health Tracker Demo is disconnected and can no longer read the record.",
    );
    expect(await screen.findByText("No app is connected to this record.")).toBeTruthy();
    // the empty page says how an app is connected, and which apps the clinic registered
    expect(screen.getByText(/open the app, search for this clinic/)).toBeTruthy();
    expect(screen.getByText("Health Tracker Demo").closest("li")!.textContent).toContain("Charts your results over time.");
  });

  it("says why a disconnect was refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/apps": { status: 200, body: { apps: [connected("auth-1")] } },
      "POST /v1/patients/p-1/apps/auth-1/revoke": { status: 503, body: apiError("unavailable", "Try again in a moment.") },
    });
    renderAt("/apps");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: /^Disconnect Health Tracker Demo, connected Feb 20, 2026/ }));
    await user.click(screen.getByRole("button", { name: "Yes, disconnect Health Tracker Demo" }));
    expect(await screen.findByText("Try again in a moment.")).toBeTruthy();
  });

  it("shows the apps of a record the account acts for, chosen with the record switcher", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([emma]) },
      "GET /v1/patients/p-emma/apps": { status: 200, body: { apps: [connected("auth-9")] } },
    });
    renderAt("/apps?record=p-emma");
    expect(await screen.findByRole("heading", { name: "Health Tracker Demo" })).toBeTruthy();
    expect(screen.getByText(/connected to Emma’s record/)).toBeTruthy();
    expect(calls.some((c) => c.path === "/v1/patients/p-1/apps")).toBe(false);
  });

  it("says 'by you' to the proxy who connected the app, and speaks of the record's patient", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([emma]) },
      "GET /v1/patients/p-emma/apps": {
        status: 200,
        body: { apps: [connected("auth-9", { authorized_by: "proxy", authorized_by_name: "Luis Rivera" })] },
      },
    });
    renderAt("/apps?record=p-emma");
    const card = (await screen.findByRole("heading", { name: "Health Tracker Demo" })).closest("li")!;
    expect(card.textContent).toMatch(/by you/);
    expect(card.textContent).not.toContain("Luis Rivera");
    expect(card.textContent).toContain("Emma’s name, birth date and contact details");
    expect(card.textContent).not.toContain("Your name");
  });

  it("tells two connections of one app apart and counts who-and-where reads as one row", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/apps": {
        status: 200,
        body: {
          apps: [
            connected("auth-1", {
              reads: [
                { resource_type: "Practitioner", count: 2, last_at: "2026-02-21T09:00:00Z" },
                { resource_type: "Organization", count: 3, last_at: "2026-02-21T10:00:00Z" },
                { resource_type: "Provenance", count: 1, last_at: "2026-02-21T08:00:00Z" },
              ],
            }),
            connected("auth-2", { authorized_at: "2026-03-04T11:15:00Z" }),
          ],
        },
      },
    });
    renderAt("/apps");
    const buttons = await screen.findAllByRole("button", { name: /^Disconnect Health Tracker Demo, connected / });
    expect(buttons).toHaveLength(2);
    expect(buttons[0]!.getAttribute("aria-label")).not.toBe(buttons[1]!.getAttribute("aria-label"));
    expect(buttons[1]!.getAttribute("aria-label")).toContain("Mar 4, 2026");
    const reads = screen.getAllByRole("table", { name: "What it read" })[0]!;
    const sources = within(reads).getAllByRole("row", { name: /Who provided your care/ });
    expect(sources).toHaveLength(1);
    expect(sources[0]!.textContent).toContain("6 times, last on");
  });
});
