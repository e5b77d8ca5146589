import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError, me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { expectAccessible } from "../test/axe";

async function section(name: string) {
  return within(await screen.findByRole("region", { name }));
}

describe("the account page", () => {
  it("is linked from the navigation and shows the terms accepted", async () => {
    setToken("tok-1");
    fakeApi({ "GET /v1/me": { status: 200, body: me() } });
    renderAt("/account");
    expect(await screen.findByRole("heading", { name: "Your account", level: 1 })).toBeTruthy();
    expect(screen.getByRole("navigation", { name: "Portal pages" })).toBeTruthy();
    expect(within(screen.getByRole("navigation", { name: "Portal pages" })).getByRole("link", { name: "Account" }).getAttribute("href")).toBe("/account");
    expect((await section("Terms of Use")).getByText(/You accepted version 2026-01 on Jan 1, 2026/)).toBeTruthy();
    expect((await section("Terms of Use")).getByRole("link", { name: "Read the Terms of Use" }).getAttribute("href")).toBe("/account/terms");
    await expectAccessible();
  });

  it("changes the email address with the password, showing the pending address", async () => {
    setToken("tok-1");
    let pending: string | null = null;
    const calls = fakeApi({
      "GET /v1/me": () => {
        const body = me();
        body.account.pending_email = pending;
        return { status: 200, body };
      },
      "PUT /v1/me/email": ({ body }) => {
        pending = (body as { email: string }).email;
        return { status: 202, body: { pending_email: pending, email_verification_sent: true } };
      },
    });
    renderAt("/account");
    const email = await section("Email address");
    const user = userEvent.setup();
    await user.type(await email.findByLabelText("New email address"), "ada.new@example.org");
    await user.type(email.getByLabelText("Your current password"), "correct horse");
    await user.click(email.getByRole("button", { name: "Change email address" }));

    expect(await email.findByText(/We sent a link to ada.new@example.org/)).toBeTruthy();
    expect(await email.findByText(/Waiting for confirmation: ada.new@example.org/)).toBeTruthy();
    expect(email.getByText("Notifications go to ada@example.org.")).toBeTruthy();
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({
      email: "ada.new@example.org",
      password: "correct horse",
    });
  });

  it("shows the password rules met or not as the new password is typed", async () => {
    setToken("tok-1");
    fakeApi({ "GET /v1/me": { status: 200, body: me() } });
    renderAt("/account");
    const password = await section("Password");
    const field = await password.findByLabelText("New password");
    const rule = (text: string) => password.getByText(text).closest("li")?.dataset.met;
    expect(rule("Be at least 8 characters long")).toBe("false");

    const user = userEvent.setup();
    await user.type(field, "ada");
    expect(rule("Be at least 8 characters long")).toBe("false");
    expect(rule("Not contain your user name")).toBe("false");
    await user.type(field, "-and-more");
    expect(rule("Be at least 8 characters long")).toBe("true");
    expect(rule("Not contain your user name")).toBe("false");
    await user.clear(field);
    await user.type(field, "ada@example.org");
    expect(rule("Not be your email address")).toBe("false");
    await user.clear(field);
    await user.type(field, "harbour lights");
    expect(rule("Be at least 8 characters long")).toBe("true");
    expect(rule("Not contain your user name")).toBe("true");
    expect(rule("Not be your email address")).toBe("true");
  });

  it("changes the password, and shows a wrong current password next to its field", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "PUT /v1/me/password": ({ body }) =>
        (body as { current_password: string }).current_password === "correct horse"
          ? { status: 200, body: { other_sessions_ended: 2 } }
          : {
              status: 400,
              body: apiError("validation_failed", "Your current password is not correct.", [{ field: "current_password" }]),
            },
    });
    renderAt("/account");
    const password = await section("Password");
    const user = userEvent.setup();
    await user.type(await password.findByLabelText("Your current password"), "wrong");
    await user.type(password.getByLabelText("New password"), "harbour lights");
    await user.click(password.getByRole("button", { name: "Change password" }));
    const current = password.getByLabelText("Your current password");
    await waitFor(() => expect(current.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById("field-current_password-error")?.textContent).toBe(
      "Your current password is not correct.",
    );

    await user.clear(current);
    await user.type(current, "correct horse");
    await user.click(password.getByRole("button", { name: "Change password" }));
    expect(await password.findByText("Your password is changed. 2 other sessions were signed out.")).toBeTruthy();
    expect(calls.filter((call) => call.method === "PUT").at(-1)?.body).toEqual({
      current_password: "correct horse",
      new_password: "harbour lights",
    });
  });

  it("saves the notification preferences as checked", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "PUT /v1/me/notification-preferences": ({ body }) => ({ status: 200, body: { notification_preferences: body } }),
    });
    renderAt("/account");
    const preferences = await section("Notifications by email");
    const user = userEvent.setup();
    // only the emails the portal sends today are offered (no appointments or forms yet)
    expect(preferences.queryByLabelText("An appointment is booked or changed")).toBeNull();
    const results = preferences.getByRole("checkbox", { name: "Something new is in my record (results, documents)" });
    const messages = preferences.getByRole("checkbox", { name: "A care team wrote to me" });
    expect((results as HTMLInputElement).checked).toBe(true);
    expect((messages as HTMLInputElement).checked).toBe(true);
    await user.click(messages);
    await user.click(preferences.getByRole("button", { name: "Save preferences" }));
    expect(await preferences.findByText("Your notification preferences are saved.")).toBeTruthy();
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({
      email_new_results: true,
      email_messages: false,
      email_appointments: true,
      email_forms: true,
    });
  });

  it("shows the message emails as off when they are off", async () => {
    setToken("tok-1");
    const base = me();
    fakeApi({
      "GET /v1/me": {
        status: 200,
        body: { ...base, notification_preferences: { ...base.notification_preferences, email_messages: false } },
      },
    });
    renderAt("/account");
    const preferences = await section("Notifications by email");
    const messages = preferences.getByRole("checkbox", { name: "A care team wrote to me" });
    expect((messages as HTMLInputElement).checked).toBe(false);
    expect((preferences.getByRole("checkbox", { name: /Something new/ }) as HTMLInputElement).checked).toBe(true);
  });

  it("sends a visitor without a session to sign in", async () => {
    fakeApi({});
    renderAt("/account");
    await waitFor(() => expect(window.location.pathname).toBe("/sign-in"));
  });
});
