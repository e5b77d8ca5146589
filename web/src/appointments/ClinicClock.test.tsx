import { configure, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { setToken } from "../session";
import { me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { appointmentRequest, RID, slot, visit, ZONE } from "./fixtures";

configure({ asyncUtilTimeout: 5000 });

// Node's environment (the web build has no Node types): TZ is the reader's zone, here not the clinic's.
declare const process: { env: Record<string, string | undefined> };
const readerZone = process.env.TZ;
afterEach(() => {
  if (readerZone === undefined) delete process.env.TZ;
  else process.env.TZ = readerZone;
});

const visitsPage = { status: 200, body: { appointments: [visit("a-1")], time_zone: ZONE, next_cursor: null } };

describe("a request's times, for a reader in another zone than the clinic's", () => {
  it("says when it was asked on the clinic's clock, its zone named, in the list", async () => {
    process.env.TZ = "Asia/Tokyo"; // 15:00 UTC is midnight the next day here, 10:00 in New York
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointments": visitsPage,
      "GET /v1/patients/p-1/appointment-requests": {
        status: 200,
        body: { appointment_requests: [appointmentRequest({ status: "proposed", proposal: slot() })], next_cursor: null },
      },
    });
    renderAt("/appointments");
    const requests = await screen.findByRole("region", { name: "Your requests" });
    const item = await within(requests).findByRole("listitem", { name: /New appointment with Primary care/ });
    expect(item.textContent).toContain("Asked Jan 10, 2027, 10:00 AM Eastern Standard Time");
    expect(item.textContent).not.toContain("Jan 11");
  });

  it("says when it was asked and last changed on the clinic's clock on the request's page", async () => {
    process.env.TZ = "Asia/Tokyo";
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointments": visitsPage,
      [`GET /v1/patients/p-1/appointment-requests/${RID}`]: {
        status: 200,
        body: appointmentRequest({ status: "proposed", proposal: slot(), updated_at: "2027-01-11T21:30:00Z" }),
      },
    });
    renderAt(`/appointments/requests/${RID}`);
    const asked = await screen.findByText("Jan 10, 2027, 10:00 AM Eastern Standard Time");
    expect(asked.closest("div")?.textContent).toContain("Asked");
    expect(await screen.findByText("Jan 11, 2027, 4:30 PM Eastern Standard Time")).toBeTruthy(); // the last change
    expect(screen.getByText("Wednesday, January 20, 2027 at 2:00 PM Eastern Standard Time")).toBeTruthy(); // the time offered
  });
});

describe("a visit's check-in, once done", () => {
  const checkedIn = {
    opens_at: "2027-01-12T09:30:00-05:00",
    closes_at: "2027-01-15T09:30:00-05:00",
    completed_at: "2027-01-14T20:00:00-05:00",
  };

  it("links back to the check-in and its signed forms", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointments/a-1": { status: 200, body: visit("a-1", { check_in: { state: "completed", ...checkedIn } }) },
    });
    renderAt("/appointments/a-1");
    const section = await screen.findByRole("region", { name: "Check in" });
    expect(section.textContent).toContain("You have checked in.");
    expect(within(section).getByRole("link", { name: "See your check-in and signed forms" }).getAttribute("href")).toBe(
      "/appointments/a-1/check-in",
    );
  });

  it("still links to it once check-in has closed, when the patient had checked in, and not when they had not", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointments/a-1": { status: 200, body: visit("a-1", { check_in: { state: "closed", ...checkedIn } }) },
      "GET /v1/patients/p-1/appointments/a-2": {
        status: 200,
        body: visit("a-2", { check_in: { state: "closed", ...checkedIn, completed_at: null } }),
      },
    });
    const { unmount } = renderAt("/appointments/a-1");
    const section = await screen.findByRole("region", { name: "Check in" });
    expect(within(section).getByRole("link", { name: "See your check-in and signed forms" })).toBeTruthy();
    unmount();
    renderAt("/appointments/a-2");
    const other = await screen.findByRole("region", { name: "Check in" });
    expect(other.textContent).toContain("Check-in for this visit is closed.");
    expect(within(other).queryByRole("link", { name: "See your check-in and signed forms" })).toBeNull();
  });
});
