import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, me } from "../test/fixtures";
import { type Call, fakeApi, renderAt } from "../test/render";

configure({ asyncUtilTimeout: 5000 });

const ZONE = "America/New_York";

// Appointments in the API's documented shape (docs/api.md, "Appointments").
function appointment(id: string, extra: Partial<Schemas["PatientAppointment"]> = {}): Schemas["PatientAppointment"] {
  return {
    id,
    status: "booked",
    starts_at: "2027-01-15T09:30:00-05:00",
    ends_at: "2027-01-15T10:00:00-05:00",
    minutes: 30,
    time_zone: ZONE,
    type: "Follow-up",
    description: "Annual physical",
    services: [],
    specialties: [],
    instructions: "",
    clinicians: ["Marcus Welby MD"],
    places: ["Main Clinic, 12 Elm St, Albany NY"],
    mode: "in_person",
    cancellation: { can_cancel: true, reason: null, cutoff_at: "2027-01-14T09:30:00-05:00", office_phone: "" },
    cancelled_by_patient: false,
    request_id: null,
    ...extra,
  };
}

const noRequests = { status: 200, body: { appointment_requests: [], next_cursor: null } };

const page = (appointments: Schemas["PatientAppointment"][], next_cursor: string | null = null) => ({
  status: 200,
  body: { appointments, time_zone: ZONE, next_cursor },
});

/** Answers the upcoming and past lists each with its own pages (by `when` and `cursor`). */
function byWhen(upcoming: (cursor: string) => object, past: (cursor: string) => object) {
  return (call: Call) => {
    const query = new URLSearchParams(call.search);
    const cursor = query.get("cursor") ?? "";
    return (query.get("when") === "past" ? past(cursor) : upcoming(cursor)) as never;
  };
}

describe("the appointments page", () => {
  it("shows upcoming and past visits with the time on the clinic's clock, place, clinician, type, status and video", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointment-requests": noRequests,
      "GET /v1/patients/p-1/appointments": byWhen(
        () =>
          page([
            appointment("a-1"),
            appointment("a-2", {
              description: "",
              type: "Telehealth check-in",
              starts_at: "2027-02-01T19:00:00Z",
              ends_at: "",
              minutes: null,
              places: [],
              mode: "video",
              status: "cancelled",
            }),
          ]),
        () => page([appointment("a-3", { description: "Flu shot", starts_at: "2026-10-02T08:00:00-04:00", status: "fulfilled" })]),
      ),
    });
    renderAt("/appointments");

    expect(await screen.findByRole("heading", { level: 1, name: "Appointments" })).toBeTruthy();
    expect(document.title).toBe("Appointments | Patient portal");
    const upcoming = screen.getByRole("region", { name: "Upcoming appointments" });
    const physical = await within(upcoming).findByRole("listitem", { name: /Annual physical/ });
    // the clinic's wall clock, whatever the reader's zone, with the zone named
    expect(physical.textContent).toContain("Friday, January 15, 2027 at 9:30 AM Eastern Standard Time until 10:00 AM");
    expect(physical.textContent).toContain("(30 minutes)");
    expect(physical.textContent).toContain("Main Clinic, 12 Elm St, Albany NY");
    expect(physical.textContent).toContain("Marcus Welby MD");
    expect(physical.textContent).toContain("Follow-up");
    expect(physical.textContent).toContain("Status: Booked");
    expect(physical.textContent).toContain("In person");

    const video = within(upcoming).getByRole("listitem", { name: /Telehealth check-in/ });
    // 19:00 UTC is 2:00 PM in New York
    expect(video.textContent).toContain("Monday, February 1, 2027 at 2:00 PM Eastern Standard Time");
    expect(video.textContent).toContain("Status: Cancelled");
    expect(video.textContent).toContain("Video visit");
    expect(video.textContent).toContain("Not stated"); // no place sent
    expect(within(upcoming).getByText("Times are in the clinic's time zone: America/New_York.")).toBeTruthy();

    const past = screen.getByRole("region", { name: "Past appointments" });
    const flu = await within(past).findByRole("listitem", { name: /Flu shot/ });
    expect(flu.textContent).toContain("Friday, October 2, 2026 at 8:00 AM Eastern Daylight Time");
    expect(flu.textContent).toContain("Status: Completed");
    expect(screen.getByRole("navigation", { name: "Portal pages" }).textContent).toContain("Appointments");
    await expectAccessible();
  });

  it("says so in words while loading and when there are none", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointment-requests": noRequests,
      "GET /v1/patients/p-1/appointments": page([]),
    });
    renderAt("/appointments");
    expect(await screen.findAllByText("Loading your appointments…")).toBeTruthy();
    expect(await screen.findByText("You have no upcoming appointments.")).toBeTruthy();
    expect(await screen.findByText("You have no past appointments.")).toBeTruthy();
  });

  it("shows a status it has no words for as the clinic sent it", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointment-requests": noRequests,
      "GET /v1/patients/p-1/appointments": byWhen(
        () => page([appointment("a-1", { status: "tentative" })]),
        () => page([]),
      ),
    });
    renderAt("/appointments");
    const item = await screen.findByRole("listitem", { name: /Annual physical/ });
    expect(item.textContent).toContain("Status from the clinic: tentative");
  });

  it("tells the patient in words when the list cannot be loaded", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointment-requests": noRequests,
      "GET /v1/patients/p-1/appointments": { status: 503, body: apiError("unavailable", "The service is busy. Try again in a minute.") },
    });
    renderAt("/appointments");
    for (const name of ["Upcoming appointments", "Past appointments"]) {
      const region = await screen.findByRole("region", { name });
      expect(await within(region).findByText("The service is busy. Try again in a minute.")).toBeTruthy();
    }
  });

  it("pages through the upcoming visits by cursor, asking with the session's token", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointment-requests": noRequests,
      "GET /v1/patients/p-1/appointments": byWhen(
        (cursor) =>
          cursor === "c-2"
            ? page([appointment("a-11", { description: "Eye exam" })])
            : page([appointment("a-1")], "c-2"),
        () => page([]),
      ),
    });
    renderAt("/appointments");
    await screen.findByRole("listitem", { name: /Annual physical/ });

    await userEvent.click(screen.getByRole("button", { name: "Next page" }));

    expect(await screen.findByRole("listitem", { name: /Eye exam/ })).toBeTruthy();
    expect(screen.queryByRole("listitem", { name: /Annual physical/ })).toBeNull();
    const asked = calls.filter((c) => c.path === "/v1/patients/p-1/appointments");
    expect(asked.map((c) => new URLSearchParams(c.search).get("cursor"))).toContain("c-2");
    expect(asked.every((c) => c.headers.get("Authorization") === "Bearer tok-1")).toBe(true);
    // nothing about the patient or the list goes into the address
    expect(window.location.pathname + window.location.search).toBe("/appointments");
  });
});
