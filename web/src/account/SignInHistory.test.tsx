import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { expectAccessible } from "../test/axe";

const first: Schemas["SignInHistory"] = {
  events: [
    { at: "2026-03-02T10:00:00Z", event: "session.sign_in", outcome: "success", reason: "password", source_ip: "203.0.113.5" },
    { at: "2026-03-02T09:58:00Z", event: "session.sign_in", outcome: "failure", reason: "wrong_password", source_ip: null },
  ],
  next_cursor: "c2",
};
const second: Schemas["SignInHistory"] = {
  events: [{ at: "2026-03-01T08:00:00Z", event: "account.locked", outcome: "success", reason: null, source_ip: null }],
  next_cursor: null,
};

describe("the sign-in history", () => {
  it("says each event in words, page by page", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/sign-in-history": ({ search }) => ({ status: 200, body: search.includes("after=c2") ? second : first }),
    });
    renderAt("/account/sign-in-history");
    expect(await screen.findByText("Signed in")).toBeTruthy();
    expect(screen.getByText("Failed: Signed in")).toBeTruthy();
    expect(screen.getByText("Detail: wrong password")).toBeTruthy();
    expect(screen.getByText("From network address 203.0.113.5")).toBeTruthy();
    expect(screen.getAllByText(/Mar 2, 2026/)).toHaveLength(2);

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByText("Signing in paused after failed attempts")).toBeTruthy();
    await waitFor(() => expect(calls.at(-1)?.search).toContain("after=c2"));
    await user.click(screen.getByRole("button", { name: "Previous page" }));
    expect(await screen.findByText("Failed: Signed in")).toBeTruthy();
    await expectAccessible();
  });

  it("says refused sessions and paused emails in words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/sign-in-history": {
        status: 200,
        body: {
          events: [
            { at: "2026-03-02T10:00:00Z", event: "session.refused", outcome: "denied", reason: "idle_timeout", source_ip: null },
            { at: "2026-03-02T09:00:00Z", event: "throttle.refused", outcome: "denied", reason: "sign_in_code_email", source_ip: "203.0.113.5" },
          ],
          next_cursor: null,
        },
      },
    });
    renderAt("/account/sign-in-history");
    expect(await screen.findByText("Refused: A signed-out or expired session was used")).toBeTruthy();
    expect(screen.getByText("Detail: the session had not been used for too long")).toBeTruthy();
    expect(screen.getByText("Refused: Paused after too many attempts or emails")).toBeTruthy();
    expect(screen.getByText("Detail: too many sign-in code emails this hour")).toBeTruthy();
  });

  it("says when there is nothing yet", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/sign-in-history": { status: 200, body: { events: [], next_cursor: null } },
    });
    renderAt("/account/sign-in-history");
    expect(await screen.findByText("Nothing to show yet.")).toBeTruthy();
  });
});
