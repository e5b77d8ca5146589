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

const preferences: Schemas["ReleasePreferences"] = {
  wait_for_review: ["pathology"],
  choices: [
    { category: "lab", release: "at_once", days: null },
    { category: "pathology", release: "after_review", days: null },
    { category: "imaging", release: "after_days", days: 3 },
    { category: "other", release: "at_once", days: null },
  ],
  longest_wait_days: 7,
  most_days: 30,
};

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
    expect(await screen.findByText(/until a clinician has reviewed it \(at most 7 days later\)/)).toBeTruthy();
    await expectAccessible();
  });

  it("says only that something is being reviewed when staff hold it for a legal reason", async () => {
    setToken("tok-1");
    const reviewed: Schemas["UpcomingItem"] = {
      result_id: "r-9",
      kind: "result",
      type: null,
      category: null,
      name: null,
      release_at: null,
      waiting_for_review: true,
      being_reviewed: true,
    };
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [reviewed] } },
      "GET /v1/patients/p-1/release-preferences": { status: 200, body: preferences },
    });
    renderAt("/upcoming");
    const item = (await screen.findByText("Something is being reviewed")).closest("li")!;
    expect(item.textContent).toContain("Your care team is reviewing something before it is shown.");
    expect(item.textContent).not.toMatch(/Test result|Not named yet|Held back/);
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

  it("shows each category's choice and saves a new one for every category", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
      "GET /v1/patients/p-1/release-preferences": { status: 200, body: preferences },
      "PUT /v1/patients/p-1/release-preferences": { status: 200, body: preferences },
    });
    renderAt("/upcoming");
    const user = userEvent.setup();
    const pathology = await screen.findByRole("group", { name: "Pathology results" });
    expect(
      (within(pathology).getByLabelText("After my clinician reviews it (at most 7 days later)") as HTMLInputElement).checked,
    ).toBe(true);
    const imaging = screen.getByRole("group", { name: "Imaging results" });
    expect((within(imaging).getByLabelText("Number of days (1 to 30)") as HTMLInputElement).value).toBe("3");
    expect(screen.getByText(/your care team will contact you whatever you choose/)).toBeTruthy();

    const lab = screen.getByRole("group", { name: "Lab results" });
    await user.click(within(lab).getByLabelText("After my clinician reviews it (at most 7 days later)"));
    await user.click(within(pathology).getByLabelText("As soon as it is ready"));
    const days = within(imaging).getByLabelText("Number of days (1 to 30)");
    await user.clear(days);
    await user.type(days, "5");
    await user.click(screen.getByRole("button", { name: "Save my choice" }));

    expect((await screen.findByRole("status")).textContent).toMatch(/Your choice is saved/);
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({
      choices: [
        { category: "lab", release: "after_review" },
        { category: "pathology", release: "at_once" },
        { category: "imaging", release: "after_days", days: 5 },
        { category: "other", release: "at_once" },
      ],
    });
    await expectAccessible();
  });

  it("asks for a number of days in range beside the category, before asking the API", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
      "GET /v1/patients/p-1/release-preferences": { status: 200, body: preferences },
    });
    renderAt("/upcoming");
    const user = userEvent.setup();
    const other = await screen.findByRole("group", { name: "Other results" });
    await user.click(within(other).getByLabelText("After a number of days"));
    await user.type(within(other).getByLabelText("Number of days (1 to 30)"), "45");
    await user.click(screen.getByRole("button", { name: "Save my choice" }));

    expect(within(other).getByRole("alert").textContent).toBe("Enter a whole number of days from 1 to 30.");
    expect(calls.some((call) => call.method === "PUT")).toBe(false);
  });

  it("shows the API's refusal of a category's choice beside that category", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
      "GET /v1/patients/p-1/release-preferences": { status: 200, body: preferences },
      "PUT /v1/patients/p-1/release-preferences": {
        status: 400,
        body: apiError("validation_failed", "The release preferences are not valid.", [
          { field: "choices.2.days", issue: "required: 1 to 30 days" },
        ]),
      },
    });
    renderAt("/upcoming");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Save my choice" }));
    const imaging = screen.getByRole("group", { name: "Imaging results" });
    expect((await within(imaging).findByRole("alert")).textContent).toBe("Required: 1 to 30 days.");
    expect(screen.getByText("The release preferences are not valid.")).toBeTruthy();
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
