import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { adminMe, currentTerms } from "./fixtures";
import { expectAccessible } from "../test/axe";

const publisher: Schemas["TermsPublisher"] = {
  organization_id: "albany-medical-center",
  organization_name: "Albany Medical Center",
  caller_may_publish: true,
};

const shippedOnly: Schemas["TermsVersions"] = {
  publisher,
  current: currentTerms,
  history: [
    { version: "2026-12-04", summary: null, published_at: null, current: true },
    { version: "2026-11-01", summary: null, published_at: null, current: false },
  ],
};

describe("terms of use", () => {
  it("shows the version in force and every version before it", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/terms/2026-12-04": { status: 200, body: { ...currentTerms, terms_of_use: "The old words." } },
      "GET /v1/admin/terms": {
        status: 200,
        body: {
          publisher,
          current: { ...currentTerms, version: "2027-01", summary: "Plainer words.", published_at: "2027-01-15T10:00:00Z" },
          history: [
            { version: "2027-01", summary: "Plainer words.", published_at: "2027-01-15T10:00:00Z", current: true },
            { version: "2026-12-04", summary: null, published_at: null, current: false },
          ],
        },
      },
    });
    renderAt("/admin/terms");
    expect(await screen.findByRole("heading", { name: "In force now: version 2027-01" })).toBeTruthy();
    expect(document.title).toBe("Terms of Use | Patient portal");
    expect(screen.getByText(/Published Jan 15, 2027/)).toBeTruthy();
    const history = screen.getByRole("table", { name: "All versions" });
    const rows = within(history).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringContaining("2027-01In force"),
      expect.stringContaining("Shipped with the portal"),
    ]);

    // an earlier version is read in full, as patients accepted it
    await userEvent.setup().click(screen.getByRole("button", { name: "Read version 2026-12-04" }));
    expect(await screen.findByText("The old words.")).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Version 2026-12-04" })).toBe(document.activeElement);
    await expectAccessible();
  });

  it("publishes a new version only after a preview and a confirmation", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/terms": { status: 200, body: shippedOnly },
      "POST /v1/admin/terms": (call) => ({
        status: 201,
        body: { ...(call.body as Schemas["TermsPublication"]), published_at: "2027-01-15T10:00:00Z" },
      }),
    });
    renderAt("/admin/terms");
    const user = userEvent.setup();
    // the form starts from the current text
    const termsOfUse = await screen.findByLabelText("Terms of Use");
    expect((termsOfUse as HTMLTextAreaElement).value).toBe(currentTerms.terms_of_use);

    await user.click(screen.getByRole("button", { name: "Preview the new version" }));
    expect(screen.getByLabelText("Version label").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getAllByText("Fill in this field.")).toHaveLength(2); // label and summary

    await user.type(screen.getByLabelText("Version label"), "2027-01-15");
    await user.type(screen.getByLabelText("What changed"), "Removes messaging, which the portal does not offer.");
    await user.clear(termsOfUse);
    await user.type(termsOfUse, "The portal shows your results and documents.");
    await user.click(screen.getByRole("button", { name: "Preview the new version" }));

    expect(screen.getByRole("heading", { name: "Preview of version 2027-01-15" })).toBe(document.activeElement);
    expect(screen.getByText("The portal shows your results and documents.")).toBeTruthy();
    expect(screen.getByText("Every patient will be asked to accept this at their next sign-in.")).toBeTruthy();
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await user.click(screen.getByRole("button", { name: "Publish version 2027-01-15" }));
    expect((await screen.findByRole("status")).textContent).toMatch(/Version 2027-01-15 is published/);
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      version: "2027-01-15",
      replaces: "2026-12-04", // the version the page showed as in force
      summary: "Removes messaging, which the portal does not offer.",
      terms_of_use: "The portal shows your results and documents.",
      consent: currentTerms.consent,
    });
  });

  it("goes back to the form with a label that exists, and says so next to it", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/terms": { status: 200, body: shippedOnly },
      "POST /v1/admin/terms": {
        status: 409,
        body: apiError("conflict", "A version with this label exists already: choose another.", [{ field: "version" }]),
      },
    });
    renderAt("/admin/terms");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Version label"), "2026-12-04");
    await user.type(screen.getByLabelText("What changed"), "Nothing.");
    await user.click(screen.getByRole("button", { name: "Preview the new version" }));
    await user.click(screen.getByRole("button", { name: "Publish version 2026-12-04" }));

    expect(await screen.findByText("A version with this label exists already: choose another.")).toBeTruthy();
    const label = screen.getByLabelText("Version label") as HTMLInputElement;
    expect(label.getAttribute("aria-invalid")).toBe("true");
    expect(label.value).toBe("2026-12-04"); // what was written is kept
  });

  it("says who publishes and offers no form to another organization's admin", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/terms": {
        status: 200,
        body: { ...shippedOnly, publisher: { ...publisher, caller_may_publish: false } },
      },
    });
    renderAt("/admin/terms");
    expect(
      await screen.findByText(
        "The admins of Albany Medical Center publish the terms for every organization of this portal. " +
          "You can read every version here, but not publish one.",
      ),
    ).toBeTruthy();
    // the history is there, the earlier shipped version too, but nothing to publish with
    expect(screen.getByRole("button", { name: "Read version 2026-11-01" })).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Publish a new version" })).toBeNull();
    expect(screen.queryByLabelText("Version label")).toBeNull();
  });

  it("says nobody publishes when the deployment names no organization", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/terms": {
        status: 200,
        body: { ...shippedOnly, publisher: { organization_id: null, organization_name: null, caller_may_publish: false } },
      },
    });
    renderAt("/admin/terms");
    expect(await screen.findByText(/Nobody publishes the terms on this portal/)).toBeTruthy();
    expect(screen.queryByLabelText("Version label")).toBeNull();
  });

  it("shows the version published meanwhile and keeps the draft when the one it replaces is no longer current", async () => {
    setToken("tok-1");
    const newer: Schemas["TermsVersions"] = {
      publisher,
      current: { ...currentTerms, version: "2027-01-01", summary: "Someone else's change.", published_at: "2027-01-01T09:00:00Z" },
      history: [
        { version: "2027-01-01", summary: "Someone else's change.", published_at: "2027-01-01T09:00:00Z", current: true },
        ...shippedOnly.history.map((entry) => ({ ...entry, current: false })),
      ],
    };
    let reads = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/terms": () => ({ status: 200, body: reads++ === 0 ? shippedOnly : newer }),
      "POST /v1/admin/terms": (call) =>
        (call.body as Schemas["TermsPublication"]).replaces === "2027-01-01"
          ? { status: 201, body: { ...(call.body as Schemas["TermsPublication"]), published_at: "2027-01-15T10:00:00Z" } }
          : {
              status: 409,
              body: apiError(
                "conflict",
                "Version 2027-01-01 was published after you read version 2026-12-04: read it, then publish again if you still need to.",
                [{ field: "replaces" }],
              ),
            },
    });
    renderAt("/admin/terms");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Version label"), "2027-01-15");
    await user.type(screen.getByLabelText("What changed"), "Plainer words.");
    await user.click(screen.getByRole("button", { name: "Preview the new version" }));
    await user.click(screen.getByRole("button", { name: "Publish version 2027-01-15" }));

    expect(await screen.findByText(/Version 2027-01-01 was published after you read version 2026-12-04/)).toBeTruthy();
    expect(await screen.findByRole("heading", { name: "In force now: version 2027-01-01" })).toBeTruthy();
    expect((screen.getByLabelText("Version label") as HTMLInputElement).value).toBe("2027-01-15");

    // having read it, the admin publishes on top of the version now shown
    await user.click(screen.getByRole("button", { name: "Preview the new version" }));
    await user.click(screen.getByRole("button", { name: "Publish version 2027-01-15" }));
    expect((await screen.findByRole("status")).textContent).toMatch(/Version 2027-01-15 is published/);
    const posts = calls.filter((c) => c.method === "POST").map((c) => (c.body as Schemas["TermsPublication"]).replaces);
    expect(posts).toEqual(["2026-12-04", "2027-01-01"]);
  });
});
