import { configure, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { RID, staffAppointmentRequest, visit } from "../appointments/fixtures";
import { APPOINTMENT, checkIn } from "../checkin/fixtures";
import { setToken } from "../session";
import { fakeApi, renderAt } from "../test/render";
import { staffMe } from "./fixtures";

configure({ asyncUtilTimeout: 5000 });

// Node's environment (the web build has no Node types): TZ is the reader's zone, here not the clinic's.
declare const process: { env: Record<string, string | undefined> };
const readerZone = process.env.TZ;
afterEach(() => {
  if (readerZone === undefined) delete process.env.TZ;
  else process.env.TZ = readerZone;
});

describe("staff pages' times, for a reader in another zone than the clinic's", () => {
  it("names the clock each request's time is on in the queue", async () => {
    process.env.TZ = "Asia/Tokyo";
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/appointment-requests": {
        status: 200,
        body: {
          appointment_requests: [
            // a reschedule carries its visit, and with it the clinic's zone
            staffAppointmentRequest({ kind: "reschedule", appointment_id: "a-1", appointment: visit("a-1") }),
            // a new request names no zone: the reader's own clock, named
            staffAppointmentRequest({ request_id: "r-2", patient: { patient_id: "p-2", name: "Ana Núñez", birth_date: "" } }),
          ],
          next_cursor: null,
        },
      },
    });
    renderAt("/staff/appointment-requests");
    const table = await screen.findByRole("table");
    expect(within(table).getByRole("row", { name: /Dana M Rivera/ }).textContent).toContain("Jan 10, 2027, 10:00 AM Eastern Standard Time");
    expect(within(table).getByRole("row", { name: /Ana Núñez/ }).textContent).toContain("Jan 11, 2027, 12:00 AM Japan Standard Time");
  });

  it("says when a request was asked and last changed on the clinic's clock when its visit gives the zone", async () => {
    process.env.TZ = "Asia/Tokyo";
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/appointment-requests/${RID}`]: {
        status: 200,
        body: staffAppointmentRequest({
          kind: "reschedule",
          appointment_id: "a-1",
          appointment: visit("a-1"),
          updated_at: "2027-01-11T21:30:00Z",
        }),
      },
    });
    renderAt(`/staff/appointment-requests/${RID}`);
    expect(await screen.findByText("Jan 10, 2027, 10:00 AM Eastern Standard Time")).toBeTruthy();
    expect(screen.getByText("Jan 11, 2027, 4:30 PM Eastern Standard Time")).toBeTruthy();
  });

  it("says when the patient checked in on the clinic's clock, its offset named, under a heading that speaks to staff", async () => {
    process.env.TZ = "Europe/London";
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/p-1/appointments/${APPOINTMENT}/check-in`]: {
        status: 200,
        body: checkIn({
          state: "completed",
          completed_at: "2027-01-14T20:00:00-05:00",
          details: { ...checkIn().details, confirmed_at: "2027-01-14T19:50:00-05:00" },
        }),
      },
    });
    renderAt(`/staff/patients/p-1/appointments/${APPOINTMENT}/check-in`);
    expect(await screen.findByText(/Checked in on Thursday, January 14, 2027 at 8:00 PM UTC-05:00/)).toBeTruthy();
    expect(screen.getByText("The patient confirmed these details on Thursday, January 14, 2027 at 7:50 PM UTC-05:00.")).toBeTruthy();
    expect(screen.getByRole("heading", { level: 2, name: "The patient's details" })).toBeTruthy();
    expect(screen.queryByRole("heading", { name: "Your details" })).toBeNull();
  });
});
