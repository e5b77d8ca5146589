import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { apiError, me } from "./fixtures";
import { expectAccessible } from "./recordsFixtures";
import { fakeApi, renderAt } from "./render";

const upcoming: Schemas["Upcoming"] = {
  upcoming: [
    {
      result_id: "r-1",
      kind: "result",
      type: null,
      category: "lab",
      name: "Lipid panel",
      release_at: "2026-03-05T12:00:00Z",
      waiting_for_review: false,
    },
    {
      result_id: "r-2",
      kind: "result",
      type: null,
      category: "pathology",
      name: "Biopsy",
      release_at: null,
      waiting_for_review: true,
    },
    {
      result_id: "d-1",
      kind: "document",
      type: "visit-summary",
      category: "document:visit-summary",
      name: null,
      release_at: "2026-03-09T12:00:00Z",
      waiting_for_review: true,
    },
  ],
};

const preferences: Schemas["ReleasePreferences"] = { wait_for_review: ["pathology"], longest_wait_days: 7 };

describe("coming soon", () => {
  it("says what is filed, when it will be shown, and what is held", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: upcoming },
      "GET /v1/patients/p-1/release-preferences": { status: 200, body: preferences },
    });
    renderAt("/upcoming");
    const lipid = (await screen.findByText("Lipid panel")).closest("li")!;
    expect(document.title).toBe("Results on the way | Patient portal");
    expect(lipid.textContent).toContain("Test result · Lab");
    expect(lipid.textContent).toMatch(/Will be shown Mar 5, 2026/);
    expect(screen.getByText("Biopsy").closest("li")!.textContent).toContain("Held back by your care team");
    const visit = screen.getByText("Visit summary").closest("li")!;
    expect(visit.textContent).toMatch(/Waiting for a clinician's review, as you asked; shown Mar 9, 2026/);
    expect(await screen.findByText(/at most 7 days later/)).toBeTruthy();
    await expectAccessible();
  });

  it("says so when nothing is waiting", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
      "GET /v1/patients/p-1/release-preferences": { status: 200, body: preferences },
    });
    renderAt("/upcoming");
    expect(await screen.findByText("Nothing is waiting to be shown.")).toBeTruthy();
  });

  it("saves the categories that wait for a review", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
      "GET /v1/patients/p-1/release-preferences": { status: 200, body: preferences },
      "PUT /v1/patients/p-1/release-preferences": (call) => ({
        status: 200,
        body: { ...(call.body as object), longest_wait_days: 7 },
      }),
    });
    renderAt("/upcoming");
    const user = userEvent.setup();
    const group = await screen.findByRole("group", { name: /Wait for a clinician's review/ });
    expect((within(group).getByLabelText("Pathology results") as HTMLInputElement).checked).toBe(true);
    await user.click(within(group).getByLabelText("Lab results"));
    await user.click(within(group).getByLabelText("Pathology results"));
    await user.click(screen.getByRole("button", { name: "Save my choice" }));
    expect((await screen.findByRole("status")).textContent).toMatch(/Your choice is saved/);
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({ wait_for_review: ["lab"] });
  });

  it("shows a refusal of the choice beside it", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
      "GET /v1/patients/p-1/release-preferences": { status: 200, body: preferences },
      "PUT /v1/patients/p-1/release-preferences": {
        status: 400,
        body: apiError("validation_failed", "The request is not valid.", [
          { field: "wait_for_review", issue: "Choose from lab, pathology, imaging and other." },
        ]),
      },
    });
    renderAt("/upcoming");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Save my choice" }));
    const alerts = await screen.findAllByRole("alert");
    expect(alerts.map((alert) => alert.textContent)).toContain("Choose from lab, pathology, imaging and other.");
  });

  it("says when the list is refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/upcoming-releases": { status: 404, body: apiError("not_found", "No such patient.") },
      "GET /v1/patients/p-1/release-preferences": { status: 404, body: apiError("not_found", "No such patient.") },
    });
    renderAt("/upcoming");
    expect((await screen.findAllByRole("alert")).map((alert) => alert.textContent)).toContain("No such patient.");
  });
});
