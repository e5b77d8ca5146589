import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { resultSummary } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { emma, meActingFor } from "./fixtures";

const results = (name: string) => ({ status: 200, body: { results: [resultSummary(`r-${name}`, name)], next_cursor: null } });

describe("viewing as: a parent's switcher", () => {
  it("switches to the child's record and back, saying whose record is shown", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([emma]) },
      "GET /v1/patients/p-1/results": results("Own cholesterol"),
      "GET /v1/patients/p-emma/results": results("Emma's lead level"),
    });
    renderAt("/results");
    const user = userEvent.setup();
    await screen.findByText("Own cholesterol");
    const viewing = screen.getByLabelText("Viewing as:") as HTMLSelectElement;
    expect(viewing.value).toBe("p-1");
    expect(screen.queryByText(/You are viewing/)).toBeNull();

    // choosing in the list alone does not move a keyboard user to another record
    await user.selectOptions(viewing, "Emma");
    expect(window.location.search).toBe("");
    expect(screen.getByText("Own cholesterol")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Show" }));
    await screen.findByText("Emma's lead level");
    expect(window.location.search).toBe("?record=p-emma"); // an opaque id, never a name
    expect(screen.getByText(/You are viewing Emma's record as a parent\./).textContent).toContain(
      "From Jun 1, 2031 (the 12th birthday), new items will not be shown.",
    );
    // the navigation keeps the child's record, and counts the child's unread messages
    const nav = screen.getByRole("navigation", { name: "Portal pages" });
    expect(within(nav).getByRole("link", { name: "Documents" }).getAttribute("href")).toBe("/documents?record=p-emma");
    // the patient's own pages are not the child's: who looked, who can see
    expect(within(nav).queryByRole("link", { name: "Who looked at my record" })).toBeNull();
    expect(within(nav).queryByRole("link", { name: "Who can see my record" })).toBeNull();
    await expectAccessible();

    await user.selectOptions(screen.getByLabelText("Viewing as:"), "Me");
    await user.click(screen.getByRole("button", { name: "Show" }));
    await screen.findByText("Own cholesterol");
    expect(window.location.search).toBe("");
    expect(calls.filter((call) => call.path === "/v1/patients/p-emma/results")).toHaveLength(1);
  });

  it("says from when a child's record stops showing, once that day has passed", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([{ ...emma, visible_until: "2020-01-10T05:00:00Z" }]) },
      "GET /v1/patients/p-emma/results": results("Emma's lead level"),
    });
    renderAt("/results?record=p-emma");
    expect(
      (await screen.findByText(/Items recorded from Jan 10, 2020 \(the 12th birthday\) on are not shown\./)).textContent,
    ).toContain("You are viewing Emma's record as a parent.");
  });

  it("opens the first record an account with no record of its own acts for", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([emma], false) },
      "GET /v1/patients/p-emma/results": results("Emma's lead level"),
    });
    renderAt("/results");
    await screen.findByText("Emma's lead level");
    const viewing = screen.getByLabelText("Viewing as:") as HTMLSelectElement;
    expect(viewing.value).toBe("p-emma");
    expect(within(viewing).queryByRole("option", { name: "Me" })).toBeNull();
  });

  it("says a part of the record is not covered instead of asking the API, and hides its link", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([{ ...emma, areas: ["appointments", "messages"] }]) },
    });
    renderAt("/results?record=p-emma");
    expect(await screen.findByRole("heading", { level: 1, name: "Not part of your access" })).toBeTruthy();
    expect(screen.getByText("Your access to this record does not include Test results.")).toBeTruthy();
    const nav = screen.getByRole("navigation", { name: "Portal pages" });
    expect(within(nav).queryByRole("link", { name: "Test results" })).toBeNull();
    expect(within(nav).getByRole("link", { name: /Messages/ }).getAttribute("href")).toBe("/messages?record=p-emma");
    expect(calls.some((call) => call.path.includes("/results"))).toBe(false);
  });

  it("hides the actions of a read-only grant", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([{ ...emma, access: "read_only" }]) },
      "GET /v1/patients/p-emma/threads": { status: 200, body: { threads: [], next_cursor: null } },
      "GET /v1/patients/p-1/threads": { status: 200, body: { threads: [], next_cursor: null } },
    });
    renderAt("/messages?record=p-emma");
    await screen.findByText(/You can read it but not make changes\./);
    await waitFor(() => expect(screen.queryByText("app.loading")).toBeNull());
    expect(screen.queryByRole("link", { name: "Write a new message" })).toBeNull();

    // the same page of the own record offers it
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Viewing as:"), "Me");
    await user.click(screen.getByRole("button", { name: "Show" }));
    expect(await screen.findByRole("link", { name: "Write a new message" })).toBeTruthy();
  });
});
