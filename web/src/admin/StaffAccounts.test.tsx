import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { adminMe, staffAccount } from "./fixtures";
import { expectAccessible } from "../test/axe";

describe("staff accounts", () => {
  it("lists the organization's accounts a page at a time, and finds one by name or address", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/staff": (call) =>
        new URLSearchParams(call.search).get("cursor") === "c2"
          ? { status: 200, body: { staff: [staffAccount("a3", "grace.hopper")], next_cursor: null } }
          : {
              status: 200,
              body: {
                staff: [
                  staffAccount("a1", null, { role: "admin", second_factors: [], email: "new.one@amc.example" }),
                  staffAccount("acc-admin", "demo.admin", { role: "admin" }),
                  staffAccount("a2", "alan.turing", { status: "suspended" }),
                ],
                next_cursor: "c2",
              },
            },
    });
    renderAt("/admin/staff");
    const table = await screen.findByRole("table", { name: "Your organization's accounts" });
    expect(document.title).toBe("Staff accounts | Patient portal");
    const pending = within(table).getByRole("row", { name: /new.one@amc.example/ });
    expect(pending.textContent).toContain("Not chosen yet");
    expect(pending.textContent).toContain("None yet: asked to set one up at sign-in");
    expect(pending.textContent).toContain("Nov 20, 2026");
    // the admin's own account cannot be suspended from here
    const own = within(table).getByRole("row", { name: /demo.admin/ });
    expect(within(own).queryByRole("button")).toBeNull();
    expect(within(table).getByRole("row", { name: /alan.turing/ }).textContent).toContain("Suspended");
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Show more accounts" }));
    expect(await within(table).findByRole("row", { name: /grace.hopper/ })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Show more accounts" })).toBeNull();
    expect(calls.filter((c) => c.path === "/v1/admin/staff").map((c) => c.search)).toEqual([
      "?limit=50",
      "?limit=50&cursor=c2",
    ]);

    await user.type(screen.getByLabelText("Find an account"), "TURING");
    expect(screen.getByText("1 of 4 accounts matches.")).toBeTruthy();
    expect(within(table).queryByRole("row", { name: /grace.hopper/ })).toBeNull();
    // the search never leaves the page
    expect(calls.filter((c) => c.path === "/v1/admin/staff")).toHaveLength(2);
    await expectAccessible();
  });

  it("suspends a colleague only once the admin confirms", async () => {
    setToken("tok-1");
    let suspended = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/staff": () => ({
        status: 200,
        body: {
          staff: [staffAccount("a2", "alan.turing", { status: suspended ? "suspended" : "active" })],
          next_cursor: null,
        },
      }),
      "PUT /v1/admin/staff/a2/status": () => {
        suspended = true;
        return { status: 200, body: { account_id: "a2", status: "suspended", sessions_ended: 2 } };
      },
    });
    renderAt("/admin/staff");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Suspend alan.turing" }));
    expect(screen.getByRole("group", { name: "Suspend alan.turing?" })).toBe(document.activeElement);
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
    await waitFor(() =>
      expect(document.activeElement).toBe(screen.getByRole("button", { name: "Suspend alan.turing" })),
    );

    await user.click(screen.getByRole("button", { name: "Suspend alan.turing" }));
    await user.click(screen.getByRole("button", { name: "Yes, suspend alan.turing" }));
    const status = await screen.findByRole("status");
    expect(status.textContent).toBe("alan.turing is suspended and signed out.");
    expect(document.activeElement).toBe(status); // the confirmation that had the focus is gone
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({ status: "suspended" });
    expect(await screen.findByRole("button", { name: "Make alan.turing active again" })).toBeTruthy();
  });

  it("sends a new colleague a set-up link, and puts a refused address next to its field", async () => {
    setToken("tok-1");
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/staff": { status: 200, body: { staff: [], next_cursor: null } },
      "POST /v1/admin/staff": () =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "Some answers need another look.", [
                { field: "email", issue: "not an email address" },
              ]),
            }
          : { status: 201, body: { account_id: "a9", username: null, role: "admin", status: "active" } },
    });
    renderAt("/admin/staff");
    expect(await screen.findByText("Your organization has no staff accounts yet.")).toBeTruthy();
    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Send the set-up link" }));
    expect(screen.getByText("Fill in this field.")).toBeTruthy();

    await user.type(screen.getByLabelText("Their work email address"), "grace@amc");
    await user.selectOptions(screen.getByLabelText("Role"), "admin");
    await user.click(screen.getByRole("button", { name: "Send the set-up link" }));
    expect(await screen.findByText("Not an email address.")).toBeTruthy();
    expect(screen.getByLabelText("Their work email address").getAttribute("aria-invalid")).toBe("true");

    await user.clear(screen.getByLabelText("Their work email address"));
    await user.type(screen.getByLabelText("Their work email address"), "grace@amc.example");
    await user.click(screen.getByRole("button", { name: "Send the set-up link" }));
    expect((await screen.findByRole("status")).textContent).toBe("A set-up link was sent to grace@amc.example.");
    expect(calls.filter((c) => c.method === "POST").at(-1)?.body).toEqual({ email: "grace@amc.example", role: "admin" });
  });

  it("unlocks a locked-out colleague at once and says so", async () => {
    setToken("tok-1");
    let locked = true;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/staff": () => ({
        status: 200,
        body: {
          staff: [staffAccount("a2", "alan.turing", { locked }), staffAccount("a3", "grace.hopper")],
          next_cursor: null,
        },
      }),
      "POST /v1/admin/staff/a2/unlock": () => {
        locked = false;
        return { status: 200, body: { account_id: "a2", locked: false } };
      },
    });
    renderAt("/admin/staff");
    const table = await screen.findByRole("table", { name: "Your organization's accounts" });
    const row = within(table).getByRole("row", { name: /alan.turing/ });
    expect(row.textContent).toContain("Active (locked after failed sign-ins)");
    // only a locked account has the button
    expect(screen.queryByRole("button", { name: "Unlock grace.hopper" })).toBeNull();
    await expectAccessible();

    const user = userEvent.setup();
    await user.click(within(row).getByRole("button", { name: "Unlock alan.turing" }));
    const status = await screen.findByRole("status");
    expect(status.textContent).toBe("alan.turing is unlocked and can sign in with their password now.");
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual(["/v1/admin/staff/a2/unlock"]);
    await waitFor(() => expect(screen.queryByRole("button", { name: "Unlock alan.turing" })).toBeNull());
    expect(within(table).getByRole("row", { name: /alan.turing/ }).textContent).not.toContain("locked");
  });

  it("says in words why an unlock was refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/staff": {
        status: 200,
        body: { staff: [staffAccount("a2", "alan.turing", { locked: true })], next_cursor: null },
      },
      "POST /v1/admin/staff/a2/unlock": {
        status: 409,
        body: apiError("not_locked", "This account is not locked."),
      },
    });
    renderAt("/admin/staff");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Unlock alan.turing" }));
    expect((await screen.findByRole("alert")).textContent).toBe("This account is not locked.");
  });

  it("sends a colleague who has not set up their account a new link only once the admin confirms", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/staff": {
        status: 200,
        body: {
          staff: [
            staffAccount("a1", null, { email: "new.one@amc.example", second_factors: [] }),
            staffAccount("a2", "alan.turing"),
          ],
          next_cursor: null,
        },
      },
      "POST /v1/admin/staff/a1/setup-link": {
        status: 201,
        body: { account_id: "a1", expires_at: "2026-12-08T02:00:00Z" },
      },
    });
    renderAt("/admin/staff");
    const user = userEvent.setup();
    const ask = await screen.findByRole("button", { name: "Send new.one@amc.example a new set-up link" });
    // a colleague who chose their user name has finished set-up: no such button
    expect(screen.queryByRole("button", { name: "Send alan.turing a new set-up link" })).toBeNull();

    await user.click(ask);
    const question = screen.getByRole("group", { name: "Send new.one@amc.example a new set-up link?" });
    expect(question.textContent).toContain("The link sent to them before stops working at once.");
    await expectAccessible();
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await user.click(screen.getByRole("button", { name: "Send new.one@amc.example a new set-up link" }));
    await user.click(screen.getByRole("button", { name: "Yes, send a new link to new.one@amc.example" }));
    expect((await screen.findByRole("status")).textContent).toBe(
      "A new set-up link was sent to new.one@amc.example. The earlier link no longer works.",
    );
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual(["/v1/admin/staff/a1/setup-link"]);
  });
});
