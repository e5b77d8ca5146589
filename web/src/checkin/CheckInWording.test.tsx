import { configure, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { visit } from "../appointments/fixtures";
import { setToken } from "../session";
import { me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { APPOINTMENT, checkIn } from "./fixtures";

configure({ asyncUtilTimeout: 5000 });

const PATH = `/v1/patients/p-1/appointments/${APPOINTMENT}`;
const PAGE = `/appointments/${APPOINTMENT}/check-in`;

describe("check-in once the visit has started", () => {
  it("sends a video visit's patient to the visit's page to join, not to a front desk", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      [`GET ${PATH}/check-in`]: { status: 200, body: checkIn({ state: "closed" }) },
      [`GET ${PATH}`]: { status: 200, body: visit(APPOINTMENT, { mode: "video", places: [] }) },
    });
    renderAt(PAGE);
    const alert = await screen.findByRole("status");
    expect(await within(alert).findByText(/Join it from the visit's page/)).toBeTruthy();
    expect(alert.textContent).not.toContain("front desk when you arrive");
    expect(within(alert).getByRole("link", { name: "Go to the visit's page" }).getAttribute("href")).toBe(`/appointments/${APPOINTMENT}`);
  });

  it("tells an in-person visit's patient to tell the front desk of a change", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      [`GET ${PATH}/check-in`]: { status: 200, body: checkIn({ state: "closed" }) },
      [`GET ${PATH}`]: { status: 200, body: visit(APPOINTMENT) },
    });
    renderAt(PAGE);
    const alert = await screen.findByRole("status");
    expect(await within(alert).findByText(/If something changed, tell the front desk when you arrive\./)).toBeTruthy();
    expect(within(alert).queryByRole("link", { name: "Go to the visit's page" })).toBeNull();
  });
});

describe("check-in's details step", () => {
  it("says the details are the clinic's record, and what the record lacks as not on it", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      [`GET ${PATH}/check-in`]: { status: 200, body: checkIn({ details: { ...checkIn().details, email: "", phone: "" } }) },
    });
    renderAt(PAGE);
    expect(await screen.findByRole("heading", { level: 2, name: "Step 1 of 3: Your details" })).toBeTruthy();
    expect(screen.getByText(/These are the details on your clinic's record, not those of your portal account/)).toBeTruthy();
    expect(screen.getAllByText("Not on your record")).toHaveLength(2); // the email and the phone
    expect(screen.queryByText("Not given")).toBeNull();
  });
});
