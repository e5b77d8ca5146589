import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError, enrolled, me, terms } from "./fixtures";
import { staffMe } from "../staff/fixtures";
import { expectAccessible, saratoga } from "./recordsFixtures";
import { fakeApi, renderAt } from "./render";

async function fillIn(user: ReturnType<typeof userEvent.setup>) {
  await user.type(screen.getByLabelText("Date of birth"), "1990-04-01");
  await user.type(screen.getByLabelText("Family name (last name)"), "Lovelace");
  await user.type(screen.getByLabelText("Choose a user name"), "ada");
  await user.type(screen.getByLabelText("Choose a password"), "a long pass phrase");
  await user.type(screen.getByLabelText("Email address"), "ada@example.org");
}

describe("enroll", () => {
  it("takes the code out of the address and enrolls with it and the current terms", async () => {
    const calls = fakeApi({
      "GET /v1/terms": { status: 200, body: terms },
      "POST /v1/enrollments": { status: 201, body: enrolled },
    });
    renderAt("/enroll?code=INV-123");
    await waitFor(() => expect(window.location.search).toBe(""));
    expect(window.location.pathname).toBe("/enroll");
    expect((screen.getByLabelText("Invitation code") as HTMLInputElement).value).toBe("INV-123");

    const user = userEvent.setup();
    expect(await screen.findByText("Use the portal kindly.")).toBeTruthy();
    await fillIn(user);
    await user.click(screen.getByLabelText(/I have read and accept/));
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("heading", { name: "Your account is ready" })).toBeTruthy();
    expect(screen.getByText(/sent a link to your email/)).toBeTruthy();
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({
      invitation_code: "INV-123",
      date_of_birth: "1990-04-01",
      family_name: "Lovelace",
      username: "ada",
      password: "a long pass phrase",
      email: "ada@example.org",
      accepted_terms_version: "2026-01",
    });
  });

  it("shows the terms published while the patient read the old ones, to be accepted afresh", async () => {
    const newer = { version: "2026-02", terms_of_use: "Use the portal more kindly.", consent: "I consent again." };
    let published = false;
    const calls = fakeApi({
      "GET /v1/terms": () => ({ status: 200, body: published ? newer : terms }),
      "POST /v1/enrollments": (call) =>
        (call.body as { accepted_terms_version: string }).accepted_terms_version === newer.version
          ? { status: 201, body: enrolled }
          : {
              status: 400,
              body: apiError("validation_failed", "The current version is 2026-02.", [{ field: "accepted_terms_version" }]),
            },
    });
    renderAt("/enroll?code=INV-123");
    const user = userEvent.setup();
    expect(await screen.findByText("Use the portal kindly.")).toBeTruthy();
    published = true;
    await fillIn(user);
    await user.click(screen.getByLabelText(/I have read and accept/));
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText(/The terms changed while you were reading them/)).toBeTruthy();
    expect(await screen.findByText("Use the portal more kindly.")).toBeTruthy();
    const box = screen.getByLabelText(/I have read and accept/) as HTMLInputElement;
    expect(box.checked).toBe(false);
    expect((screen.getByLabelText("Choose a user name") as HTMLInputElement).value).toBe("ada"); // the rest is kept

    await user.click(box);
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByRole("heading", { name: "Your account is ready" })).toBeTruthy();
    const sent = calls
      .filter((call) => call.method === "POST")
      .map((call) => (call.body as { accepted_terms_version: string }).accepted_terms_version);
    expect(sent).toEqual(["2026-01", "2026-02"]);
  });

  it("does not send the form until the terms are accepted", async () => {
    const calls = fakeApi({ "GET /v1/terms": { status: 200, body: terms } });
    renderAt("/enroll?code=INV-123");
    const user = userEvent.setup();
    await screen.findByText("Use the portal kindly.");
    await fillIn(user);
    await user.click(screen.getByRole("button", { name: "Create account" }));
    expect(await screen.findByText("Accept the terms to continue.")).toBeTruthy();
    expect(calls.filter((call) => call.method === "POST")).toHaveLength(0);
  });

  it("puts the API's refusal next to the field it names, once", async () => {
    fakeApi({
      "GET /v1/terms": { status: 200, body: terms },
      // as the API answers a taken user name: the field, and the sentence in the message
      "POST /v1/enrollments": { status: 409, body: apiError("conflict", "That user name is taken.", [{ field: "username" }]) },
    });
    renderAt("/enroll?code=INV-123");
    const user = userEvent.setup();
    await screen.findByText("Use the portal kindly.");
    await fillIn(user);
    await user.click(screen.getByLabelText(/I have read and accept/));
    await user.click(screen.getByRole("button", { name: "Create account" }));

    const username = screen.getByLabelText("Choose a user name");
    await waitFor(() => expect(username.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById(username.getAttribute("aria-describedby") ?? "")?.textContent).toBe(
      "That user name is taken.",
    );
    expect(screen.getAllByText("That user name is taken.")).toHaveLength(1);
  });

  it("offers a signed-in patient to add the inviting organization to their account instead", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "POST /v1/me/connections": { status: 201, body: saratoga },
    });
    renderAt("/enroll?code=INV-456");
    await waitFor(() => expect(window.location.search).toBe(""));
    expect(await screen.findByRole("heading", { level: 1, name: "Add this organization to your account" })).toBeTruthy();
    expect(screen.queryByLabelText("Choose a password")).toBeNull();
    await userEvent.setup().click(screen.getByRole("button", { name: "Add it to my account" }));
    expect((await screen.findByRole("status")).textContent).toBe("Saratoga Hospital is connected.");
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ invitation_code: "INV-456" });
    expect(calls.some((call) => call.path === "/v1/terms")).toBe(false);
  });

  it("says why a signed-in patient's code does not connect, in the API's words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "POST /v1/me/connections": {
        status: 409,
        body: apiError("conflict", "This organization is connected already."),
      },
    });
    renderAt("/enroll?code=INV-456");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Add it to my account" }));
    expect(await screen.findByText("This organization is connected already.")).toBeTruthy();
  });

  it.each(["staff", "admin"] as const)("tells a signed-in %s account whose link it is, and offers no button the API refuses", async (role) => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe(role) },
      "GET /v1/me/notifications": { status: 200, body: { notifications: [], unread_count: 0, next_cursor: null } },
    });
    renderAt("/enroll?code=INV-456");
    expect(await screen.findByRole("heading", { level: 1, name: "This invitation is for a patient" })).toBeTruthy();
    expect(window.location.search).toBe("");
    expect(screen.queryByRole("button", { name: "Add it to my account" })).toBeNull();
    expect(screen.queryByLabelText("Choose a password")).toBeNull();
    expect(calls.some((call) => call.method === "POST")).toBe(false);
    await expectAccessible();
  });
});
