import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { expectAccessible } from "../test/axe";

describe("the link that confirms the address staff entered on a patient's record", () => {
  it("confirms the address once, without a sign-in, the token taken out of the address bar", async () => {
    const calls = fakeApi({
      "POST /v1/account/contact-email-confirmations": { status: 200, body: { email_confirmed: true } },
    });
    renderAt("/confirm-contact-email?token=CONTACT-1");
    expect(await screen.findByText(/your email address is confirmed/)).toBeTruthy();
    expect(screen.getByRole("heading", { level: 1, name: "Confirm your email address" })).toBeTruthy();
    expect(window.location.search).toBe("");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toEqual({ token: "CONTACT-1" });
    await expectAccessible();
  });

  it("says in plain words when the link no longer works, and how to get another", async () => {
    fakeApi({
      "POST /v1/account/contact-email-confirmations": {
        status: 400,
        body: apiError("validation_failed", "This link is for an address that is no longer waiting to be confirmed.", [
          { field: "token" },
        ]),
      },
    });
    renderAt("/confirm-contact-email?token=OLD");
    expect(await screen.findByText("This link does not work any more")).toBeTruthy();
    expect(screen.getByText(/no longer waiting to be confirmed/)).toBeTruthy();
    expect(screen.getByText(/Ask your provider's office to enter your email address again/)).toBeTruthy();
  });
});
