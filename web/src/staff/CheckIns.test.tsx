import { fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { APPOINTMENT, checkIn, formToSign, signedForm, staffVisit } from "../checkin/fixtures";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { staffMe } from "./fixtures";

const day = (date: string, visits = [staffVisit(APPOINTMENT)]) => ({
  status: 200,
  body: { date, time_zone: "America/New_York", visits },
});

describe("the staff's check-ins", () => {
  it("lists today's visits with each check-in's state, forms signed and changes asked for", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/check-ins": (call) => {
        const date = new URLSearchParams(call.search).get("date");
        return date === "2027-01-16"
          ? day(date, [])
          : day("2027-01-15", [
              staffVisit(APPOINTMENT),
              staffVisit("b".repeat(32), {
                patient: { patient_id: "p-2", name: "Grace Hopper", birth_date: "1985-12-09" },
                starts_at: "2027-01-15T11:00:00-05:00",
                check_in: {
                  state: "open",
                  completed_at: null,
                  forms_signed: 1,
                  forms_required: 2,
                  answered: false,
                  change_requested: false,
                },
              }),
            ]);
      },
    });
    renderAt("/staff/check-ins");
    expect(await screen.findByRole("heading", { level: 1, name: "Check-ins" })).toBeTruthy();
    expect(document.title).toBe("Check-ins | Patient portal");
    const table = await screen.findByRole("table", { name: "2 visits on Jan 15, 2027" });
    const ada = within(table).getByRole("row", { name: /Ada Lovelace/ }).textContent;
    expect(ada).toContain("9:30 AM");
    expect(ada).toContain("Born Apr 1, 1990");
    expect(ada).toContain("Checked in");
    expect(ada).toContain("2 of 2");
    expect(ada).toContain("Yes: details changed");
    const grace = within(table).getByRole("row", { name: /Grace Hopper/ }).textContent;
    expect(grace).toContain("Open: not finished");
    expect(grace).toContain("1 of 2");
    expect((screen.getByLabelText("Day") as HTMLInputElement).value).toBe("2027-01-15"); // the clinic's today, from the API
    expect(within(screen.getByRole("navigation", { name: "Portal pages" })).getByRole("link", { name: "Check-ins" })).toBeTruthy();
    await expectAccessible();

    // Another day, picked in the page: asked for by date, said in words when empty.
    fireEvent.change(screen.getByLabelText("Day"), { target: { value: "2027-01-16" } });
    expect(await screen.findByText("No visits on this day.")).toBeTruthy();
    expect(calls.some((c) => c.path === "/v1/staff/check-ins" && c.search === "?date=2027-01-16")).toBe(true);
    expect(window.location.search).toBe(""); // nothing about the day's patients in the address
  });

  it("says so in words while loading and when the API refuses", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/check-ins": { status: 503, body: apiError("unavailable", "The service is busy. Try again in a minute.") },
    });
    renderAt("/staff/check-ins");
    expect(await screen.findByText("Loading the day's visits…")).toBeTruthy();
    expect(await screen.findByText("The service is busy. Try again in a minute.")).toBeTruthy();
  });

  it("opens one check-in read-only: details, answers beside their questions, signed forms with their PDF", async () => {
    setToken("tok-1");
    const consent = formToSign("f-consent", "Consent to treat", { signed: signedForm("f-consent", "Consent to treat") });
    const opened = { location: { href: "" }, opener: {}, close: vi.fn() };
    vi.spyOn(window, "open").mockImplementation(() => opened as never);
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/check-ins": day("2027-01-15"),
      [`GET /v1/staff/patients/p-1/appointments/${APPOINTMENT}/check-in`]: {
        status: 200,
        body: checkIn({
          state: "completed",
          completed_at: "2027-01-14T20:00:00-05:00",
          details: {
            ...checkIn().details,
            change_requested: true,
            requested_change: {
              address: null,
              phone: "518-555-0199",
              email: null,
              insurance: null,
              note: "New phone since December.",
              requested_at: "2027-01-13T08:00:00-05:00",
            },
          },
          answers: [
            { link_id: "reason", value: "Knee pain" },
            { link_id: "allergies", value: false },
            { link_id: "arrive", value: "bus" },
          ],
          forms: [consent, formToSign("f-privacy", "Notice of privacy practices")],
          steps: { details: true, questionnaire: true, forms: false },
        }),
      },
      "GET /v1/staff/patients/p-1/signed-forms/doc-f-consent": {
        status: 200,
        body: { ...signedForm("f-consent", "Consent to treat"), download_url: "https://files.example/doc.pdf" },
      },
    });
    renderAt("/staff/check-ins");
    await userEvent.click(await screen.findByRole("link", { name: /Ada Lovelace/ }));
    expect(await screen.findByRole("heading", { level: 1, name: "Check-in" })).toBeTruthy();
    expect(await screen.findByText(/Checked in on Thursday, January 14, 2027 at 8:00 PM/)).toBeTruthy();
    expect(screen.getByText(/The patient asked for changes to these details/)).toBeTruthy();
    const asked = screen.getByRole("heading", { name: "Changes the patient asked for" }).parentElement!.textContent;
    expect(asked).toContain("518-555-0199");
    expect(asked).toContain("New phone since December.");
    expect(asked).not.toContain("Address"); // what the patient left alone is not listed
    expect(screen.getByText("Knee pain")).toBeTruthy();
    expect(screen.getByText("By bus")).toBeTruthy();
    expect(screen.getByText("Forms signed: 1 of 2.")).toBeTruthy();
    // read-only: nothing to sign or send
    expect(screen.queryByRole("button", { name: /^Sign (?!out)/ })).toBeNull();
    expect(screen.queryByRole("checkbox")).toBeNull();
    await expectAccessible();
    await userEvent.click(screen.getByRole("button", { name: "Open the signed Consent to treat (PDF)" }));
    await vi.waitFor(() => expect(opened.location.href).toBe("https://files.example/doc.pdf"));
  });
});
