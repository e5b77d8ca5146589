import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { apiError, emptyInbox, me, openedSession } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { getToken } from "../session";
import { expectAccessible } from "../test/axe";

// The API's answer to a link that expired or was used: the field is named, the words are the message's.
const deadLink = apiError(
  "validation_failed",
  "This link is not valid: it may have expired or been used already. Ask for a new one.",
  [{ field: "token" }],
);

function errorOf(label: string): string | null | undefined {
  const field = screen.getByLabelText(label);
  expect(field.getAttribute("aria-invalid")).toBe("true");
  return document.getElementById(`${field.id}-error`)?.textContent;
}

describe("the password reset link", () => {
  it("takes the token out of the address and sets the new password with it", async () => {
    const calls = fakeApi({
      "POST /v1/account/password-resets/confirm": { status: 200, body: { password_changed: true } },
    });
    renderAt("/reset-password?token=RESET-1");
    await waitFor(() => expect(window.location.search).toBe(""));
    expect(window.location.href).not.toContain("RESET-1");

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("New password"), "a long pass phrase");
    await user.click(screen.getByRole("button", { name: "Save new password" }));

    expect(await screen.findByRole("heading", { name: "Your password is changed" })).toBeTruthy();
    expect(calls[0]?.body).toEqual({ token: "RESET-1", new_password: "a long pass phrase" });
    expect(within(screen.getByRole("main")).getByRole("link", { name: "Sign in" }).getAttribute("href")).toBe("/sign-in");
    await expectAccessible();
  });

  it("says a used or expired link does not work, and leads to asking for a new one", async () => {
    fakeApi({ "POST /v1/account/password-resets/confirm": { status: 400, body: deadLink } });
    renderAt("/reset-password?token=OLD");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("New password"), "a long pass phrase");
    await user.click(screen.getByRole("button", { name: "Save new password" }));

    expect(await screen.findByText("This link does not work any more")).toBeTruthy();
    expect(screen.getByText(/may have expired or been used already/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Ask for a new reset link" }).getAttribute("href")).toBe("/forgot-password");
  });

  it("puts a refused password next to the field, the link still usable", async () => {
    fakeApi({
      "POST /v1/account/password-resets/confirm": {
        status: 400,
        body: apiError("validation_failed", "The request is not valid.", [
          { field: "new_password", issue: "This password is too common and easy to guess." },
        ]),
      },
    });
    renderAt("/reset-password?token=RESET-1");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("New password"), "password123");
    await user.click(screen.getByRole("button", { name: "Save new password" }));
    await waitFor(() => expect(errorOf("New password")).toBe("This password is too common and easy to guess."));
    expect(screen.getByRole("button", { name: "Save new password" })).toBeTruthy();
  });

  it("without a token, says the link is not complete", async () => {
    fakeApi({});
    renderAt("/reset-password");
    expect(await screen.findByText(/This link is not complete/)).toBeTruthy();
  });
});

describe("the email confirmation link", () => {
  it("confirms the address once, with the token taken out of the address", async () => {
    const calls = fakeApi({ "POST /v1/account/email-verifications": { status: 200, body: { email_verified: true } } });
    renderAt("/verify-email?token=VERIFY-1");
    expect(await screen.findByText(/Your email address is confirmed/)).toBeTruthy();
    expect(window.location.search).toBe("");
    expect(calls).toHaveLength(1);
    expect(calls[0]?.body).toEqual({ token: "VERIFY-1" });
    await expectAccessible();
  });

  it("says in plain words when the link was used, and how to get another", async () => {
    fakeApi({
      "POST /v1/account/email-verifications": {
        status: 400,
        body: apiError("validation_failed", "This link is for an address that is no longer waiting to be confirmed.", [
          { field: "token" },
        ]),
      },
    });
    renderAt("/verify-email?token=USED");
    expect(await screen.findByText("This link does not work any more")).toBeTruthy();
    expect(screen.getByText(/no longer waiting to be confirmed/)).toBeTruthy();
    expect(screen.getByText(/change your email address again/)).toBeTruthy();
  });
});

describe("the staff set-up link", () => {
  it("chooses a user name and a password, the rules checked as they are typed", async () => {
    const calls = fakeApi({ "POST /v1/account/setup": { status: 200, body: { username: "grace" } } });
    renderAt("/account-setup?token=SETUP-1");
    await waitFor(() => expect(window.location.search).toBe(""));
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Choose a user name"), "Grace");
    await user.type(screen.getByLabelText("Choose a password"), "grace rules");
    expect(screen.getByText("Not contain your user name").closest("li")?.dataset.met).toBe("false");
    await user.clear(screen.getByLabelText("Choose a password"));
    await user.type(screen.getByLabelText("Choose a password"), "harbour lights");
    expect(screen.getByText("Not contain your user name").closest("li")?.dataset.met).toBe("true");
    await user.click(screen.getByRole("button", { name: "Set up account" }));

    expect(await screen.findByText("You can now sign in as grace.")).toBeTruthy();
    expect(calls[0]?.body).toEqual({ token: "SETUP-1", username: "Grace", password: "harbour lights" });
    await expectAccessible();
  });

  it("puts a taken user name next to its field", async () => {
    fakeApi({
      "POST /v1/account/setup": { status: 409, body: apiError("conflict", "That user name is taken.", [{ field: "username" }]) },
    });
    renderAt("/account-setup?token=SETUP-1");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Choose a user name"), "ada");
    await user.type(screen.getByLabelText("Choose a password"), "harbour lights");
    await user.click(screen.getByRole("button", { name: "Set up account" }));
    await waitFor(() => expect(errorOf("Choose a user name")).toBe("That user name is taken."));
  });

  it("says an expired link does not work and how to get a new one", async () => {
    fakeApi({ "POST /v1/account/setup": { status: 400, body: deadLink } });
    renderAt("/account-setup?token=OLD");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Choose a user name"), "grace");
    await user.type(screen.getByLabelText("Choose a password"), "harbour lights");
    await user.click(screen.getByRole("button", { name: "Set up account" }));
    expect(await screen.findByText("This link does not work any more")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Forgot your password?" }).getAttribute("href")).toBe("/forgot-password");
  });
});

describe("the finish-signing-in link (sent while signing in is paused)", () => {
  it("finishes the sign-in with the emailed code and the link's challenge", async () => {
    const calls = fakeApi({
      "POST /v1/sessions/mfa": { status: 201, body: openedSession },
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
    });
    renderAt("/sign-in/continue?challenge=CH-LOCK");
    await waitFor(() => expect(window.location.search).toBe(""));
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Code from the email"), "123456");
    await user.click(screen.getByRole("button", { name: "Finish signing in" }));

    expect(await screen.findByText("Signed in as ada")).toBeTruthy();
    expect(calls[0]?.body).toEqual({ challenge_id: "CH-LOCK", code: "123456" });
    expect(getToken()).toBe("tok-1");
    await expectAccessible();
  });

  it("then asks for the authenticator app's code when the account has one", async () => {
    const calls = fakeApi({
      "POST /v1/sessions/mfa": ({ body }) =>
        (body as { challenge_id: string }).challenge_id === "CH-LOCK"
          ? { status: 201, body: { mfa_required: true, challenge_id: "CH-2", methods: ["totp"], expires_at: "2026-01-01T00:05:00Z" } }
          : { status: 201, body: openedSession },
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
    });
    renderAt("/sign-in/continue?challenge=CH-LOCK");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Code from the email"), "123456");
    await user.click(screen.getByRole("button", { name: "Finish signing in" }));
    await user.type(await screen.findByLabelText("Code from your authenticator app"), "654321");
    await user.click(screen.getByRole("button", { name: "Continue" }));

    expect(await screen.findByText("Signed in as ada")).toBeTruthy();
    expect(calls[1]?.body).toEqual({ challenge_id: "CH-2", code: "654321" });
  });

  it("says an expired sign-in must start again", async () => {
    fakeApi({
      "POST /v1/sessions/mfa": {
        status: 401,
        body: apiError("challenge_expired", "This sign-in has expired. Sign in again."),
      },
    });
    renderAt("/sign-in/continue?challenge=OLD");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Code from the email"), "123456");
    await user.click(screen.getByRole("button", { name: "Finish signing in" }));
    expect(await screen.findByText("This sign-in has expired. Sign in again.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Sign in again to get a new email" }).getAttribute("href")).toBe("/sign-in");
  });
});
