import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError, openedSession, resultSummary } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { emma, grant, meActingFor } from "./fixtures";

describe("accepting a patient's invitation", () => {
  it("redeems the code from the link's fragment and opens the patient's record", async () => {
    setToken("tok-1");
    let redeemed = false;
    const calls = fakeApi({
      "GET /v1/me": () => ({ status: 200, body: meActingFor(redeemed ? [emma] : [], false) }),
      "POST /v1/proxy-invitations/redeem": () => {
        redeemed = true;
        return { status: 200, body: grant("g-emma", { patient_id: "p-emma", areas: ["results", "appointments"] }) };
      },
      "GET /v1/patients/p-emma/results": {
        status: 200,
        body: { results: [resultSummary("r-1", "Emma's lead level")], next_cursor: null },
      },
    });
    renderAt("/proxy-invitation#code=ONE-TIME-CODE");
    expect(await screen.findByText("Emma's lead level")).toBeTruthy();
    expect(window.location.pathname + window.location.search).toBe("/results?record=p-emma");
    expect(window.location.hash).toBe("");
    expect(calls.filter((call) => call.method === "POST").map((call) => call.body)).toEqual([{ code: "ONE-TIME-CODE" }]);
  });

  it("asks a visitor to sign in or enroll, and the code leaves the address bar", async () => {
    fakeApi({});
    renderAt("/proxy-invitation#code=ONE-TIME-CODE");
    expect(await screen.findByRole("heading", { level: 1, name: "Accept an invitation" })).toBeTruthy();
    expect(window.location.hash).toBe("");
    // the code goes on as a fragment, which no server sees
    expect(screen.getByRole("link", { name: "Create an account" }).getAttribute("href")).toBe("/enroll#code=ONE-TIME-CODE&from=patient");
    expect(screen.getAllByRole("link", { name: "Sign in" }).length).toBeGreaterThan(0);
  });

  it("lands an appointments-only grant on Appointments, not on a page it may not see", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([{ ...emma, areas: ["appointments"] }], false) },
      "POST /v1/proxy-invitations/redeem": {
        status: 200,
        body: grant("g-emma", { patient_id: "p-emma", areas: ["appointments"] }),
      },
    });
    renderAt("/proxy-invitation#code=ONE-TIME-CODE");
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe("/appointments?record=p-emma"));
  });

  it("keeps the code for the tab while the visitor signs in, then finishes", async () => {
    let redeemedWith: unknown = null;
    fakeApi({
      "POST /v1/sessions": { status: 201, body: openedSession },
      "GET /v1/me": { status: 200, body: meActingFor([emma], false) },
      "POST /v1/proxy-invitations/redeem": (call) => {
        redeemedWith = call.body;
        return { status: 200, body: grant("g-emma", { patient_id: "p-emma", areas: ["messages"] }) };
      },
      "GET /v1/patients/p-emma/threads": { status: 200, body: { threads: [], next_cursor: null } },
    });
    renderAt("/proxy-invitation#code=ONE-TIME-CODE");
    const user = userEvent.setup();
    await screen.findByRole("heading", { level: 1, name: "Accept an invitation" });
    await user.click(within(screen.getByRole("main")).getByRole("link", { name: "Sign in" }));
    await user.type(await screen.findByLabelText("User name"), "sam");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe("/messages?record=p-emma"));
    expect(redeemedWith).toEqual({ code: "ONE-TIME-CODE" });
    expect(window.sessionStorage.getItem("portal.pendingInvitation")).toBeNull(); // used, it is gone
  });

  it("finishes the invitation after a sign-in that first asks to accept the terms", async () => {
    let accepted = false;
    const redeemed: unknown[] = [];
    fakeApi({
      "POST /v1/sessions": { status: 201, body: { ...openedSession, must: "terms" } },
      "GET /v1/me": () => {
        const base = meActingFor(accepted ? [emma] : [], false);
        return { status: 200, body: { ...base, account: { ...base.account, must: accepted ? null : "terms" } } };
      },
      "GET /v1/terms": { status: 200, body: { version: "2026-02", terms_of_use: "Be kind.", consent: "I agree.", summary: null } },
      "POST /v1/me/terms-acceptances": () => {
        accepted = true;
        return { status: 201, body: { accepted_version: "2026-02", accepted_at: "2026-03-02T10:00:00Z" } };
      },
      "POST /v1/proxy-invitations/redeem": (call) => {
        redeemed.push(call.body);
        return { status: 200, body: grant("g-emma", { patient_id: "p-emma", areas: ["appointments"] }) };
      },
      "GET /v1/patients/p-emma/appointments": { status: 200, body: { appointments: [], next_cursor: null } },
    });
    renderAt("/proxy-invitation#code=ONE-TIME-CODE");
    const user = userEvent.setup();
    await screen.findByRole("heading", { level: 1, name: "Accept an invitation" });
    await user.click(within(screen.getByRole("main")).getByRole("link", { name: "Sign in" }));
    await user.type(await screen.findByLabelText("User name"), "sam");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(redeemed).toEqual([]); // not while the terms are owed
    await user.click(await screen.findByLabelText(/I have read and accept/));
    await user.click(screen.getByRole("button", { name: "Accept and continue" }));
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe("/appointments?record=p-emma"));
    expect(redeemed).toEqual([{ code: "ONE-TIME-CODE" }]);
  });

  it("says why a code is refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([], false) },
      "POST /v1/proxy-invitations/redeem": {
        status: 400,
        body: apiError("validation_failed", "This invitation has expired. Ask the patient for a new one."),
      },
    });
    renderAt("/proxy-invitation#code=OLD");
    expect((await screen.findByRole("alert")).textContent).toBe("This invitation has expired. Ask the patient for a new one.");
  });
});
