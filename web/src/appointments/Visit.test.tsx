import { act, configure, fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, me } from "../test/fixtures";
import { type Call, fakeApi, renderAt } from "../test/render";
import { appointmentRequest, visit, videoWindow } from "./fixtures";
import type { Appointment } from "./types";

configure({ asyncUtilTimeout: 5000 });

const MINUTE = 60 * 1000;

afterEach(() => vi.restoreAllMocks());

function visitApi(appointment: Appointment, extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    "GET /v1/me": { status: 200, body: me() },
    [`GET /v1/patients/p-1/appointments/${appointment.id}`]: { status: 200, body: appointment },
    ...extra,
  });
}

describe("a visit's page", () => {
  it("shows when, where, with whom, type, mode and status, with no visit in the title", async () => {
    setToken("tok-1");
    visitApi(visit("a-1", { request_id: "r-1" }));
    renderAt("/appointments/a-1");
    const heading = await screen.findByRole("heading", { level: 1, name: /Annual physical/ });
    expect(heading.textContent).toContain("Friday, January 15, 2027 at 9:30 AM Eastern Standard Time");
    expect(document.title).toBe("Appointment | Patient portal");
    const page = screen.getByRole("main");
    expect(page.textContent).toContain("Main Clinic, 12 Elm St, Albany NY");
    expect(page.textContent).toContain("Marcus Welby MD");
    expect(page.textContent).toContain("Follow-up");
    expect(page.textContent).toContain("In person");
    expect(page.textContent).toContain("Status: Booked");
    expect(screen.getByRole("link", { name: "See the request this visit was booked from" }).getAttribute("href")).toBe(
      "/appointments/requests/r-1",
    );
    expect(screen.getByRole("link", { name: "Request a different time" }).getAttribute("href")).toBe("/appointments/a-1/reschedule");
    // an in-person visit offers nothing to join
    expect(screen.queryByRole("region", { name: "Video visit" })).toBeNull();
    await expectAccessible();
  });

  it("cancels after a confirm step with an optional reason, once", async () => {
    setToken("tok-1");
    const cancels: Call[] = [];
    const cancelled = visit("a-1", {
      status: "cancelled",
      cancelled_by_patient: true,
      cancellation: { can_cancel: false, reason: "cancelled", cutoff_at: null, office_phone: "518-555-0100" },
    });
    visitApi(visit("a-1"), {
      "GET /v1/patients/p-1/appointments/a-1": () => ({ status: 200, body: cancels.length ? cancelled : visit("a-1") }),
      "POST /v1/patients/p-1/appointments/a-1/cancel": (call) => {
        cancels.push(call);
        return { status: 200, body: cancelled };
      },
    });
    renderAt("/appointments/a-1");
    const user = userEvent.setup();
    const cancel = await screen.findByRole("region", { name: "Cancel this visit" });
    expect(cancel.textContent).toContain("You can cancel online until Thursday, January 14, 2027 at 9:30 AM Eastern Standard Time.");
    await user.click(within(cancel).getByRole("button", { name: "Cancel this visit" }));
    const confirm = screen.getByRole("group", { name: "Cancel this visit? This can't be undone online." });
    await user.type(within(confirm).getByLabelText("Reason (optional)"), "Feeling better");
    await expectAccessible();
    await user.dblClick(within(confirm).getByRole("button", { name: "Yes, cancel the visit" }));

    expect(await screen.findByText("You cancelled this visit online.")).toBeTruthy();
    expect(screen.getByRole("main").textContent).toContain("Status: Cancelled");
    expect(cancels).toHaveLength(1);
    expect(cancels[0]!.body).toEqual({ reason: "Feeling better" });
    expect(cancels[0]!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Cancel this visit" })).toBeNull();
    expect(screen.queryByRole("link", { name: "Request a different time" })).toBeNull();
  });

  it("past the cutoff, gives the office's number instead of the button", async () => {
    setToken("tok-1");
    visitApi(
      visit("a-1", {
        cancellation: { can_cancel: false, reason: "past_cutoff", cutoff_at: "2027-01-14T09:30:00-05:00", office_phone: "518-555-0100" },
      }),
    );
    renderAt("/appointments/a-1");
    expect(await screen.findByText(/It is too late to cancel online\. Please call the office at 518-555-0100\./)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Call 518-555-0100" }).getAttribute("href")).toBe("tel:518-555-0100");
    expect(screen.queryByRole("button", { name: "Cancel this visit" })).toBeNull();
  });

  it("without an office number, just says to call", async () => {
    setToken("tok-1");
    visitApi(
      visit("a-1", { cancellation: { can_cancel: false, reason: "past_cutoff", cutoff_at: null, office_phone: "" } }),
    );
    renderAt("/appointments/a-1");
    expect(await screen.findByText("It is too late to cancel online. Please call the office.")).toBeTruthy();
  });

  it("says the API's refusal when the cutoff passed while the page was open, and shows the number", async () => {
    setToken("tok-1");
    let late = false;
    visitApi(visit("a-1"), {
      "GET /v1/patients/p-1/appointments/a-1": () => ({
        status: 200,
        body: late
          ? visit("a-1", { cancellation: { can_cancel: false, reason: "past_cutoff", cutoff_at: null, office_phone: "518-555-0100" } })
          : visit("a-1"),
      }),
      "POST /v1/patients/p-1/appointments/a-1/cancel": () => {
        late = true;
        return {
          status: 409,
          body: apiError("conflict", "It is too late to cancel online. Please call the office at 518-555-0100.", [
            { field: "appointment", issue: "past_cutoff" },
          ]),
        };
      },
    });
    renderAt("/appointments/a-1");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Cancel this visit" }));
    await user.click(screen.getByRole("button", { name: "Yes, cancel the visit" }));
    expect(await screen.findByRole("link", { name: "Call 518-555-0100" })).toBeTruthy();
    // said once (the API's words and the page's are the same), and the code is for programs
    expect(screen.getAllByText(/It is too late to cancel online\. Please call the office at 518-555-0100\./)).toHaveLength(1);
    expect(screen.queryByText(/past_cutoff/i)).toBeNull();
    expect(screen.queryByRole("button", { name: "Cancel this visit" })).toBeNull();
  });

  it("links to check-in while it is open", async () => {
    setToken("tok-1");
    visitApi(
      visit("a-1", {
        check_in: { state: "open", opens_at: "2027-01-12T09:30:00-05:00", closes_at: "2027-01-15T09:30:00-05:00", completed_at: null },
      }),
    );
    renderAt("/appointments/a-1");
    const link = await screen.findByRole("link", { name: "Check in" });
    expect(link.getAttribute("href")).toBe("/appointments/a-1/check-in");
  });

  it("says when check-in opens, before it does", async () => {
    setToken("tok-1");
    visitApi(
      visit("a-2", {
        check_in: { state: "not_open", opens_at: "2027-01-12T09:30:00-05:00", closes_at: "2027-01-15T09:30:00-05:00", completed_at: null },
      }),
    );
    renderAt("/appointments/a-2");
    expect(await screen.findByText("You can check in from Tuesday, January 12, 2027 at 9:30 AM Eastern Standard Time.")).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Check in" })).toBeNull();
  });
});

describe("joining a video visit", () => {
  const video = (state: "not_yet" | "open" | "ended") => visit("v-1", { mode: "video", places: [], video: videoWindow(state) });

  it("before its window, says from when; there is no button", async () => {
    setToken("tok-1");
    visitApi(video("not_yet"));
    renderAt("/appointments/v-1");
    const region = await screen.findByRole("region", { name: "Video visit" });
    expect(region.textContent).toContain("You can join from Friday, January 15, 2027 at 9:15 AM Eastern Standard Time.");
    expect(within(region).queryByRole("button")).toBeNull();
  });

  it("after it, has nothing to join", async () => {
    setToken("tok-1");
    visitApi(video("ended"));
    renderAt("/appointments/v-1");
    const region = await screen.findByRole("region", { name: "Video visit" });
    expect(region.textContent).toContain("This video visit has ended; there is nothing to join.");
    expect(within(region).queryByRole("button")).toBeNull();
    expect(within(region).queryByRole("link")).toBeNull();
  });

  it("while open, asks for the link when pressed and opens it in a new tab that cannot reach back", async () => {
    setToken("tok-1");
    const asked: Call[] = [];
    visitApi(video("open"), {
      "POST /v1/patients/p-1/appointments/v-1/video-link": (call) => {
        asked.push(call);
        return { status: 200, body: { url: "https://video.example.org/room/abc", closes_at: "2027-01-15T10:00:00-05:00" } };
      },
    });
    const tab = { opener: {} as unknown, location: { href: "" }, close: vi.fn() };
    const open = vi.spyOn(window, "open").mockReturnValue(tab as unknown as Window);
    renderAt("/appointments/v-1");
    const region = await screen.findByRole("region", { name: "Video visit" });
    expect(region.textContent).toContain("You can join now, until Friday, January 15, 2027 at 10:00 AM Eastern Standard Time.");
    // the link is not in the page until asked for
    expect(document.body.innerHTML).not.toContain("video.example.org");
    await expectAccessible();

    await userEvent.click(within(region).getByRole("button", { name: "Join video visit" }));
    await vi.waitFor(() => expect(tab.location.href).toBe("https://video.example.org/room/abc"));
    expect(open).toHaveBeenCalledWith("", "_blank");
    expect(tab.opener).toBeNull();
    expect(asked).toHaveLength(1);
  });

  it("when the window closed meanwhile, says the API's words and shows the visit as it is now", async () => {
    setToken("tok-1");
    let ended = false;
    visitApi(video("open"), {
      "GET /v1/patients/p-1/appointments/v-1": () => ({ status: 200, body: video(ended ? "ended" : "open") }),
      "POST /v1/patients/p-1/appointments/v-1/video-link": () => {
        ended = true;
        return {
          status: 409,
          body: apiError("conflict", "This video visit has ended.", [{ field: "appointment", issue: "ended" }]),
        };
      },
    });
    const tab = { opener: {} as unknown, location: { href: "" }, close: vi.fn() };
    vi.spyOn(window, "open").mockReturnValue(tab as unknown as Window);
    renderAt("/appointments/v-1");
    await userEvent.click(await screen.findByRole("button", { name: "Join video visit" }));
    expect(await screen.findByText("This video visit has ended; there is nothing to join.")).toBeTruthy();
    expect(tab.close).toHaveBeenCalled();
    expect(screen.queryByRole("button", { name: "Join video visit" })).toBeNull();
  });
});

describe("asking for a different time", () => {
  it("sends the reason, mode and days for the visit, and opens the request", async () => {
    setToken("tok-1");
    const sent: Call[] = [];
    visitApi(visit("a-1"), {
      "POST /v1/patients/p-1/appointments/a-1/reschedule": (call) => {
        sent.push(call);
        return { status: 201, body: appointmentRequest({ kind: "reschedule", appointment_id: "a-1", care_team: null }) };
      },
      [`GET /v1/patients/p-1/appointment-requests/0123456789abcdef0123456789abcdef`]: {
        status: 200,
        body: appointmentRequest({ kind: "reschedule", appointment_id: "a-1", care_team: null }),
      },
    });
    renderAt("/appointments/a-1/reschedule");
    expect(await screen.findByRole("heading", { level: 1, name: "Request a different time" })).toBeTruthy();
    expect(await screen.findByText(/You are asking to move Annual physical on Friday, January 15, 2027/)).toBeTruthy();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Reason for the visit"), "Away that week");
    const day = new Date();
    day.setDate(day.getDate() + 3);
    const iso = `${day.getFullYear()}-${String(day.getMonth() + 1).padStart(2, "0")}-${String(day.getDate()).padStart(2, "0")}`;
    fireEvent.change(screen.getByLabelText("Date"), { target: { value: iso } });
    await user.click(screen.getByRole("button", { name: "Send the request" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Appointment request" })).toBeTruthy();
    expect(sent[0]!.body).toEqual({ reason: "Away that week", mode: "in_person", preferred: [{ date: iso, time_of_day: "any" }] });
    expect(screen.getByRole("link", { name: "See the visit this request would move" }).getAttribute("href")).toBe("/appointments/a-1");
  });
});

describe("reading the visit again as its clock moves", () => {
  // The clock moves on, and what it set off (a read's fetch is answered a few promises later) settles.
  const pass = async (ms: number) => {
    await act(() => vi.advanceTimersByTimeAsync(ms));
    await act(() => vi.advanceTimersByTimeAsync(200));
  };
  const reads = (calls: Call[]) => calls.filter((c) => c.method === "GET" && c.path === "/v1/patients/p-1/appointments/v-1").length;
  // A ten-minute video window (kept short: the session ends after 15 idle minutes).
  const video = (state: "not_yet" | "open" | "ended") =>
    visit("v-1", {
      mode: "video",
      places: [],
      video: { opens_at: "2027-01-15T09:15:00-05:00", closes_at: "2027-01-15T09:25:00-05:00", state, has_link: true },
    });

  // The clock is faked (and still runs with real time, so the page's promises and Testing
  // Library's waits work).
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reads it once when its video window opens, shows Join, and once more when it closes", async () => {
    vi.setSystemTime(new Date("2027-01-15T09:10:00-05:00")); // five minutes before the window opens
    setToken("tok-1");
    let state: "not_yet" | "open" | "ended" = "not_yet";
    const calls = visitApi(video("not_yet"), {
      "GET /v1/patients/p-1/appointments/v-1": () => ({ status: 200, body: video(state) }),
    });
    renderAt("/appointments/v-1");
    const region = await screen.findByRole("region", { name: "Video visit" });
    expect(within(region).queryByRole("button")).toBeNull();

    // nothing is read while the window is still shut
    state = "open";
    await pass(4 * MINUTE);
    expect(reads(calls)).toBe(1);

    // just after it opens, one read, and the Join button is there
    await pass(1 * MINUTE + 5000);
    expect(await screen.findByRole("button", { name: "Join video visit" })).toBeTruthy();
    expect(reads(calls)).toBe(2);

    // just after it closes, one more, and the button is gone
    state = "ended";
    await pass(10 * MINUTE);
    expect(await screen.findByText("This video visit has ended; there is nothing to join.")).toBeTruthy();
    expect(reads(calls)).toBe(3);

    // and then nothing more
    await pass(2 * MINUTE);
    expect(reads(calls)).toBe(3);
  });

  it("reads nothing more for a visit months away whose check-in is done", async () => {
    vi.setSystemTime(new Date("2026-10-01T12:00:00-04:00"));
    setToken("tok-1");
    const done = visit("v-1", {
      mode: "video",
      places: [],
      video: videoWindow("not_yet"),
      check_in: {
        state: "completed",
        opens_at: "2027-01-12T09:30:00-05:00",
        closes_at: "2027-01-15T09:30:00-05:00",
        completed_at: "2026-10-01T11:00:00-04:00",
      },
    });
    const calls = visitApi(done);
    renderAt("/appointments/v-1");
    expect(await screen.findByRole("region", { name: "Video visit" })).toBeTruthy();

    await pass(12 * MINUTE);

    expect(reads(calls)).toBe(1);
  });
});
