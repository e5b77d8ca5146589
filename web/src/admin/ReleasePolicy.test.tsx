import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { adminMe } from "./fixtures";
import { expectAccessible } from "../test/axe";

import type { Schemas } from "../api/client";

const policy: Schemas["ReleasePolicy"] = {
  delays: {
    "category:pathology": { seconds: 345600, exception: "preventing_harm" },
    // saved before exceptions were recorded: the page asks for one
    "code:LN|2823-3": { seconds: 5400, exception: null },
  },
  held_items: "say_being_reviewed",
};

function group(name: string) {
  return screen.getByRole("group", { name });
}

describe("release policy", () => {
  it("shows the organization's policy in words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/release-policy": { status: 200, body: policy },
    });
    renderAt("/admin/release-policy");
    expect(await screen.findByRole("group", { name: "Laboratory results" })).toBeTruthy();
    expect(screen.getByRole("heading", { level: 1, name: "Release policy" })).toBeTruthy();
    expect(document.title).toBe("Release policy | Patient portal");
    expect(within(group("Laboratory results")).getByText("Shown at once.")).toBeTruthy();
    const pathology = group("Pathology results");
    expect((within(pathology).getByLabelText("Wait") as HTMLInputElement).value).toBe("4");
    expect((within(pathology).getByLabelText("Unit") as HTMLSelectElement).value).toBe("days");
    expect(within(pathology).getByText("Shown 4 days after it is filed.")).toBeTruthy();
    const test = group("Test 1");
    expect((within(test).getByLabelText("Coding system") as HTMLInputElement).value).toBe("LN");
    expect((within(test).getByLabelText("Test code") as HTMLInputElement).value).toBe("2823-3");
    expect(within(test).getByText("Shown 90 minutes after it is filed.")).toBeTruthy();
    // each wait names its exception, in plain words; one that names none says it needs one
    expect((within(pathology).getByLabelText("Exception this wait relies on") as HTMLSelectElement).value).toBe(
      "preventing_harm",
    );
    expect(within(pathology).getByText(/likely endanger the life or physical safety/)).toBeTruthy();
    expect((within(test).getByLabelText("Exception this wait relies on") as HTMLSelectElement).value).toBe("");
    expect(within(test).getByText(/name the information-blocking exception that allows it/)).toBeTruthy();
    expect(within(group("Laboratory results")).queryByLabelText("Exception this wait relies on")).toBeNull();
    // the law's rule, and what a policy never delays
    expect(screen.getByText(/A wait only so that a clinician can review results first is likely information blocking/)).toBeTruthy();
    expect(screen.getByText(/A critical result is never delayed by this policy/)).toBeTruthy();
    // what a policy cannot do is said too: staff hold results one at a time
    expect(screen.getByText(/staff hold or release one result at a time/)).toBeTruthy();
    await expectAccessible();
  }, 20_000); // axe and a long form: room for a busy machine

  it("replaces the policy with what the admin set, and says it applies from now on", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/release-policy": { status: 200, body: policy },
      "PUT /v1/admin/release-policy": (call) => ({ status: 200, body: call.body }),
    });
    renderAt("/admin/release-policy");
    await screen.findByRole("group", { name: "Laboratory results" });
    const user = userEvent.setup();

    const lab = group("Laboratory results");
    await user.type(within(lab).getByLabelText("Wait"), "2");
    expect(within(lab).getByText("Shown 2 hours after it is filed.")).toBeTruthy();
    await user.selectOptions(within(lab).getByLabelText("Exception this wait relies on"), "Privacy (45 CFR 171.202)");
    await user.clear(within(group("Pathology results")).getByLabelText("Wait"));
    await user.click(screen.getByRole("button", { name: "Remove test 1" }));
    await user.click(screen.getByRole("button", { name: "Add a test" }));
    const test = group("Test 1");
    await user.type(within(test).getByLabelText("Coding system"), "http://loinc.org");
    await user.type(within(test).getByLabelText("Test code"), "4548-4");
    await user.type(within(test).getByLabelText("Wait"), "1");
    await user.selectOptions(within(test).getByLabelText("Unit"), "days");
    await user.selectOptions(within(test).getByLabelText("Exception this wait relies on"), "Infeasibility (45 CFR 171.204)");
    // the default for legal and harm holds is chosen; the admin chooses to show nothing of them
    expect((screen.getByLabelText(/Say that something is being reviewed/) as HTMLInputElement).checked).toBe(true);
    await user.click(screen.getByLabelText(/Show nothing until it is released/));
    await user.click(screen.getByRole("button", { name: "Save the release policy" }));

    expect((await screen.findByRole("status")).textContent).toMatch(/applies to results and documents filed from now on/);
    const put = calls.find((call) => call.method === "PUT");
    expect(put?.body).toEqual({
      delays: {
        "category:lab": { seconds: 7200, exception: "privacy" },
        "code:http://loinc.org|4548-4": { seconds: 86400, exception: "infeasibility" },
      },
      held_items: "show_nothing",
    });
    expect((screen.getByLabelText(/Show nothing until it is released/) as HTMLInputElement).checked).toBe(true);
  }, 20_000); // axe and a long form: room for a busy machine

  it("says what is wrong next to each setting before sending anything", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/release-policy": { status: 200, body: { delays: {}, held_items: "say_being_reviewed" } },
    });
    renderAt("/admin/release-policy");
    await screen.findByRole("group", { name: "Laboratory results" });
    const user = userEvent.setup();
    await user.type(within(group("Laboratory results")).getByLabelText("Wait"), "two");
    const imaging = group("Imaging results");
    await user.type(within(imaging).getByLabelText("Wait"), "31");
    await user.selectOptions(within(imaging).getByLabelText("Unit"), "days");
    await user.click(screen.getByRole("button", { name: "Add a test" }));
    await user.type(within(group("Test 1")).getByLabelText("Test code"), "2823-3");
    await user.type(within(group("Pathology results")).getByLabelText("Wait"), "4");
    await user.click(screen.getByRole("button", { name: "Save the release policy" }));

    expect(within(group("Laboratory results")).getByText(/Enter a whole number/)).toBeTruthy();
    expect(within(group("Imaging results")).getByText("The longest wait is 30 days.")).toBeTruthy();
    expect(within(group("Test 1")).getByText(/Enter the coding system/)).toBeTruthy();
    // a wait without the exception it relies on is not sent
    const ground = within(group("Pathology results")).getByLabelText("Exception this wait relies on");
    expect(within(group("Pathology results")).getByText("Choose the exception this wait relies on, or remove the wait.")).toBeTruthy();
    expect(ground.getAttribute("aria-invalid")).toBe("true");
    const wait = within(group("Laboratory results")).getByLabelText("Wait");
    expect(wait.getAttribute("aria-invalid")).toBe("true");
    expect(document.activeElement).toBe(wait); // the first field to fix
    expect(screen.getByText(/Some settings need another look/)).toBeTruthy();
    expect(calls.some((call) => call.method === "PUT")).toBe(false);
  });

  it("puts the API's refusal of a setting next to it, and a clash above the form", async () => {
    setToken("tok-1");
    let answer = 0;
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/release-policy": { status: 200, body: { delays: {}, held_items: "say_being_reviewed" } },
      "PUT /v1/admin/release-policy": () =>
        answer++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "The release policy is not valid.", [
                { field: "delays.category:imaging.seconds", issue: "a delay is 0 to 2592000 seconds" },
                { field: "delays.category:imaging.exception", issue: "one of preventing_harm, privacy" },
              ]),
            }
          : { status: 409, body: apiError("conflict", "The organization changed at the same time; try again.") },
    });
    renderAt("/admin/release-policy");
    await screen.findByRole("group", { name: "Imaging results" });
    const user = userEvent.setup();
    await user.type(within(group("Imaging results")).getByLabelText("Wait"), "3");
    await user.selectOptions(within(group("Imaging results")).getByLabelText("Exception this wait relies on"), "Security (45 CFR 171.203)");
    await user.click(screen.getByRole("button", { name: "Save the release policy" }));
    expect(await within(group("Imaging results")).findByText("A delay is 0 to 2592000 seconds.")).toBeTruthy();
    expect(within(group("Imaging results")).getByText("One of preventing_harm, privacy.")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Save the release policy" }));
    expect(await screen.findByText("The organization changed at the same time; try again.")).toBeTruthy();
  });

  it("is for admins only", async () => {
    setToken("tok-1");
    fakeApi({ "GET /v1/me": { status: 200, body: adminMe("staff") } });
    renderAt("/admin/release-policy");
    expect((await screen.findByRole("alert")).textContent).toBe("Only your organization's admins can use this page.");
  });

  it("is in the admin's navigation", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/release-policy": { status: 200, body: { delays: {}, held_items: "say_being_reviewed" } },
    });
    renderAt("/admin/release-policy");
    const nav = await screen.findByRole("navigation", { name: "Portal pages" });
    for (const name of ["Staff accounts", "Feed sources", "Release policy", "Terms of Use"]) {
      expect(within(nav).getByRole("link", { name })).toBeTruthy();
    }
  });
});
