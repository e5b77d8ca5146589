import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { PID, portal, staffDocument, staffMe, staffResult, atOnceChoices } from "./fixtures";
import { expectAccessible } from "../test/axe";

const results: Schemas["StaffResults"] = {
  results: [
    staffResult("r-1", "Lipid panel", {}),
    staffResult("r-2", "Hemoglobin A1c", { released_at: "2099-01-02T09:00:00Z" }),
    staffResult("r-3", "Thyroid panel", {
      released_at: "2099-01-08T09:00:00Z",
      held_reason: "patient_waits_for_review",
      critical: true,
    }),
  ],
  documents: [staffDocument],
};

function rowOf(name: string) {
  return screen.getByRole("row", { name: new RegExp(name) });
}

// The staff pages are a chunk of their own, imported on first use: on a busy machine that takes
// longer than the default second.
configure({ asyncUtilTimeout: 5000 });

describe("a patient's results, as staff see them", () => {
  it("says what a delay rests on: the patient's own choice, or the policy's exception", async () => {
    setToken("tok-1");
    const choices: Schemas["ReleasePreferences"] = {
      ...atOnceChoices,
      wait_for_review: ["lab"],
      choices: [
        { category: "lab", release: "after_review", days: null },
        { category: "pathology", release: "at_once", days: null },
        { category: "imaging", release: "after_days", days: 3 },
        { category: "other", release: "at_once", days: null },
      ],
    };
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: choices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
      [`GET /v1/staff/patients/${PID}/results`]: {
        status: 200,
        body: {
          results: [
            staffResult("r-1", "Biopsy", {
              category: "pathology",
              released_at: "2099-01-02T09:00:00Z",
              delayed_by_policy: true,
              delay_exception: "preventing_harm",
            }),
            staffResult("r-2", "Chest CT", {
              category: "imaging",
              released_at: "2099-01-03T09:00:00Z",
              held_reason: "patient_waits_days",
            }),
            staffResult("r-3", "Urinalysis", { released_at: "2099-01-04T09:00:00Z", delayed_by_policy: true }),
          ],
          documents: [],
        },
      },
    });
    renderAt(`/staff/patients/${PID}/results`);
    await screen.findByRole("table");
    expect(rowOf("Biopsy").textContent).toMatch(/Delayed by the release policy until Jan 2, 2099, .+ \(Preventing harm\)/);
    expect(rowOf("Chest CT").textContent).toMatch(/Waiting, as the patient asked, until Jan 3, 2099/);
    expect(rowOf("Urinalysis").textContent).toContain("no exception named: ask an admin to name one");
    const chosen = screen.getByRole("region", { name: "When the patient sees new results" });
    expect(await within(chosen).findByText(/The patient asked to wait for a clinician's review of lab results/)).toBeTruthy();
    expect(within(chosen).getByText("The patient asked to see imaging results 3 days after they are filed.")).toBeTruthy();
    await expectAccessible();
  });

  it("shows the patient's choice on the patient's page too, and says when there is none", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
    });
    renderAt(`/staff/patients/${PID}`);
    const chosen = await screen.findByRole("region", { name: "When the patient sees new results" });
    expect(await within(chosen).findByText("The patient sees new results as soon as they are ready.")).toBeTruthy();
  });

  it("lists results and documents, released or not, with where each release stands", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
      [`GET /v1/staff/patients/${PID}/results`]: { status: 200, body: results },
    });
    renderAt(`/staff/patients/${PID}/results`);
    expect(await screen.findByText("Patient: Dana M Rivera")).toBeTruthy();
    expect(document.title).toBe("Results and documents | Patient portal");
    await screen.findByRole("table");
    expect(rowOf("Lipid panel").textContent).toContain("Shown since Dec 1, 2026");
    expect(rowOf("Lipid panel").textContent).toContain("Shown already");
    expect(rowOf("Hemoglobin A1c").textContent).toContain("Delayed until Jan 2, 2099");
    expect(rowOf("Thyroid panel").textContent).toContain(
      "Waiting for a clinician's review the patient asked for; shown Jan 8, 2099",
    );
    expect(rowOf("Thyroid panel").textContent).toContain("Has a critical value");
    expect(rowOf("After-visit summary").textContent).toContain("Held back by staff: Legal hold");
    // what is shown already can be neither held nor released; what is held can only be released
    expect(within(rowOf("Lipid panel")).queryAllByRole("button")).toHaveLength(0);
    expect(within(rowOf("After-visit summary")).getAllByRole("button").map((b) => b.textContent)).toEqual(["Release now"]);
    expect(within(rowOf("Hemoglobin A1c")).getAllByRole("button").map((b) => b.textContent)).toEqual([
      "Hold back",
      "Release now",
    ]);
    await expectAccessible();
  });

  it("holds back a delayed result for the reason chosen, after asking, and shows its new state", async () => {
    setToken("tok-1");
    let held = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
      [`GET /v1/staff/patients/${PID}/results`]: () => ({
        status: 200,
        body: {
          ...results,
          results: held
            ? [staffResult("r-2", "Hemoglobin A1c", { released_at: null, held: true, held_reason: "harm_exception" })]
            : results.results,
        },
      }),
      "POST /v1/staff/results/r-2/hold": () => {
        held = true;
        return { status: 200, body: { result_id: "r-2", kind: "result", held: true, held_reason: "harm_exception" } };
      },
    });
    renderAt(`/staff/patients/${PID}/results`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Hold back Hemoglobin A1c" }));
    const question = screen.getByRole("group", { name: /Hold back Hemoglobin A1c from the patient/ });
    await user.selectOptions(within(question).getByLabelText("Why it is held back"), "Preventing harm");
    await user.click(within(question).getByRole("button", { name: "Yes, hold it back" }));

    expect((await screen.findByRole("status")).textContent).toBe(
      "Hemoglobin A1c is held back (Preventing harm) until staff release it.",
    );
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ reason: "harm_exception" });
    expect(await screen.findByText("Held back by staff: Preventing harm")).toBeTruthy();
  });

  it("releases a held document early after asking, and says the refusal of a second try in words", async () => {
    setToken("tok-1");
    let released = 0;
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
      [`GET /v1/staff/patients/${PID}/results`]: { status: 200, body: results },
      "POST /v1/staff/results/d-1/release": () =>
        ++released === 1
          ? { status: 200, body: { result_id: "d-1", kind: "document", released_at: "2026-12-04T22:00:00Z" } }
          : { status: 409, body: apiError("conflict", "This is shown to the patient already.") },
    });
    renderAt(`/staff/patients/${PID}/results`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Release now: After-visit summary" }));
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(released).toBe(0);
    await user.click(screen.getByRole("button", { name: "Release now: After-visit summary" }));
    await user.click(screen.getByRole("button", { name: "Yes, release it" }));
    expect((await screen.findByRole("status")).textContent).toMatch(
      /^After-visit summary is shown to the patient since Dec 4, 2026.*they are told by email\.$/,
    );

    await user.click(screen.getByRole("button", { name: "Release now: After-visit summary" }));
    await user.click(screen.getByRole("button", { name: "Yes, release it" }));
    expect((await screen.findByRole("alert")).textContent).toBe("This is shown to the patient already.");
  });

  it("says so when the patient has nothing yet, and when the API refuses the list", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
      [`GET /v1/staff/patients/${PID}/results`]: { status: 200, body: { results: [], documents: [] } },
      "GET /v1/staff/patients/nobody": { status: 404, body: apiError("not_found", "No such patient.") },
      "GET /v1/staff/patients/nobody/results": { status: 404, body: apiError("not_found", "No such patient.") },
    });
    const view = renderAt(`/staff/patients/${PID}/results`);
    expect(await screen.findByText("The patient has no results or documents yet.")).toBeTruthy();
    view.unmount();
    renderAt("/staff/patients/nobody/results");
    expect((await screen.findByRole("alert")).textContent).toBe("No such patient.");
  });
});

describe("a patient's health summary, as staff see it", () => {
  it("shows a section as the patient sees it, and another when staff pick it", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
      [`GET /v1/staff/patients/${PID}/health-summary/allergies`]: {
        status: 200,
        body: {
          allergies: [
            {
              id: "a-1",
              version: 1,
              updated_at: "2026-11-01T00:00:00Z",
              substance: { display: "Penicillin", code: "", system: "" },
              criticality: "high",
              reactions: [{ manifestations: ["Hives"], severity: "" }],
            },
          ],
          next_cursor: null,
        },
      },
      [`GET /v1/staff/patients/${PID}/health-summary/appointments`]: {
        status: 200,
        body: {
          appointments: [
            {
              id: "ap-1",
              version: 1,
              updated_at: "2026-11-01T00:00:00Z",
              status: "booked",
              starts_at: "2026-12-15",
              description: "Follow-up visit",
              with: ["Dr. Grace Hopper"],
            },
          ],
          next_cursor: null,
        },
      },
    });
    renderAt(`/staff/patients/${PID}/health-summary`);
    expect(await screen.findByText("Penicillin")).toBeTruthy();
    expect(screen.getByText("Criticality: high · Hives")).toBeTruthy();
    expect(document.title).toBe("Health summary | Patient portal");

    await userEvent.setup().selectOptions(screen.getByLabelText("Section"), "Appointments");
    expect(await screen.findByText("Dec 15, 2026")).toBeTruthy();
    expect(screen.getByText("Follow-up visit · Dr. Grace Hopper · booked")).toBeTruthy();
    expect(calls.at(-1)?.search).toBe("?limit=20&when=upcoming");
    await expectAccessible();
  });
});
