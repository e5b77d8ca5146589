import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError, resultSummary } from "../test/fixtures";
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
        return { status: 200, body: grant("g-emma", { patient_id: "p-emma" }) };
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
    expect(screen.getByRole("link", { name: "Create an account" }).getAttribute("href")).toBe("/enroll?code=ONE-TIME-CODE");
    expect(screen.getAllByRole("link", { name: "Sign in" }).length).toBeGreaterThan(0);
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
