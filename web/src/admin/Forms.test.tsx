import { fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { formTemplate } from "../checkin/fixtures";
import type { VisitType } from "../checkin/types";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { adminMe } from "./fixtures";

const consent = formTemplate("f-consent", "Consent to treat");
const privacy = formTemplate("f-privacy", "Notice of privacy practices", { kind: "privacy_notice", version: 1, active: false });

describe("check-in forms", () => {
  it("lists the forms, and adds one with the API's refusal next to the field it names", async () => {
    setToken("tok-1");
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/forms": { status: 200, body: { forms: [consent, privacy] } },
      "POST /v1/admin/forms": () =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "The form is not valid.", [{ field: "title", issue: "at most 150 characters" }]),
            }
          : { status: 201, body: formTemplate("f-money", "Financial policy", { kind: "financial_policy", version: 1 }) },
    });
    renderAt("/admin/forms");
    expect(await screen.findByRole("heading", { level: 1, name: "Check-in forms" })).toBeTruthy();
    expect(document.title).toBe("Check-in forms | Patient portal");
    const table = await screen.findByRole("table", { name: "Your forms" });
    const row = within(table).getByRole("row", { name: /Consent to treat/ }).textContent;
    expect(row).toContain("Consent to treat");
    expect(row).toContain("2");
    expect(row).toContain("Asked for");
    expect(within(table).getByRole("row", { name: /Notice of privacy practices/ }).textContent).toContain("Not asked for");
    expect(within(screen.getByRole("navigation", { name: "Portal pages" })).getByRole("link", { name: "Check-in forms" })).toBeTruthy();
    await expectAccessible();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Title"), "Financial policy");
    await user.selectOptions(screen.getByLabelText("Kind of form"), "Financial policy");
    await user.type(screen.getByLabelText("Text of the form"), "You pay what insurance does not.");
    await user.click(screen.getByRole("button", { name: "Add the form" }));
    expect(await screen.findByText("At most 150 characters.")).toBeTruthy();
    expect(screen.getByLabelText("Title").getAttribute("aria-invalid")).toBe("true");

    await user.click(screen.getByRole("button", { name: "Add the form" }));
    expect((await screen.findByRole("status")).textContent).toBe("Financial policy is added.");
    const posted = calls.filter((c) => c.method === "POST").at(-1)!;
    expect(posted.body).toEqual({ title: "Financial policy", kind: "financial_policy", body: "You pay what insurance does not." });
    expect(posted.headers.get("Idempotency-Key")).toBeTruthy();
  });

  it("shows a form's versions with dates and SHA-256, publishes a new one, and switches it off", async () => {
    setToken("tok-1");
    let current = consent;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/forms/f-consent": () => ({ status: 200, body: current }),
      "GET /v1/admin/forms": () => ({ status: 200, body: { forms: [current] } }),
      "POST /v1/admin/forms/f-consent/versions": (call) => {
        const body = call.body as { title: string; body: string };
        current = {
          ...current,
          ...body,
          version: 3,
          sha256: "d".repeat(64),
          versions: [...current.versions, { version: 3, sha256: "d".repeat(64), created_at: "2026-12-05T09:00:00-05:00", created_by: "demo.admin" }],
        };
        return { status: 201, body: current };
      },
      "PUT /v1/admin/forms/f-consent/active": (call) => {
        current = { ...current, active: (call.body as { active: boolean }).active };
        return { status: 200, body: current };
      },
    });
    renderAt("/admin/forms/f-consent");
    expect(await screen.findByRole("heading", { level: 1, name: "Consent to treat" })).toBeTruthy();
    expect(document.title).toBe("Check-in form | Patient portal"); // a form's title is not PHI, but titles stay generic
    expect(screen.getByRole("region", { name: "What patients read now" }).textContent).toContain("I may withdraw at any time.");
    const versions = screen.getByRole("table", { name: "Versions" });
    const first = within(versions).getByRole("row", { name: /^1/ }).textContent;
    expect(first).toContain("b".repeat(64));
    expect(first).toContain("Oct 1, 2026");
    expect(first).toContain("demo.admin");
    await expectAccessible();

    const user = userEvent.setup();
    const body = screen.getByLabelText("Text of the form");
    expect((body as HTMLTextAreaElement).value).toBe(consent.body); // starts from the current text
    fireEvent.change(body, { target: { value: "I agree to be treated.\n\nI may withdraw in writing." } });
    await user.click(screen.getByRole("button", { name: "Publish the new version" }));
    expect((await screen.findByRole("status")).textContent).toBe("Version 3 is published: patients sign it from now on.");
    expect(within(screen.getByRole("table", { name: "Versions" })).getByRole("row", { name: /^3/ }).textContent).toContain("d".repeat(64));
    expect(calls.find((c) => c.method === "POST")!.headers.get("Idempotency-Key")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Stop asking patients for this form" }));
    expect((await screen.findByRole("status")).textContent).toBe("Patients are no longer asked for Consent to treat.");
    expect(calls.find((c) => c.method === "PUT")!.body).toEqual({ active: false });
    expect(screen.getByRole("button", { name: "Ask patients for this form again" })).toBeTruthy();
  });
});

const anyVisit: VisitType = {
  visit_type_id: "any",
  name: "*",
  form_ids: ["f-consent"],
  questionnaire: { resourceType: "Questionnaire", status: "active", title: "Before your visit", item: [] },
  updated_at: "2026-11-20T14:30:00-05:00",
};

describe("visit types", () => {
  it("lists what each visit type asks for, and saves one with the questionnaire's refusal next to it", async () => {
    setToken("tok-1");
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/forms": { status: 200, body: { forms: [consent, formTemplate("f-money", "Financial policy")] } },
      "GET /v1/admin/visit-types": { status: 200, body: { visit_types: [anyVisit] } },
      "PUT /v1/admin/visit-types/new-patient": (call) =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "The visit type is not valid.", [
                { field: "questionnaire.item.0.type", issue: "item 'pain': type must be one of string, text, boolean, date, integer, choice, display" },
              ]),
            }
          : { status: 200, body: { ...(call.body as object), visit_type_id: "new-patient", updated_at: "2026-12-05T09:00:00-05:00" } },
    });
    renderAt("/admin/visit-types");
    expect(await screen.findByRole("heading", { level: 1, name: "Visit types" })).toBeTruthy();
    const table = await screen.findByRole("table", { name: "Your visit types" });
    const row = within(table).getByRole("row", { name: /Any other visit/ }).textContent;
    expect(row).toContain("Consent to treat");
    expect(row).toContain("Before your visit");
    await expectAccessible();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Short id"), "new-patient");
    await user.type(screen.getByLabelText("Name"), "New patient");
    await user.click(await screen.findByLabelText("Financial policy"));
    const questionnaire = screen.getByLabelText("Questionnaire (FHIR Questionnaire JSON, optional)");
    fireEvent.change(questionnaire, { target: { value: "{ not json" } });
    await user.click(screen.getByRole("button", { name: "Save the visit type" }));
    expect(await screen.findByText(/^This is not valid JSON/)).toBeTruthy();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    const sent = { resourceType: "Questionnaire", status: "active", item: [{ linkId: "pain", text: "Pain", type: "slider" }] };
    fireEvent.change(questionnaire, { target: { value: JSON.stringify(sent) } });
    await user.click(screen.getByRole("button", { name: "Save the visit type" }));
    expect(await screen.findByText(/Item 'pain': type must be one of/)).toBeTruthy();
    expect(questionnaire.getAttribute("aria-invalid")).toBe("true");
    expect(calls.find((c) => c.method === "PUT")!.body).toEqual({ name: "New patient", form_ids: ["f-money"], questionnaire: sent });

    fireEvent.change(questionnaire, { target: { value: "" } });
    await user.click(screen.getByRole("button", { name: "Save the visit type" }));
    expect((await screen.findByRole("status")).textContent).toBe("New patient is saved.");
    expect(calls.filter((c) => c.method === "PUT").at(-1)!.body).toEqual({ name: "New patient", form_ids: ["f-money"], questionnaire: null });
  });
});
