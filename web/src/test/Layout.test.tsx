import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { documentsPage, inbox, me } from "./fixtures";
import { fakeApi, renderAt } from "./render";

describe("the layout", () => {
  it("shows a patient the pages of their record", async () => {
    setToken("tok-1");
    fakeApi({ "GET /v1/me": { status: 200, body: me() }, "GET /v1/me/notifications": { status: 200, body: inbox } });
    renderAt("/");
    const pages = await screen.findByRole("navigation", { name: "Portal pages" });
    expect(within(pages).getByRole("link", { name: "Test results" })).toBeTruthy();
  });

  it("shows staff no patient links", async () => {
    setToken("tok-2");
    const staff = { ...me(), account: { ...me().account, role: "staff" as const }, patient: null };
    fakeApi({ "GET /v1/me": { status: 200, body: staff }, "GET /v1/me/notifications": { status: 200, body: inbox } });
    renderAt("/");
    const pages = await screen.findByRole("navigation", { name: "Portal pages" });
    expect(within(pages).getByRole("link", { name: "Home" })).toBeTruthy();
    expect(within(pages).queryByRole("link", { name: "Test results" })).toBeNull();
  });

  it("hides the pages while the session owes something first (the terms)", async () => {
    setToken("tok-1");
    fakeApi({ "GET /v1/me": { status: 200, body: me("terms") } });
    renderAt("/");
    expect(await screen.findByText(/Terms of Use/)).toBeTruthy();
    expect(screen.queryByRole("navigation", { name: "Portal pages" })).toBeNull();
  });

  it("moves focus to the new page's content when a link changes the page, as a page load would", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: inbox },
      "GET /v1/patients/p-1/documents": { status: 200, body: documentsPage },
    });
    renderAt("/");
    const pages = await screen.findByRole("navigation", { name: "Portal pages" });
    const link = within(pages).getByRole("link", { name: "Documents" });
    await userEvent.setup().click(link);
    expect(await screen.findByRole("heading", { level: 1, name: "Documents" })).toBeTruthy();
    expect(document.activeElement).toBe(screen.getByRole("main"));
  });
});
