import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { PID, atOnceChoices, portal, staffMe } from "./fixtures";
import { expectAccessible } from "../test/axe";

// The staff pages are a chunk of their own, imported on first use: on a busy machine that takes
// longer than the default second.
configure({ asyncUtilTimeout: 5000 });

describe("the email address on a patient's record", () => {
  it("sends a confirmation link to a new address and shows it as waiting while the old one stays in use", async () => {
    setToken("tok-1");
    let pending: string | null = null;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: () => ({
        status: 200,
        body: portal({ email: "dana.old@example.org", pending_email: pending }),
      }),
      [`PUT /v1/staff/patients/${PID}/email`]: (call) => {
        pending = (call.body as { email: string }).email;
        return { status: 202, body: { patient_id: PID, email: "dana.old@example.org", pending_email: pending } };
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const section = await screen.findByRole("region", { name: "Email address on the record" });
    expect(section.textContent).toContain("Address in use: dana.old@example.org");
    expect(section.textContent).not.toContain("Waiting for confirmation");
    await expectAccessible();

    const user = userEvent.setup();
    await user.type(within(section).getByLabelText("New email address"), "dana.new@example.org");
    await user.click(within(section).getByRole("button", { name: "Send a confirmation link" }));

    expect((await within(section).findByRole("status")).textContent).toBe(
      "A confirmation link was sent to dana.new@example.org. The address is used once its owner confirms it.",
    );
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ email: "dana.new@example.org" });
    expect(
      await within(section).findByText(/^Waiting for confirmation: dana.new@example.org\./),
    ).toBeTruthy();
    expect(section.textContent).toContain("Address in use: dana.old@example.org");
    // nothing about the patient goes into the address bar
    expect(window.location.search).toBe("");
  });

  it("puts the API's complaint next to the field, and says plainly when the address is the same", async () => {
    setToken("tok-1");
    let tries = 0;
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal({ email: null }) },
      [`PUT /v1/staff/patients/${PID}/email`]: () =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "Some answers need another look.", [
                { field: "email", issue: "not an email address" },
              ]),
            }
          : { status: 409, body: apiError("email_unchanged", "This is the patient's email address already.") },
    });
    renderAt(`/staff/patients/${PID}`);
    const section = await screen.findByRole("region", { name: "Email address on the record" });
    expect(section.textContent).toContain("Address in use: None");
    const user = userEvent.setup();
    const button = within(section).getByRole("button", { name: "Send a confirmation link" });
    await user.click(button);
    expect(within(section).getByText("Fill in this field.")).toBeTruthy();

    const field = within(section).getByLabelText("New email address");
    await user.type(field, "dana@example");
    await user.click(button);
    expect(await within(section).findByText("Not an email address.")).toBeTruthy();
    expect(field.getAttribute("aria-invalid")).toBe("true");

    await user.clear(field);
    await user.type(field, "dana@example.org");
    await user.click(button);
    expect(await within(section).findByText("This is the patient's email address already.")).toBeTruthy();
  });
});
