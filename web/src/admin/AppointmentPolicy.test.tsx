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

  it("checks the numbers first, and puts the API's refusal next to the field it names", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/appointment-policy": { status: 200, body: defaults },
      "PUT /v1/admin/appointment-policy": {
        status: 400,
        body: apiError("validation_failed", "The appointment policy is not valid.", [
          { field: "video_link_template", issue: "The video link template is an https:// address with {appointment_id} and no other field." },
        ]),
      },
    });
    renderAt("/admin/appointment-policy");
    const user = userEvent.setup();
    const cutoff = await screen.findByLabelText("Online cancellation closes (hours before the visit)");
    await user.clear(cutoff);
    await user.type(cutoff, "400");
    const reminders = screen.getByLabelText("Reminder emails (hours before the visit)");
    await user.clear(reminders);
    await user.type(reminders, "24, 24");
    await user.click(screen.getByRole("button", { name: "Save the appointment policy" }));
    expect(await screen.findByText("Give a whole number of hours from 0 to 336.")).toBeTruthy();
    expect(screen.getByText("Give up to three different whole numbers from 1 to 336, separated by commas.")).toBeTruthy();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await user.clear(cutoff);
    await user.type(cutoff, "12");
    await user.clear(reminders);
    await user.type(reminders, "24");
    await user.type(screen.getByLabelText("Video visit link (optional)"), "http://video.example.org/{{name}");
    await user.click(screen.getByRole("button", { name: "Save the appointment policy" }));
    const link = screen.getByLabelText("Video visit link (optional)");
    const group = link.closest(".usa-form-group") as HTMLElement;
    expect(
      await within(group).findByText("The video link template is an https:// address with {appointment_id} and no other field."),
    ).toBeTruthy();
    expect(link.getAttribute("aria-invalid")).toBe("true");
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
