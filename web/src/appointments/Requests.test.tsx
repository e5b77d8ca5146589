import { configure, fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, me } from "../test/fixtures";
import { type Call, fakeApi, renderAt } from "../test/render";
import { appointmentRequest, careTeams, RID, slot, visit, ZONE } from "./fixtures";

configure({ asyncUtilTimeout: 5000 });

/** A day this many days from today, as a date field holds it (the form accepts today to 90 days on). */
function inDays(days: number): string {
  const date = new Date();
  date.setDate(date.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const requestsPage = (appointment_requests: object[], next_cursor: string | null = null) => ({
  status: 200,
  body: { appointment_requests, next_cursor },
});

const visitsPage = { status: 200, body: { appointments: [visit("a-1")], time_zone: ZONE, next_cursor: null } };

describe("the appointments page's requests", () => {
  it("links each visit to its page, offers a request, and lists the requests with their status in words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointments": visitsPage,
      "GET /v1/patients/p-1/appointment-requests": requestsPage([
        appointmentRequest({ status: "proposed", proposal: slot() }),
        appointmentRequest({ request_id: "r-2", kind: "reschedule", appointment_id: "a-1", care_team: null, status: "declined" }),
      ]),
    });
    renderAt("/appointments");

    const upcoming = await screen.findByRole("region", { name: "Upcoming appointments" });
    const link = await within(upcoming).findByRole("link", { name: "Annual physical" });
    expect(link.getAttribute("href")).toBe("/appointments/a-1");
    expect(screen.getByRole("link", { name: "Request an appointment" }).getAttribute("href")).toBe("/appointments/request");

    const requests = screen.getByRole("region", { name: "Your requests" });
    const offered = await within(requests).findByRole("listitem", { name: /New appointment with Primary care/ });
    expect(offered.textContent).toContain("Your care team offered a time: please answer");
    // the clinic's wall clock as its offset says, whatever the reader's zone
    expect(offered.textContent).toContain("Time offered: Wednesday, January 20, 2027 at 2:00 PM Eastern Standard Time.");
    expect(within(offered).getByRole("link", { name: "Accept or decline the time offered" }).getAttribute("href")).toBe(
      `/appointments/requests/${RID}`,
    );
    const declined = within(requests).getByRole("listitem", { name: /A different time for a visit/ });
    expect(declined.textContent).toContain("Declined by your care team");
    await expectAccessible();
  });

  it("says so in words when there are no requests", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointments": visitsPage,
      "GET /v1/patients/p-1/appointment-requests": requestsPage([]),
    });
    renderAt("/appointments");
    expect(await screen.findByText("You have no appointment requests.")).toBeTruthy();
  });
});

describe("requesting an appointment", () => {
  it("sends the care team, reason, mode and days once, then opens the request", async () => {
    setToken("tok-1");
    const sent: Call[] = [];
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/care-teams": { status: 200, body: careTeams },
      "POST /v1/patients/p-1/appointment-requests": (call) => {
        sent.push(call);
        return { status: 201, body: appointmentRequest({ mode: "video" }) };
      },
      [`GET /v1/patients/p-1/appointment-requests/${RID}`]: { status: 200, body: appointmentRequest({ mode: "video" }) },
    });
    renderAt("/appointments/request");
    expect(await screen.findByRole("heading", { level: 1, name: "Request an appointment" })).toBeTruthy();
    expect(document.title).toBe("Request an appointment | Patient portal");
    const user = userEvent.setup();

    // nothing is sent until the form is whole: each problem next to its field
    await user.click(await screen.findByRole("button", { name: "Send the request" }));
    expect(await screen.findByText("Choose the care team you would like to see.")).toBeTruthy();
    expect(screen.getByText("Say why you would like a visit.")).toBeTruthy();
    expect(screen.getByText("Choose a date.")).toBeTruthy();
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await user.selectOptions(screen.getByLabelText("Care team"), "team-1");
    await user.type(screen.getByLabelText("Reason for the visit"), "Knee pain for two weeks");
    await user.click(screen.getByLabelText("Video visit"));
    const first = screen.getByRole("group", { name: "Choice 1" });
    fireEvent.change(within(first).getByLabelText("Date"), { target: { value: inDays(10) } });
    await user.selectOptions(within(first).getByLabelText("Time of day"), "afternoon");
    await user.click(screen.getByRole("button", { name: "Add another day" }));
    const second = screen.getByRole("group", { name: "Choice 2" });
    fireEvent.change(within(second).getByLabelText("Date"), { target: { value: inDays(11) } });
    await expectAccessible();

    await user.dblClick(screen.getByRole("button", { name: "Send the request" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Appointment request" })).toBeTruthy();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({
      care_team_id: "team-1",
      reason: "Knee pain for two weeks",
      mode: "video",
      preferred: [
        { date: inDays(10), time_of_day: "afternoon" },
        { date: inDays(11), time_of_day: "any" },
      ],
    });
    expect(sent[0]!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(screen.getByRole("status").textContent).toContain("Your request is sent.");
    expect(window.location.pathname).toBe(`/appointments/requests/${RID}`);
  });

  it("shows the API's refusal next to the day it names", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/care-teams": { status: 200, body: careTeams },
      "POST /v1/patients/p-1/appointment-requests": {
        status: 400,
        body: apiError("validation_failed", "The request is not valid.", [
          { field: "preferred.0.date", issue: "a day from today to 90 days ahead" },
        ]),
      },
    });
    renderAt("/appointments/request");
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText("Care team"), "team-2");
    await user.type(screen.getByLabelText("Reason for the visit"), "Check-up");
    fireEvent.change(within(screen.getByRole("group", { name: "Choice 1" })).getByLabelText("Date"), {
      target: { value: inDays(1) },
    });
    await user.click(screen.getByRole("button", { name: "Send the request" }));
    const date = within(screen.getByRole("group", { name: "Choice 1" })).getByLabelText("Date");
    expect(await screen.findByText("A day from today to 90 days ahead.")).toBeTruthy();
    expect(date.getAttribute("aria-invalid")).toBe("true");
    expect(date.getAttribute("aria-describedby")).toContain("field-preferred_0_date-error");
  });

  it("says a team that is closed to requests in the API's words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/care-teams": { status: 200, body: careTeams },
      "POST /v1/patients/p-1/appointment-requests": {
        status: 404,
        body: apiError("not_found", "No such care team", [{ field: "care_team_id", issue: null }]),
      },
    });
    renderAt("/appointments/request");
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText("Care team"), "team-2");
    await user.type(screen.getByLabelText("Reason for the visit"), "Check-up");
    fireEvent.change(screen.getByLabelText("Date"), { target: { value: inDays(2) } });
    await user.click(screen.getByRole("button", { name: "Send the request" }));
    expect(await screen.findByText("No such care team")).toBeTruthy();
    expect(screen.getByLabelText("Care team").getAttribute("aria-invalid")).toBe("true");
  });
});

describe("a request's page", () => {
  it("accepts the time offered", async () => {
    setToken("tok-1");
    const answers: Call[] = [];
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      [`GET /v1/patients/p-1/appointment-requests/${RID}`]: {
        status: 200,
        body: appointmentRequest({ status: "proposed", proposal: slot(), staff_note: "Bring your brace." }),
      },
      [`POST /v1/patients/p-1/appointment-requests/${RID}/answer`]: (call) => {
        answers.push(call);
        return { status: 200, body: appointmentRequest({ status: "accepted", proposal: slot() }) };
      },
      "GET /v1/patients/p-1/appointment-requests": requestsPage([]),
      "GET /v1/patients/p-1/appointments": visitsPage,
    });
    renderAt(`/appointments/requests/${RID}`);
    const offer = await screen.findByRole("region", { name: "The time your care team offers" });
    expect(offer.textContent).toContain("Wednesday, January 20, 2027 at 2:00 PM");
    expect(offer.textContent).toContain("With Marcus Welby MD");
    expect(offer.textContent).toContain("Bring your brace.");
    expect(screen.getByText("Wednesday, January 20, 2027, Afternoon (noon to 5 PM)")).toBeTruthy();
    expect(document.title).toBe("Appointment request | Patient portal"); // no reason in the title
    await expectAccessible();

    await userEvent.click(within(offer).getByRole("button", { name: "Accept this time" }));
    expect((await screen.findByRole("status")).textContent).toBe("You accepted the time. Your care team will book it.");
    expect(answers.map((c) => c.body)).toEqual([{ accept: true }]);
    expect(screen.queryByRole("button", { name: "Accept this time" })).toBeNull();
    expect(screen.getByText("You accepted the time offered; your care team is booking it")).toBeTruthy();
  });

  it("withdraws after a confirm step, and shows the refusal when it is too late", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      [`GET /v1/patients/p-1/appointment-requests/${RID}`]: { status: 200, body: appointmentRequest() },
      [`POST /v1/patients/p-1/appointment-requests/${RID}/withdraw`]: {
        status: 409,
        body: apiError("conflict", "This request is already booked and can't be withdrawn."),
      },
    });
    renderAt(`/appointments/requests/${RID}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Withdraw this request" }));
    expect(screen.getByText("Withdraw this request? Your care team will not book it.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Yes, withdraw it" }));
    expect(await screen.findByText("This request is already booked and can't be withdrawn.")).toBeTruthy();
  });

  it("withdraws after a confirm step, and the list says so at once", async () => {
    setToken("tok-1");
    let withdrawn = false;
    const current = () => appointmentRequest({ status: withdrawn ? "withdrawn" : "requested" });
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/appointments": visitsPage,
      "GET /v1/patients/p-1/appointment-requests": () => requestsPage([current()]),
      [`GET /v1/patients/p-1/appointment-requests/${RID}`]: () => ({ status: 200, body: current() }),
      [`POST /v1/patients/p-1/appointment-requests/${RID}/withdraw`]: () => {
        withdrawn = true;
        return { status: 200, body: current() };
      },
    });
    renderAt("/appointments");
    const user = userEvent.setup();
    const requests = await screen.findByRole("region", { name: "Your requests" });
    expect(await within(requests).findByText("Waiting for your care team")).toBeTruthy();
    await user.click(within(requests).getByRole("link", { name: "New appointment with Primary care" }));
    await user.click(await screen.findByRole("button", { name: "Withdraw this request" }));
    await user.click(screen.getByRole("button", { name: "Yes, withdraw it" }));
    expect((await screen.findByRole("status")).textContent).toBe("Your request is withdrawn.");
    expect(screen.queryByRole("button", { name: "Withdraw this request" })).toBeNull();
    await user.click(screen.getByRole("link", { name: "Back to appointments" }));
    const list = await screen.findByRole("region", { name: "Your requests" });
    expect(await within(list).findByText("You withdrew this request")).toBeTruthy();
  });

  it("links a scheduled request to its visit", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      [`GET /v1/patients/p-1/appointment-requests/${RID}`]: {
        status: 200,
        body: appointmentRequest({ status: "scheduled", booking: slot(), scheduled_appointment_id: "a-9" }),
      },
    });
    renderAt(`/appointments/requests/${RID}`);
    expect((await screen.findByRole("link", { name: "See the appointment" })).getAttribute("href")).toBe("/appointments/a-9");
    expect(screen.queryByRole("button", { name: "Withdraw this request" })).toBeNull();
  });
});
