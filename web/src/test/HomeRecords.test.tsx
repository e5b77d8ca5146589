import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { apiError, inbox, me } from "./fixtures";
import { expectAccessible } from "./recordsFixtures";
import { fakeApi, renderAt } from "./render";

const twoUnread: Schemas["NotificationPage"] = {
  notifications: [
    ...inbox.notifications,
    { ...inbox.notifications[0]!, notification_id: "n2", title: "A message from your care team is waiting." },
  ],
  unread_count: 2,
  next_cursor: null,
};
const lipid: Schemas["UpcomingItem"] = {
  result_id: "r-1",
  kind: "result",
  type: null,
  category: "lab",
  name: "Lipid panel",
  release_at: "2026-03-05T12:00:00Z",
  waiting_for_review: false,
};

describe("home: what is new", () => {
  it("links to every page of the record and says how much is on its way", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: inbox },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [lipid, { ...lipid, result_id: "r-2" }] } },
    });
    renderAt("/");
    expect(await screen.findByText("2 items are filed but not shown yet.")).toBeTruthy();
    const record = screen.getByRole("navigation", { name: "Your record" });
    expect(within(record).getAllByRole("link").map((link) => link.getAttribute("href"))).toEqual([
      "/results",
      "/documents",
      "/health-summary",
      "/medications",
      "/appointments",
      "/upcoming",
      "/records/download",
      "/access-log",
      "/sharing",
      "/apps",
      "/share",
      "/connections",
      "/proxy-requests",
    ]);
    await expectAccessible();
    await userEvent.setup().click(screen.getByRole("link", { name: "See what is coming and when" }));
    expect(window.location.pathname).toBe("/upcoming");
  });

  it("marks one notification read", async () => {
    setToken("tok-1");
    let read = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": () => ({
        status: 200,
        body: read
          ? { ...inbox, unread_count: 0, notifications: [{ ...inbox.notifications[0]!, read_at: "2026-03-02T11:00:00Z" }] }
          : inbox,
      }),
      "POST /v1/me/notifications/n1/read": () => {
        read = true;
        return { status: 200, body: { ...inbox.notifications[0]!, read_at: "2026-03-02T11:00:00Z" } };
      },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
    });
    renderAt("/");
    expect(await screen.findByText("Nothing is waiting to be shown.")).toBeTruthy();
    await userEvent
      .setup()
      .click(await screen.findByRole("button", { name: "Mark as read: Something new is waiting in your portal." }));
    expect(await screen.findByText("0 unread")).toBeTruthy();
    expect(screen.queryByText("New")).toBeNull();
    expect(calls.filter((call) => call.method === "POST").map((call) => call.path)).toEqual([
      "/v1/me/notifications/n1/read",
    ]);
  });

  it("marks them all read, calling again while the API says some are left", async () => {
    setToken("tok-1");
    let left = 2;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": () => ({
        status: 200,
        body: left > 0 ? twoUnread : { ...twoUnread, unread_count: 0 },
      }),
      "POST /v1/me/notifications/read-all": () => {
        left -= 1;
        return { status: 200, body: { marked: 1, unread_left: left > 0 } };
      },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
    });
    renderAt("/");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Mark all as read" }));
    expect(await screen.findByText("0 unread")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Mark all as read" })).toBeNull();
    expect(calls.filter((call) => call.path === "/v1/me/notifications/read-all")).toHaveLength(2);
  });

  it("says when marking is refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: inbox },
      "POST /v1/me/notifications/read-all": { status: 503, body: apiError("unavailable", "Try again in a moment.") },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
    });
    renderAt("/");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Mark all as read" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toBe("Try again in a moment."));
  });
});
