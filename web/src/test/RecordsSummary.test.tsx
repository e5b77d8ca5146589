import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { apiError, me } from "./fixtures";
import { expectAccessible, homeConnection, meWith, saratoga } from "./recordsFixtures";
import { fakeApi, renderAt } from "./render";

const allergy = (id: string, substance: string): Schemas["Allergy"] => ({
  id,
  version: 1,
  updated_at: "2026-03-01T00:00:00Z",
  substance: { display: substance, code: "", system: "" },
  clinical_status: "active",
  criticality: "high",
  reactions: [{ manifestations: ["Hives"], severity: "moderate" }],
  recorded_at: "2026-02-01",
});

const appointment: Schemas["Appointment"] = {
  id: "ap-1",
  version: 1,
  updated_at: "2026-03-01T00:00:00Z",
  status: "booked",
  starts_at: "2026-04-02T09:30:00Z",
  minutes: 30,
  description: "Follow-up visit",
  with: ["Dr. Grace Hopper"],
  locations: ["Albany Clinic, 2nd floor"],
};

describe("health summary", () => {
  it("shows allergies first, in words, a page at a time", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-summary/allergies": (call) =>
        new URLSearchParams(call.search).get("cursor") === "c2"
          ? { status: 200, body: { allergies: [allergy("a-2", "Latex")], next_cursor: null } }
          : { status: 200, body: { allergies: [allergy("a-1", "Penicillin")], next_cursor: "c2" } },
    });
    renderAt("/health-summary");
    const penicillin = (await screen.findByRole("heading", { name: "Penicillin" })).closest("li")!;
    expect(document.title).toBe("Health summary | Patient portal");
    expect(penicillin.textContent).toContain("Reactions:Hives (moderate)");
    expect(penicillin.textContent).toContain("Risk:high");
    expect(screen.getByRole("link", { name: "Allergies" }).getAttribute("aria-current")).toBe("page");
    await expectAccessible();

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByRole("heading", { name: "Latex" })).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Previous page" }));
    expect(await screen.findByRole("heading", { name: "Penicillin" })).toBeTruthy();
    expect(calls.filter((call) => call.path.endsWith("/allergies")).map((call) => call.search).slice(0, 2)).toEqual([
      "?limit=20",
      "?limit=20&cursor=c2",
    ]);
  });

  it("has a page for every section, each saying when it is empty", async () => {
    setToken("tok-1");
    const empty = (section: string) => ({ status: 200, body: { [section]: [], next_cursor: null } });
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-summary/allergies": empty("allergies"),
      "GET /v1/patients/p-1/health-summary/conditions": empty("conditions"),
      "GET /v1/patients/p-1/health-summary/medications": empty("medications"),
      "GET /v1/patients/p-1/health-summary/immunizations": empty("immunizations"),
      "GET /v1/patients/p-1/health-summary/visits": empty("visits"),
    });
    renderAt("/health-summary");
    const user = userEvent.setup();
    expect(await screen.findByText("No allergies are on file.")).toBeTruthy();
    for (const [link, text] of [
      ["Conditions", "No conditions are on file."],
      ["Medications", "No medications are on file."],
      ["Immunizations", "No immunizations are on file."],
      ["Visits", "No visits are on file."],
    ] as const) {
      await user.click(within(screen.getByRole("navigation", { name: "Sections" })).getByRole("link", { name: link }));
      expect(await screen.findByText(text)).toBeTruthy();
    }
    expect(window.location.pathname).toBe("/health-summary/visits");
  });

  it("lists appointments to come, and those gone by when asked", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-summary/appointments": (call) =>
        new URLSearchParams(call.search).get("when") === "past"
          ? { status: 200, body: { appointments: [], next_cursor: null } }
          : { status: 200, body: { appointments: [appointment], next_cursor: null } },
    });
    renderAt("/health-summary/appointments");
    const visit = (await screen.findByRole("heading", { name: "Follow-up visit" })).closest("li")!;
    expect(visit.textContent).toContain("Length:30 minutes");
    expect(visit.textContent).toContain("With:Dr. Grace Hopper");
    await userEvent.setup().click(screen.getByLabelText("Past"));
    expect(await screen.findByText("You have no past appointments on file.")).toBeTruthy();
    expect(calls.at(-1)?.search).toBe("?limit=20&when=past");
  });

  it("reads a connected organization's summary, and says when it is refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meWith(homeConnection, saratoga) },
      "GET /v1/patients/p-2/health-summary/conditions": {
        status: 404,
        body: apiError("not_found", "No such patient."),
      },
    });
    renderAt("/health-summary/conditions?record=p-2");
    expect((await screen.findByRole("alert")).textContent).toBe("No such patient.");
    expect(screen.getByText("Showing your record at Saratoga Hospital.")).toBeTruthy();
    // (the section's link, in the page; the site's navigation has a Medications page of its own)
    expect(within(screen.getByRole("main")).getByRole("link", { name: "Medications" }).getAttribute("href")).toBe(
      "/health-summary/medications?record=p-2",
    );
  });

  it("says so for a section that does not exist", async () => {
    setToken("tok-1");
    fakeApi({ "GET /v1/me": { status: 200, body: me() } });
    renderAt("/health-summary/horoscope");
    expect((await screen.findByRole("alert")).textContent).toBe("There is no such section of the health summary.");
  });
});
