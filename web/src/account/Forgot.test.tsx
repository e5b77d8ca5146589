import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { expectAccessible } from "../test/axe";

describe("a forgotten user name or password", () => {
  it("is reached from the sign-in page", async () => {
    fakeApi({});
    renderAt("/sign-in");
    const user = userEvent.setup();
    await user.click(screen.getByRole("link", { name: "Forgot your user name?" }));
    expect(await screen.findByRole("heading", { name: "Forgot your user name?" })).toBeTruthy();
    expect(window.location.pathname).toBe("/forgot-username");
  });

  it("emails the user name without saying whether an account has the address", async () => {
    const calls = fakeApi({ "POST /v1/account/username-reminders": { status: 202, body: { accepted: true } } });
    renderAt("/forgot-username");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email address"), "ada@example.org");
    await user.click(screen.getByRole("button", { name: "Email my user name" }));
    expect(await screen.findByText(/If an account has this confirmed email address/)).toBeTruthy();
    expect(calls[0]?.body).toEqual({ email: "ada@example.org" });
    await expectAccessible();
  });

  it("asks for a reset link by user name, and answers alike whatever exists", async () => {
    const calls = fakeApi({ "POST /v1/account/password-resets": { status: 202, body: { accepted: true } } });
    renderAt("/forgot-password");
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Email me a reset link" }));
    expect(await screen.findByText("Enter your user name or your email address.")).toBeTruthy();
    expect(calls).toHaveLength(0);

    await user.type(screen.getByLabelText("User name"), "ada");
    await user.click(screen.getByRole("button", { name: "Email me a reset link" }));
    expect(await screen.findByText(/If an account matches, we emailed it/)).toBeTruthy();
    expect(calls[0]?.body).toEqual({ username: "ada", email: "" });
    await expectAccessible();
  });

  it("shows a refused address next to its field", async () => {
    fakeApi({
      "POST /v1/account/username-reminders": {
        status: 400,
        body: apiError("validation_failed", "The request is not valid.", [
          { field: "email", issue: "Enter an email address such as name@example.org." },
        ]),
      },
    });
    renderAt("/forgot-username");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Email address"), "not-an-address");
    await user.click(screen.getByRole("button", { name: "Email my user name" }));
    const field = screen.getByLabelText("Email address");
    await waitFor(() => expect(field.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById("field-email-error")?.textContent).toBe(
      "Enter an email address such as name@example.org.",
    );
  });
});
