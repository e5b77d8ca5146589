import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { getToken } from "../session";
import { apiError, emptyInbox, me, openedSession } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { expectAccessible } from "../test/axe";

const everyFactor: Schemas["SecondFactorChallenge"] = {
  mfa_required: true,
  challenge_id: "ch-1",
  methods: ["totp", "email", "recovery_code"],
  expires_at: "2026-01-01T00:05:00Z",
};

async function signIn() {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("User name"), "ada");
  await user.type(screen.getByLabelText("Password"), "correct horse");
  await user.click(screen.getByRole("button", { name: "Sign in" }));
  return user;
}

const home = {
  "GET /v1/me": { status: 200, body: me() },
  "GET /v1/me/notifications": { status: 200, body: emptyInbox },
};

describe("signing in with a second factor", () => {
  it("sends a code by email on request and finishes with it", async () => {
    const calls = fakeApi({
      "POST /v1/sessions": { status: 201, body: everyFactor },
      "POST /v1/sessions/mfa/email-code": { status: 202, body: { sent: true } },
      "POST /v1/sessions/mfa": { status: 201, body: openedSession },
      ...home,
    });
    renderAt("/sign-in");
    const user = await signIn();
    await user.click(await screen.findByLabelText("A code sent to your email"));
    await user.click(screen.getByRole("button", { name: "Send me a code by email" }));
    expect(await screen.findByText(/We sent a code to your email address/)).toBeTruthy();
    expect(calls.find((call) => call.path === "/v1/sessions/mfa/email-code")?.body).toEqual({ challenge_id: "ch-1" });

    await user.type(screen.getByLabelText("Code from the email"), "222333");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByText("Signed in as ada")).toBeTruthy();
    expect(calls.find((call) => call.path === "/v1/sessions/mfa")?.body).toEqual({ challenge_id: "ch-1", code: "222333" });
    await expectAccessible();
  });

  it("takes a recovery code instead, when the person switches to it", async () => {
    const calls = fakeApi({
      "POST /v1/sessions": { status: 201, body: everyFactor },
      "POST /v1/sessions/mfa": { status: 201, body: openedSession },
      ...home,
    });
    renderAt("/sign-in");
    const user = await signIn();
    expect(await screen.findByLabelText("Code from your authenticator app")).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole("heading", { name: "Enter your code" }));
    await user.click(screen.getByLabelText("One of your recovery codes"));
    expect(screen.queryByLabelText("Code from your authenticator app")).toBeNull();
    await user.type(screen.getByLabelText("Recovery code"), "abcd-efgh-ijkl-mnop");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByText("Signed in as ada")).toBeTruthy();
    expect(calls.find((call) => call.path === "/v1/sessions/mfa")?.body).toEqual({
      challenge_id: "ch-1",
      code: "abcd-efgh-ijkl-mnop",
    });
    expect(getToken()).toBe("tok-1");
  });

  it("explains too many attempts in words, with when to try again", async () => {
    fakeApi({
      "POST /v1/sessions": {
        status: 429,
        body: apiError("too_many_requests", "Too many attempts from this address. Wait a few minutes, then try again.", [
          { retry_after_seconds: 120 },
        ]),
      },
    });
    renderAt("/sign-in");
    await signIn();
    expect(await screen.findByText(/Too many attempts from this address/)).toBeTruthy();
    expect(screen.getByText(/You can try again after \d/)).toBeTruthy();
  });

  it("shows the API's sign-in refusal, which says what to do during a lockout", async () => {
    fakeApi({
      "POST /v1/sessions": {
        status: 401,
        body: apiError(
          "sign_in_failed",
          "The user name or password is not correct. If signing in is paused after too many attempts, the right password gets you an email with a link to finish signing in.",
        ),
      },
    });
    renderAt("/sign-in");
    await signIn();
    expect(await screen.findByText(/the right password gets you an email/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Forgot your password?" })).toBeTruthy();
  });

  it("starts over when the challenge expired", async () => {
    fakeApi({
      "POST /v1/sessions": { status: 201, body: everyFactor },
      "POST /v1/sessions/mfa": { status: 401, body: apiError("challenge_expired", "This sign-in has expired. Sign in again.") },
    });
    renderAt("/sign-in");
    const user = await signIn();
    await user.type(await screen.findByLabelText("Code from your authenticator app"), "123456");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByText("This sign-in has expired. Sign in again.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Start over" }));
    expect(await screen.findByLabelText("User name")).toBeTruthy();
  });
});

describe("what a session must do first", () => {
  it("sends a patient who must accept the terms to them after sign-in, and home once accepted", async () => {
    let accepted = false;
    const calls = fakeApi({
      "POST /v1/sessions": { status: 201, body: { ...openedSession, must: "terms" } },
      "GET /v1/me": () => ({ status: 200, body: me(accepted ? null : "terms") }),
      "GET /v1/terms": { status: 200, body: { version: "2026-02", terms_of_use: "Be kind.", consent: "I agree." } },
      "POST /v1/me/terms-acceptances": () => {
        accepted = true;
        return { status: 201, body: { accepted_version: "2026-02", accepted_at: "2026-03-01T00:00:00Z" } };
      },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
    });
    renderAt("/sign-in");
    const user = await signIn();
    expect(await screen.findByRole("heading", { name: "Terms of Use", level: 1 })).toBeTruthy();
    expect(window.location.pathname).toBe("/account/terms");
    expect(await screen.findByText("Be kind.")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Accept and continue" }));
    expect(await screen.findByText("Accept the terms to continue.")).toBeTruthy();
    await user.click(screen.getByLabelText(/I have read and accept/));
    await user.click(screen.getByRole("button", { name: "Accept and continue" }));
    expect(await screen.findByText("Signed in as ada")).toBeTruthy();
    expect(calls.find((call) => call.path === "/v1/me/terms-acceptances")?.body).toEqual({
      accepted_terms_version: "2026-02",
    });
  });

  it("sends a restricted session to the terms from any page it opens", async () => {
    fakeApi({
      "GET /v1/me": { status: 200, body: me("terms") },
      "GET /v1/terms": { status: 200, body: { version: "2026-02", terms_of_use: "Be kind.", consent: "I agree." } },
    });
    const { setToken } = await import("../session");
    setToken("tok-1");
    renderAt("/results");
    await waitFor(() => expect(window.location.pathname).toBe("/account/terms"));
    expect(await screen.findByText("Be kind.")).toBeTruthy();
  });

  it("sends staff who must set up a second factor to the authenticator set-up", async () => {
    const staff = me("second_factor_setup");
    staff.account.role = "staff";
    staff.patient = null;
    fakeApi({
      "POST /v1/sessions": { status: 201, body: { ...openedSession, must: "second_factor_setup" } },
      "GET /v1/me": { status: 200, body: staff },
    });
    renderAt("/sign-in");
    await signIn();
    expect(await screen.findByRole("heading", { name: "Authenticator app", level: 1 })).toBeTruthy();
    expect(window.location.pathname).toBe("/account/authenticator");
    expect(screen.getByText(/Staff accounts need a second sign-in step/)).toBeTruthy();
  });
});

describe("a page refused for a restriction", () => {
  it("reads the account again and goes where the session must go", async () => {
    const { setToken } = await import("../session");
    setToken("tok-1");
    let reads = 0;
    fakeApi({
      // the first read is stale (nothing owed); the page's own call is refused for the terms
      "GET /v1/me": () => ({ status: 200, body: me(reads++ === 0 ? null : "terms") }),
      "GET /v1/me/notifications": {
        status: 403,
        body: apiError("terms_acceptance_required", "Accept the current Terms of Use first."),
      },
      "GET /v1/terms": { status: 200, body: { version: "2026-02", terms_of_use: "Be kind.", consent: "I agree." } },
    });
    renderAt("/");
    await waitFor(() => expect(window.location.pathname).toBe("/account/terms"));
    expect(await screen.findByText("Be kind.")).toBeTruthy();
  });
});
