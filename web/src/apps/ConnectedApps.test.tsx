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
    expect(tracking.textContent).toContain("Connected on Feb 20, 2026 by you");
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
    await user.click(await screen.findByRole("button", { name: "Disconnect Health Tracker Demo" }));
    expect(screen.getByRole("group", { name: "Disconnect Health Tracker Demo?" })).toBe(document.activeElement);
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await user.click(screen.getByRole("button", { name: "Disconnect Health Tracker Demo" }));
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
    await user.click(await screen.findByRole("button", { name: "Disconnect Health Tracker Demo" }));
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
});
