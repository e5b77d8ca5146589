import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { apiError, me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";

const before: Schemas["TermsView"] = { version: "2026-02", terms_of_use: "Be kind.", consent: "I agree.", summary: null };
const after: Schemas["TermsView"] = {
  version: "2026-03",
  terms_of_use: "Be kinder still.",
  consent: "I agree again.",
  summary: "Kinder than before.",
};

describe("accepting the terms", () => {
  it("shows the version published while the patient read the old one, to be accepted afresh", async () => {
    // GIVEN the page shows 2026-02, and an admin publishes 2026-03 before the patient accepts
    setToken("tok-1");
    let published = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me("terms") },
      "GET /v1/terms": () => ({ status: 200, body: published ? after : before }),
      "POST /v1/me/terms-acceptances": (call) =>
        (call.body as Schemas["TermsAcceptance"]).accepted_terms_version === after.version
          ? { status: 201, body: { accepted_version: after.version, accepted_at: "2026-03-02T10:00:00Z" } }
          : {
              status: 400,
              body: apiError("validation_failed", "The current version is 2026-03.", [{ field: "accepted_terms_version" }]),
            },
    });
    renderAt("/account/terms");
    const user = userEvent.setup();
    expect(await screen.findByText("Be kind.")).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "What changed" })).toBeNull(); // shipped: nothing said
    published = true;

    // WHEN the patient accepts what they read
    await user.click(screen.getByLabelText(/I have read and accept/));
    await user.click(screen.getByRole("button", { name: "Accept and continue" }));

    // THEN the page says the terms changed and shows the new text, with the box to tick again
    expect(await screen.findByText(/The terms changed while you were reading them/)).toBeTruthy();
    expect(await screen.findByText("Be kinder still.")).toBeTruthy();
    expect(screen.queryByText("Be kind.")).toBeNull();
    // the admin's words on what changed come first, so the patient knows why they are asked again
    expect(screen.getByRole("heading", { name: "What changed" })).toBeTruthy();
    expect(screen.getByText("Kinder than before.")).toBeTruthy();
    const box = screen.getByLabelText(/I have read and accept/) as HTMLInputElement;
    expect(box.checked).toBe(false);

    // AND accepting it sends the new version
    await user.click(box);
    await user.click(screen.getByRole("button", { name: "Accept and continue" }));
    await waitFor(() =>
      expect(calls.filter((c) => c.path === "/v1/me/terms-acceptances").map((c) => c.body)).toEqual([
        { accepted_terms_version: "2026-02" },
        { accepted_terms_version: "2026-03" },
      ]),
    );
    expect(screen.queryByText(/The terms changed while you were reading them/)).toBeNull();
  });
});
