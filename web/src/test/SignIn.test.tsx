import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { getToken } from "../session";
import { apiError, challenge, emptyInbox, me, openedSession } from "./fixtures";
import { fakeApi, renderAt } from "./render";

async function signIn(username: string, password: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("User name"), username);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
  return user;
}

describe("sign in", () => {
  it("opens a session and lands on the home page, keeping the token out of localStorage", async () => {
    const calls = fakeApi({
      "POST /v1/sessions": { status: 201, body: openedSession },
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
    });
    renderAt("/sign-in");
    await signIn("ada", "correct horse");

    expect(await screen.findByText("Signed in as ada")).toBeTruthy();
    expect(calls[0]?.body).toEqual({ username: "ada", password: "correct horse" });
    expect(getToken()).toBe("tok-1");
    expect(window.sessionStorage.getItem("portal.session")).toBe("tok-1");
    expect(window.localStorage.length).toBe(0);
    const meCall = calls.find((call) => call.path === "/v1/me");
    expect(meCall?.headers.get("Authorization")).toBe("Bearer tok-1");
  });

  it("asks for the code of a second factor and finishes with it", async () => {
    const calls = fakeApi({
      "POST /v1/sessions": { status: 201, body: challenge },
      "POST /v1/sessions/mfa": ({ body }) =>
        (body as { code: string }).code === "123456"
          ? { status: 201, body: openedSession }
          : { status: 401, body: apiError("mfa_failed", "That code is not right.", [{ field: "code", issue: "That code is not right." }]) },
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
    });
    renderAt("/sign-in");
    const user = await signIn("ada", "correct horse");

    expect(await screen.findByRole("heading", { name: "Enter your code" })).toBeTruthy();
    expect(document.title).toBe("Enter your code | Patient portal");
    expect((screen.getByLabelText("A code from your authenticator app") as HTMLInputElement).checked).toBe(true);
    expect(getToken()).toBeNull();

    await user.type(screen.getByLabelText("Code from your authenticator app"), "000000");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    const code = screen.getByLabelText("Code from your authenticator app");
    await waitFor(() => expect(code.getAttribute("aria-invalid")).toBe("true"));
    // the hint says what code to enter; the error, described by the field too, says what was wrong
    expect(code.getAttribute("aria-describedby")).toContain("field-code-error");
    expect(document.getElementById("field-code-error")?.textContent).toBe("That code is not right.");

    await user.clear(code);
    await user.type(code, "123456");
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByText("Signed in as ada")).toBeTruthy();
    expect(calls.filter((call) => call.path === "/v1/sessions/mfa").at(-1)?.body).toEqual({
      challenge_id: "ch-1",
      code: "123456",
    });
  });

  it("shows the API's words next to the field they name, and the rest above the form", async () => {
    fakeApi({
      "POST /v1/sessions": {
        status: 400,
        body: apiError("validation_failed", "The request is not valid.", [
          { field: "password", issue: "Fill in your password." },
        ]),
      },
    });
    renderAt("/sign-in");
    await signIn("ada", "x");

    const password = screen.getByLabelText("Password");
    await waitFor(() => expect(password.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById(password.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "Fill in your password.",
    );
    expect(screen.getByLabelText("User name").getAttribute("aria-invalid")).toBeNull();
    expect(screen.getByText("The request is not valid.")).toBeTruthy();
  });

  it("says in plain words when the API cannot be reached", async () => {
    fakeApi({ "POST /v1/sessions": () => { throw new TypeError("Failed to fetch"); } });
    renderAt("/sign-in");
    await signIn("ada", "correct horse");
    expect(await screen.findByText(/could not be reached/)).toBeTruthy();
  });
});
