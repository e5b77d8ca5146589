import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { emptyInbox } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { emma, meActingFor } from "./fixtures";

const nav = async () => within(await screen.findByRole("navigation", { name: "Portal pages" }));

describe("home and menu of an account that acts for others", () => {
  it("offers an account with no record and no one to act for what it can do, not record pages", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([], false) },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
    });
    renderAt("/");
    expect(await screen.findByRole("heading", { name: "What you can do here" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Ask for access to someone's record" }).getAttribute("href")).toBe(
      "/proxy-requests/new",
    );
    const menu = await nav();
    for (const page of ["Test results", "Documents", "Who can see my record", "My connections", "Results on the way"])
      expect(menu.queryByRole("link", { name: page })).toBeNull();
    expect(menu.queryByRole("link", { name: /Messages/ })).toBeNull();
    expect(menu.getByRole("link", { name: "Access for someone else" })).toBeTruthy();
    expect(menu.getByRole("link", { name: "Account" })).toBeTruthy();
  });

  it("names the patients a proxy acts for, each linked to the first page the grant covers", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([{ ...emma, areas: ["appointments", "medications"] }], false) },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
    });
    renderAt("/");
    const section = await screen.findByRole("region", { name: "Records you can see for someone else" });
    expect(within(section).getByRole("link", { name: "Open Emma's record" }).getAttribute("href")).toBe(
      "/medications?record=p-emma",
    );
    expect(section.textContent).toContain("Parent of a child under 12");
    const menu = await nav();
    expect(menu.getByRole("link", { name: "Appointments" }).getAttribute("href")).toBe("/appointments?record=p-emma");
    expect(menu.queryByRole("link", { name: "Test results" })).toBeNull();
    expect(menu.queryByRole("link", { name: "My connections" })).toBeNull();
    expect(menu.getByRole("link", { name: "Access for someone else" })).toBeTruthy();
  });

  it("names them on the home of a patient who is also a parent", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([emma]) },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
    });
    renderAt("/");
    const section = await screen.findByRole("region", { name: "Records you can see for someone else" });
    expect(within(section).getByRole("link", { name: "Open Emma's record" }).getAttribute("href")).toBe(
      "/messages?record=p-emma",
    );
    expect(screen.queryByRole("heading", { name: "What you can do here" })).toBeNull();
  });
});
