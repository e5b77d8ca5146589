import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { getToken, setToken } from "../session";
import { apiError, inbox, me } from "./fixtures";
import { fakeApi, renderAt } from "./render";

describe("home", () => {
  it("answers an unknown address with a page that says so", async () => {
    fakeApi({});
    renderAt("/no/such/page");
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeTruthy();
    expect(document.title).toBe("Page not found | Patient portal");
  });

  it("sends a visitor without a session to sign in", async () => {
    fakeApi({});
    renderAt("/");
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    expect(window.location.pathname).toBe("/sign-in");
  });

  it("shows the patient and their notifications", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: inbox },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
    });
    renderAt("/");
    expect(await screen.findByText("Signed in as ada")).toBeTruthy();
    expect(screen.getByText("Your record: Ada Lovelace")).toBeTruthy();
    expect(await screen.findByText("Something new is waiting in your portal.")).toBeTruthy();
    expect(screen.getByText("1 unread")).toBeTruthy();
    expect(calls.find((call) => call.path === "/v1/me/notifications")?.search).toBe("?limit=20");
  });

  it("makes a message or refill notice a link to its page, marked read as it is followed", async () => {
    setToken("tok-1");
    const notice = (notification_id: string, template: string, title: string) => ({
      notification_id,
      template,
      title,
      created_at: "2026-03-02T10:00:00Z",
      read_at: null,
    });
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": {
        status: 200,
        body: {
          notifications: [
            notice("n3", "refill_request_decided", "There is an update to your refill request"),
            notice("n2", "new_message", "You have a new message in your patient portal"),
            notice("n1", "something_waiting", "Something new is waiting in your portal."),
          ],
          unread_count: 3,
          next_cursor: null,
        },
      },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
      "POST /v1/me/notifications/n2/read": { status: 200, body: { ...notice("n2", "new_message", "x"), read_at: "2026-03-02T11:00:00Z" } },
    });
    renderAt("/");
    const refill = await screen.findByRole("link", { name: "There is an update to your refill request" });
    expect(refill.getAttribute("href")).toBe("/medications");
    const message = screen.getByRole("link", { name: "You have a new message in your patient portal" });
    expect(message.getAttribute("href")).toBe("/messages");
    // a notice with no page of its own stays plain words
    expect(screen.queryByRole("link", { name: "Something new is waiting in your portal." })).toBeNull();
    expect(screen.getByText("Something new is waiting in your portal.")).toBeTruthy();

    await userEvent.setup().click(message);
    await waitFor(() => expect(window.location.pathname).toBe("/messages"));
    await waitFor(() => expect(calls.some((call) => call.method === "POST" && call.path === "/v1/me/notifications/n2/read")).toBe(true));
  });

  it("says what a session must do first, and asks for nothing it may not read yet", async () => {
    setToken("tok-1");
    const calls = fakeApi({ "GET /v1/me": { status: 200, body: me("terms") } });
    renderAt("/");
    expect(await screen.findByText(/accept the current Terms of Use/)).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Notifications" })).toBeNull();
    expect(calls.map((call) => call.path)).toEqual(["/v1/me"]);
  });

  it("signs out: ends the session at the API and forgets the token", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: inbox },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
      "DELETE /v1/sessions/current": { status: 204 },
    });
    renderAt("/");
    await screen.findByText("Signed in as ada");
    await userEvent.setup().click(screen.getByRole("button", { name: "Sign out" }));

    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
    const signOut = calls.find((call) => call.method === "DELETE");
    expect(signOut?.headers.get("Authorization")).toBe("Bearer tok-1");
    expect(getToken()).toBeNull();
    expect(window.sessionStorage.length).toBe(0);
  });

  it("returns to sign in when the session has ended", async () => {
    setToken("expired");
    fakeApi({
      "GET /v1/me": { status: 401, body: apiError("unauthorized", "Sign in again.") },
      "GET /v1/me/notifications": { status: 401, body: apiError("unauthorized", "Sign in again.") },
    });
    renderAt("/");
    await waitFor(() => expect(window.location.pathname).toBe("/sign-in"));
    expect(getToken()).toBeNull();
  });
});
