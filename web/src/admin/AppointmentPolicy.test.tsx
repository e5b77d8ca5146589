import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { type Call, fakeApi, renderAt } from "../test/render";
import { adminMe } from "./fixtures";

configure({ asyncUtilTimeout: 5000 });

const defaults = {
  cancel_cutoff_hours: 24,
  reminder_hours: [72, 24],
  checkin_opens_days: 3,
  office_phone: "",
  video_link_template: "",
};

describe("the appointment policy", () => {
  it("shows the organization's policy and saves a change", async () => {
    setToken("tok-1");
    const saved: Call[] = [];
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/appointment-policy": { status: 200, body: defaults },
      "PUT /v1/admin/appointment-policy": (call) => {
        saved.push(call);
        return { status: 200, body: call.body };
      },
    });
    renderAt("/admin/appointment-policy");
    const cutoff = (await screen.findByLabelText("Online cancellation closes (hours before the visit)")) as HTMLInputElement;
    expect(screen.getByRole("heading", { level: 1, name: "Appointment policy" })).toBeTruthy();
    expect(document.title).toBe("Appointment policy | Patient portal");
    expect(cutoff.value).toBe("24");
    expect((screen.getByLabelText("Reminder emails (hours before the visit)") as HTMLInputElement).value).toBe("72, 24");
    expect((screen.getByLabelText("Check-in opens (days before the visit)") as HTMLInputElement).value).toBe("3");
    await expectAccessible();

    const user = userEvent.setup();
    await user.clear(cutoff);
    await user.type(cutoff, "48");
    await user.type(screen.getByLabelText("Office phone number"), "518-555-0100");
    const reminders = screen.getByLabelText("Reminder emails (hours before the visit)");
    await user.clear(reminders);
    await user.type(reminders, "48,2");
    await user.type(screen.getByLabelText("Video visit link (optional)"), "https://video.example.org/visit/{{appointment_id}"); // ({{ types a brace)
    await user.click(screen.getByRole("button", { name: "Save the appointment policy" }));

    expect((await screen.findByRole("status")).textContent).toBe("The appointment policy is saved. It applies from now on.");
    expect(saved.map((c) => c.body)).toEqual([
      {
        cancel_cutoff_hours: 48,
        reminder_hours: [48, 2],
        checkin_opens_days: 3,
        office_phone: "518-555-0100",
        video_link_template: "https://video.example.org/visit/{appointment_id}",
      },
    ]);
  });

  it("says every field's problem at once, the video link's too, before sending anything", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/appointment-policy": { status: 200, body: defaults },
    });
    renderAt("/admin/appointment-policy");
    const user = userEvent.setup();
    const cutoff = await screen.findByLabelText("Online cancellation closes (hours before the visit)");
    await user.clear(cutoff);
    await user.type(cutoff, "400");
    const reminders = screen.getByLabelText("Reminder emails (hours before the visit)");
    await user.clear(reminders);
    await user.type(reminders, "24, 24");
    const checkin = screen.getByLabelText("Check-in opens (days before the visit)");
    await user.clear(checkin);
    await user.type(checkin, "30");
    await user.type(screen.getByLabelText("Office phone number"), "call Sam");
    await user.type(screen.getByLabelText("Video visit link (optional)"), "http://video.example.org/{{name}");
    await user.click(screen.getByRole("button", { name: "Save the appointment policy" }));

    const beside = (label: string) => (screen.getByLabelText(label).closest(".usa-form-group") as HTMLElement).textContent;
    expect(await screen.findByText("Give a whole number of hours from 0 to 336.")).toBeTruthy();
    expect(beside("Reminder emails (hours before the visit)")).toContain("Give up to three different whole numbers from 1 to 336");
    expect(beside("Check-in opens (days before the visit)")).toContain("Give a whole number of days from 0 to 14.");
    expect(beside("Office phone number")).toContain("Give a phone number of digits");
    expect(beside("Video visit link (optional)")).toContain("Give an https:// address without spaces that has {appointment_id} in it once");
    expect(screen.getByLabelText("Video visit link (optional)").getAttribute("aria-invalid")).toBe("true");
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
  });

  it("puts each field the API refuses next to that field, all at once, and what it names beyond them in the summary", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/appointment-policy": { status: 200, body: defaults },
      // the API's rules may be stricter than the page's: its answer names all five, and one more
      "PUT /v1/admin/appointment-policy": {
        status: 400,
        body: apiError("validation_failed", "The appointment policy is not valid.", [
          { field: "cancel_cutoff_hours", issue: "0 to 336" },
          { field: "reminder_hours", issue: "up to 3 distinct, 1 to 336" },
          { field: "checkin_opens_days", issue: "0 to 14" },
          { field: "office_phone", issue: "a phone number" },
          { field: "video_link_template", issue: "https URL with {appointment_id}" },
          { field: "policy", issue: "This organization's policy is locked by the scheduling system." },
        ]),
      },
    });
    renderAt("/admin/appointment-policy");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Video visit link (optional)"), "https://video.example.org/{{appointment_id}");
    await user.click(screen.getByRole("button", { name: "Save the appointment policy" }));

    const beside = (label: string) => screen.getByLabelText(label).closest(".usa-form-group") as HTMLElement;
    expect(await within(beside("Video visit link (optional)")).findByText(/Give an https:\/\/ address without spaces/)).toBeTruthy();
    expect(within(beside("Online cancellation closes (hours before the visit)")).getByText("Give a whole number of hours from 0 to 336.")).toBeTruthy();
    expect(beside("Reminder emails (hours before the visit)").textContent).toContain("Give up to three different whole numbers");
    expect(beside("Check-in opens (days before the visit)").textContent).toContain("Give a whole number of days from 0 to 14.");
    expect(beside("Office phone number").textContent).toContain("Give a phone number of digits");
    for (const label of [
      "Online cancellation closes (hours before the visit)",
      "Reminder emails (hours before the visit)",
      "Check-in opens (days before the visit)",
      "Office phone number",
      "Video visit link (optional)",
    ]) {
      expect(screen.getByLabelText(label).getAttribute("aria-invalid")).toBe("true");
    }
    expect(screen.getByText("This organization's policy is locked by the scheduling system.")).toBeTruthy();
  });

  it("is in the admin's navigation", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/appointment-policy": { status: 200, body: defaults },
    });
    renderAt("/admin/appointment-policy");
    const nav = await screen.findByRole("navigation", { name: "Portal pages" });
    expect(within(nav).getByRole("link", { name: "Appointment policy" }).getAttribute("href")).toBe("/admin/appointment-policy");
  });
});
