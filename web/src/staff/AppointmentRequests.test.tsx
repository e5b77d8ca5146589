import { configure, fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { appointmentRequest, RID, slot, staffAppointmentRequest, visit } from "../appointments/fixtures";
import type { StaffAppointmentRequest } from "../appointments/types";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { type Call, fakeApi, renderAt } from "../test/render";
import { staffMe } from "./fixtures";

// The staff pages are a chunk of their own, imported on first use.
configure({ asyncUtilTimeout: 5000 });

const OLDER = "fedcba9876543210fedcba9876543210";
const page = (appointment_requests: StaffAppointmentRequest[]) => ({ status: 200, body: { appointment_requests, next_cursor: null } });

describe("the appointment requests queue", () => {
  it("lists what is to do with the patient, status, days and when asked, and switches queue", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/appointment-requests": (call) =>
        new URLSearchParams(call.search).get("queue") === "waiting"
          ? page([staffAppointmentRequest({ status: "proposed", proposal: slot() })])
          : new URLSearchParams(call.search).get("queue") === "done"
            ? page([])
            : page([
                staffAppointmentRequest({ request_id: OLDER, requested_at: "2027-01-09T09:00:00Z" }),
                staffAppointmentRequest({
                  kind: "reschedule",
                  care_team: null,
                  mode: "video",
                  status: "accepted",
                  patient: { patient_id: "p-2", name: "Ana Núñez", birth_date: "1975-02-03" },
                }),
              ]),
    });
    renderAt("/staff/appointment-requests");
    expect(await screen.findByRole("heading", { level: 1, name: "Appointment requests" })).toBeTruthy();
    expect(document.title).toBe("Appointment requests | Patient portal");
    const table = await screen.findByRole("table", { name: "2 requests: To do" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(within(rows[0]!).getByRole("link", { name: "New visit for Dana M Rivera" }).getAttribute("href")).toBe(
      `/staff/appointment-requests/${OLDER}`,
    );
    expect(rows[0]!.textContent).toContain("Born Apr 12, 1980");
    expect(rows[0]!.textContent).toContain("New: waiting for you");
    expect(rows[0]!.textContent).toContain("Wednesday, January 20, 2027, Afternoon (noon to 5 PM)");
    expect(rows[0]!.textContent).toContain("In person · Primary care");
    expect(within(rows[1]!).getByRole("link", { name: "Move a visit for Ana Núñez" })).toBeTruthy();
    expect(rows[1]!.textContent).toContain("The patient accepted: book it");
    expect(screen.getByRole("button", { name: "To do" }).getAttribute("aria-pressed")).toBe("true");
    await expectAccessible();

    await userEvent.click(screen.getByRole("button", { name: "Waiting" }));
    expect(await screen.findByRole("table", { name: "1 request: Waiting" })).toBeTruthy();
    expect(screen.getByText("Time offered: waiting for the patient")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(await screen.findByText("No finished requests to show.")).toBeTruthy();
    const queues = calls.filter((c) => c.path === "/v1/staff/appointment-requests").map((c) => new URLSearchParams(c.search).get("queue"));
    expect(queues).toEqual(["to_do", "waiting", "done"]);
    // the patient's name is never in the address
    expect(window.location.pathname + window.location.search).toBe("/staff/appointment-requests");
  });
});

function detailApi(request: StaffAppointmentRequest, extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    "GET /v1/me": { status: 200, body: staffMe() },
    [`GET /v1/staff/appointment-requests/${RID}`]: { status: 200, body: request },
    "GET /v1/staff/appointment-requests": page([]),
    ...extra,
  });
}

async function fillSlot(date: string, time: string, minutes = "30") {
  const user = userEvent.setup();
  fireEvent.change(screen.getByLabelText("Date"), { target: { value: date } });
  fireEvent.change(screen.getByLabelText("Time"), { target: { value: time } });
  const length = screen.getByLabelText("Length in minutes");
  await user.clear(length);
  await user.type(length, minutes);
  return user;
}

describe("an appointment request's page", () => {
  it("shows the patient and what they asked, and books a time on the clinic's clock", async () => {
    setToken("tok-1");
    const booked: Call[] = [];
    detailApi(staffAppointmentRequest(), {
      [`POST /v1/staff/appointment-requests/${RID}/book`]: (call) => {
        booked.push(call);
        return { status: 200, body: staffAppointmentRequest({ status: "booked", booking: slot(), decided_by: "Sam Staff" }) };
      },
    });
    renderAt(`/staff/appointment-requests/${RID}`);
    expect(await screen.findByRole("heading", { level: 1, name: "Appointment request" })).toBeTruthy();
    expect(document.title).toBe("Appointment request | Patient portal");
    await screen.findByLabelText("Date");
    const main = screen.getByRole("main");
    expect(main.textContent).toContain("Dana M Rivera");
    expect(main.textContent).toContain("Knee pain for two weeks");
    expect(main.textContent).toContain("Primary care");
    expect(screen.getByRole("link", { name: "Open the patient's page" }).getAttribute("href")).toBe("/staff/patients/p-1");
    await expectAccessible();

    const user = await fillSlot("2027-01-20", "14:00", "45");
    await user.type(screen.getByLabelText("Clinician (optional)"), "Marcus Welby MD");
    await user.type(screen.getByLabelText("Place (optional)"), "Main Clinic");
    await user.type(screen.getByLabelText("Note to the patient (optional)"), "Bring your brace.");
    await user.click(screen.getByRole("button", { name: "Book this time" }));

    expect((await screen.findByRole("status")).textContent).toContain("Booked. The patient is told");
    expect(booked).toHaveLength(1);
    expect(booked[0]!.body).toEqual({
      starts_at: "2027-01-20T14:00",
      minutes: 45,
      clinician: "Marcus Welby MD",
      place: "Main Clinic",
      mode: "in_person",
      note: "Bring your brace.",
    });
    expect(booked[0]!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(screen.getByText("Booked: waiting for the schedule")).toBeTruthy();
    expect(main.textContent).toContain("Sam Staff");
    expect(screen.queryByRole("button", { name: "Book this time" })).toBeNull();
  });

  it("proposes another time for the patient to answer", async () => {
    setToken("tok-1");
    const proposed: Call[] = [];
    detailApi(staffAppointmentRequest({ mode: "video" }), {
      [`POST /v1/staff/appointment-requests/${RID}/propose`]: (call) => {
        proposed.push(call);
        return { status: 200, body: staffAppointmentRequest({ status: "proposed", proposal: slot({ mode: "video" }) }) };
      },
    });
    renderAt(`/staff/appointment-requests/${RID}`);
    await screen.findByLabelText("Date");
    const user = await fillSlot("2027-01-21", "09:30");
    await user.click(screen.getByRole("button", { name: "Propose this time" }));
    expect((await screen.findByRole("status")).textContent).toBe("The time is offered. The patient is told and answers in the portal.");
    expect(proposed[0]!.body).toMatchObject({ starts_at: "2027-01-21T09:30", minutes: 30, mode: "video" });
    expect(screen.getByText("Time offered: waiting for the patient")).toBeTruthy();
  });

  it("shows the API's refusal of a time next to the date, and checks the length first", async () => {
    setToken("tok-1");
    const calls = detailApi(staffAppointmentRequest(), {
      [`POST /v1/staff/appointment-requests/${RID}/book`]: {
        status: 400,
        body: apiError("validation_failed", "The booking is not valid.", [{ field: "starts_at", issue: "a time in the past" }]),
      },
    });
    renderAt(`/staff/appointment-requests/${RID}`);
    await screen.findByLabelText("Date");
    let user = await fillSlot("2020-01-20", "14:00", "2");
    await user.click(screen.getByRole("button", { name: "Book this time" }));
    expect(await screen.findByText("Give a length of 5 to 480 minutes.")).toBeTruthy();
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    user = await fillSlot("2020-01-20", "14:00", "30");
    await user.click(screen.getByRole("button", { name: "Book this time" }));
    expect(await screen.findByText("A time in the past.")).toBeTruthy();
    expect(screen.getByLabelText("Date").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText("Length in minutes").getAttribute("aria-invalid")).toBeNull();
  });

  it("declines with a reason the patient reads, which it asks for first", async () => {
    setToken("tok-1");
    const declined: Call[] = [];
    detailApi(staffAppointmentRequest(), {
      [`POST /v1/staff/appointment-requests/${RID}/decline`]: (call) => {
        declined.push(call);
        return {
          status: 200,
          body: staffAppointmentRequest({ status: "declined", decline_reason: "Please see urgent care today." }),
        };
      },
    });
    renderAt(`/staff/appointment-requests/${RID}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Decline the request" }));
    expect(await screen.findByText("Give the reason: the patient reads it.")).toBeTruthy();
    expect(declined).toHaveLength(0);
    await user.type(screen.getByLabelText("Reason for declining"), "Please see urgent care today.");
    await user.click(screen.getByRole("button", { name: "Decline the request" }));
    expect((await screen.findByRole("status")).textContent).toBe("The request is declined. The patient is told, with your reason.");
    expect(declined[0]!.body).toEqual({ reason: "Please see urgent care today." });
    expect(screen.getByRole("main").textContent).toContain("Please see urgent care today.");
  });

  it("says so when someone else dealt with it meanwhile, and shows it as it is now", async () => {
    setToken("tok-1");
    let withdrawn = false;
    detailApi(staffAppointmentRequest(), {
      [`GET /v1/staff/appointment-requests/${RID}`]: () => ({
        status: 200,
        body: staffAppointmentRequest({ status: withdrawn ? "withdrawn" : "requested" }),
      }),
      [`POST /v1/staff/appointment-requests/${RID}/decline`]: () => {
        withdrawn = true;
        return { status: 409, body: apiError("conflict", "This request is closed.") };
      },
    });
    renderAt(`/staff/appointment-requests/${RID}`);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Reason for declining"), "No slots");
    await user.click(screen.getByRole("button", { name: "Decline the request" }));
    expect(
      await screen.findByText("Someone has already dealt with this request, or the patient withdrew it; it is shown as it is now."),
    ).toBeTruthy();
    expect(screen.getByText("Withdrawn by the patient")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Book this time" })).toBeNull();
  });

  it("starts an accepted request's booking from the time the patient accepted, and shows the visit a move is for", async () => {
    setToken("tok-1");
    detailApi(
      staffAppointmentRequest({
        ...appointmentRequest({ kind: "reschedule", appointment_id: "a-1", care_team: null }),
        status: "accepted",
        proposal: slot({ minutes: 40, clinician: "Dr. Chen" }),
        patient: { patient_id: "p-1", name: "Dana M Rivera", birth_date: "1980-04-12" },
        decided_by: null,
        appointment: visit("a-1"),
      }),
    );
    renderAt(`/staff/appointment-requests/${RID}`);
    const moved = await screen.findByRole("region", { name: "The visit to move" });
    expect(moved.textContent).toContain("Friday, January 15, 2027 at 9:30 AM Eastern Standard Time");
    expect((screen.getByLabelText("Date") as HTMLInputElement).value).toBe("2027-01-20");
    expect((screen.getByLabelText("Time") as HTMLInputElement).value).toBe("14:00");
    expect((screen.getByLabelText("Length in minutes") as HTMLInputElement).value).toBe("40");
    expect((screen.getByLabelText("Clinician (optional)") as HTMLInputElement).value).toBe("Dr. Chen");
  });
});
