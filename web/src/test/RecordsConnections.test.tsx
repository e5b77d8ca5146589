import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError } from "./fixtures";
import { expectAccessible, homeConnection, meWith, pendingTroy, saratoga } from "./recordsFixtures";
import { fakeApi, renderAt } from "./render";

describe("my connections", () => {
  it("lists each organization with its status, when added, and links to its record", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meWith(homeConnection, saratoga, pendingTroy) },
      "GET /v1/me/connections": { status: 200, body: { connections: [homeConnection, saratoga, pendingTroy] } },
    });
    renderAt("/connections");
    const card = (await screen.findByRole("heading", { name: "Saratoga Hospital" })).closest("li")!;
    expect(document.title).toBe("My connections | Patient portal");
    expect(card.textContent).toContain("Connected");
    expect(card.textContent).toContain("Added Feb 3, 2026");
    const links = within(card).getByRole("navigation", { name: "Records at Saratoga Hospital" });
    expect(within(links).getByRole("link", { name: "Test results" }).getAttribute("href")).toBe("/results?record=p-2");
    expect(within(links).getByRole("link", { name: "Health summary" }).getAttribute("href")).toBe(
      "/health-summary?record=p-2",
    );
    // the own record needs no parameter, and its organization cannot be removed here
    const home = screen.getByRole("heading", { name: "Albany Medical Center" }).closest("li")!;
    expect(within(home).getByRole("link", { name: "Documents" }).getAttribute("href")).toBe("/documents");
    expect(within(home).queryByRole("button")).toBeNull();
    expect(home.textContent).toContain("You enrolled here");
    // a pending one is named by its id (no name given) and opens no record yet
    const troy = screen.getByRole("heading", { name: "troy-clinic" }).closest("li")!;
    expect(troy.textContent).toContain("Waiting for the organization to confirm who you are");
    expect(within(troy).queryByRole("link")).toBeNull();
    await expectAccessible();
  });

  it("removes a connection only after the patient confirms", async () => {
    setToken("tok-1");
    let removed = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: meWith(homeConnection, saratoga) },
      "GET /v1/me/connections": () => ({
        status: 200,
        body: { connections: removed ? [homeConnection] : [homeConnection, saratoga] },
      }),
      "DELETE /v1/me/connections/c-sh": () => {
        removed = true;
        return { status: 204 };
      },
    });
    renderAt("/connections");
    const user = userEvent.setup();
    const remove = await screen.findByRole("button", { name: "Remove Saratoga Hospital" });
    await user.click(remove);
    // The question takes the focus, so a screen reader reads it at once.
    const question = screen.getByRole("group", { name: /You will no longer see its records here/ });
    expect(document.activeElement).toBe(question);
    await expectAccessible();
    await user.click(screen.getByRole("button", { name: "Keep it" }));
    expect(calls.some((call) => call.method === "DELETE")).toBe(false);
    // Kept: the keyboard carries on from the button that asked.
    expect(screen.queryByRole("group", { name: /You will no longer see/ })).toBeNull();
    expect(document.activeElement).toBe(remove);

    await user.keyboard("{Enter}");
    await user.click(screen.getByRole("button", { name: "Yes, remove it" }));
    const notice = await screen.findByRole("status");
    expect(notice.textContent).toBe("Saratoga Hospital was removed.");
    // Removed: the button that asked is gone, and the notice of what happened has the focus.
    expect(document.activeElement).toBe(notice);
    await waitFor(() => expect(screen.queryByRole("heading", { name: "Saratoga Hospital" })).toBeNull());
    expect(document.activeElement).toBe(notice);
  });

  it("says why a removal is refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meWith(homeConnection, saratoga) },
      "GET /v1/me/connections": { status: 200, body: { connections: [homeConnection, saratoga] } },
      "DELETE /v1/me/connections/c-sh": { status: 404, body: apiError("not_found", "No such connection.") },
    });
    renderAt("/connections");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Remove Saratoga Hospital" }));
    await user.click(screen.getByRole("button", { name: "Yes, remove it" }));
    expect((await screen.findByRole("alert")).textContent).toBe("No such connection.");
  });

  it("adds an organization with its invitation code", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: meWith(homeConnection) },
      "GET /v1/me/connections": { status: 200, body: { connections: [homeConnection] } },
      "POST /v1/me/connections": { status: 201, body: saratoga },
    });
    renderAt("/connections");
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Albany Medical Center" });
    expect(screen.queryByLabelText("Organization ID")).toBeNull(); // the code says which organization
    await user.type(screen.getByLabelText("Invitation code"), " CODE-1 ");
    await user.click(screen.getByRole("button", { name: "Add connection" }));
    expect((await screen.findByRole("status")).textContent).toBe("Saratoga Hospital is connected.");
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ invitation_code: "CODE-1" });
    expect((screen.getByLabelText("Invitation code") as HTMLInputElement).value).toBe("");
  });

  it("puts the API's refusal next to the field it names, and asks for the code first", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: meWith(homeConnection) },
      "GET /v1/me/connections": { status: 200, body: { connections: [homeConnection] } },
      "POST /v1/me/connections": {
        status: 400,
        body: apiError("validation_failed", "This invitation code has expired.", [
          { field: "invitation_code" },
        ]),
      },
    });
    renderAt("/connections");
    const user = userEvent.setup();
    await screen.findByRole("heading", { name: "Albany Medical Center" });
    await user.click(screen.getByRole("button", { name: "Add connection" }));
    expect(screen.getAllByText("Fill in this field.")).toHaveLength(1);
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await user.type(screen.getByLabelText("Invitation code"), "CODE-1");
    await user.click(screen.getByRole("button", { name: "Add connection" }));
    const code = await screen.findByLabelText("Invitation code");
    await waitFor(() => expect(code.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById("field-invitation_code-error")?.textContent).toBe(
      "This invitation code has expired.",
    );
  });

  it("says when the list is refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meWith(homeConnection) },
      "GET /v1/me/connections": { status: 403, body: apiError("forbidden", "Only patients have connections.") },
    });
    renderAt("/connections");
    expect((await screen.findByRole("alert")).textContent).toBe("Only patients have connections.");
  });
});
