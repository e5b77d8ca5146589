import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { adminMe, staffAccount } from "./fixtures";

type Team = Schemas["CareTeam"];

function team(id: string, name: string, extra: Partial<Team> = {}): Team {
  return {
    team_id: id.padEnd(32, "0"),
    name,
    kind: "department",
    description: "",
    accepts_messages: true,
    phone: null,
    active: true,
    member_ids: [],
    created_at: "2026-11-20T14:30:00Z",
    ...extra,
  };
}

const cardiology = team("a1", "Cardiology", {
  description: "Heart and blood pressure care.",
  phone: "(518) 555-0142",
  member_ids: ["b".repeat(32)],
});
const billing = team("b2", "Billing", { kind: "clinic", accepts_messages: false, active: false });

describe("care teams", () => {
  it("lists the teams with what patients see of each, in words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/care-teams": { status: 200, body: { care_teams: [billing, cardiology] } },
    });
    renderAt("/admin/care-teams");
    const table = await screen.findByRole("table", { name: "Your care teams" });
    expect(document.title).toBe("Care teams | Patient portal");
    expect(screen.getByRole("heading", { level: 1, name: "Care teams" })).toBeTruthy();
    const heart = within(table).getByRole("row", { name: /Cardiology/ }).textContent;
    expect(heart).toContain("Heart and blood pressure care.");
    expect(heart).toContain("Accepts messages");
    expect(heart).toContain("(518) 555-0142");
    expect(heart).toContain("1 staff member");
    expect(heart).toContain("Active");
    const money = within(table).getByRole("row", { name: /Billing/ }).textContent;
    expect(money).toContain("Does not accept messages");
    expect(money).toContain("Deactivated");
    expect(within(table).getByRole("button", { name: "Reactivate Billing" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Care teams" })).toBeTruthy(); // in the admin navigation
    await expectAccessible();
  });

  it("says so in words when there are no teams yet", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/care-teams": { status: 200, body: { care_teams: [] } },
    });
    renderAt("/admin/care-teams");
    expect(await screen.findByText("No care teams yet. Add the first one below.")).toBeTruthy();
  });

  it("adds a team, with the API's refusal next to the field it names", async () => {
    setToken("tok-1");
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/care-teams": { status: 200, body: { care_teams: [] } },
      "POST /v1/admin/care-teams": () =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "The care team is not valid.", [
                { field: "phone", issue: "must be a phone number" },
              ]),
            }
          : { status: 201, body: team("c3", "Dermatology", { kind: "clinic", phone: "(518) 555-0199" }) },
    });
    renderAt("/admin/care-teams");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Name"), "Dermatology");
    await user.selectOptions(screen.getByLabelText("Kind of team"), "Clinic");
    await user.type(screen.getByLabelText("Phone number (optional)"), "call us");
    await user.click(screen.getByRole("button", { name: "Add care team" }));
    const phone = screen.getByLabelText("Phone number (optional)");
    expect(await screen.findByText("Must be a phone number.")).toBeTruthy();
    expect(phone.getAttribute("aria-invalid") ?? phone.className).toMatch(/true|usa-input--error/);

    await user.clear(phone);
    await user.type(phone, "(518) 555-0199");
    await user.click(screen.getByRole("button", { name: "Add care team" }));
    expect((await screen.findByRole("status")).textContent).toBe("Dermatology is added.");
    expect(calls.filter((c) => c.method === "POST").at(-1)?.body).toEqual({
      name: "Dermatology",
      kind: "clinic",
      description: "",
      accepts_messages: true,
      phone: "(518) 555-0199",
      active: true,
    });
  });

  it("changes a team and keeps what the admin did not touch", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/care-teams": { status: 200, body: { care_teams: [cardiology] } },
      [`PUT /v1/admin/care-teams/${cardiology.team_id}`]: (call) => ({
        status: 200,
        body: { ...cardiology, ...(call.body as object) },
      }),
      "GET /v1/admin/staff": { status: 200, body: { staff: [], next_cursor: null } },
    });
    renderAt("/admin/care-teams");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Change Cardiology" }));
    expect(document.activeElement).toBe(screen.getByRole("heading", { name: "Change Cardiology" }));
    await user.click(screen.getByLabelText("Patients can send messages to this team"));
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    expect((await screen.findByRole("status")).textContent).toBe("Your changes to Cardiology are saved.");
    expect(calls.find((c) => c.method === "PUT")?.body).toEqual({
      name: "Cardiology",
      kind: "department",
      description: "Heart and blood pressure care.",
      accepts_messages: false,
      phone: "(518) 555-0142",
      active: true,
    });
  });

  it("deactivates a team only once the admin confirms, and never deletes it", async () => {
    setToken("tok-1");
    let current = cardiology;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/care-teams": () => ({ status: 200, body: { care_teams: [current] } }),
      [`PUT /v1/admin/care-teams/${cardiology.team_id}`]: (call) => {
        current = { ...cardiology, ...(call.body as object) };
        return { status: 200, body: current };
      },
    });
    renderAt("/admin/care-teams");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Deactivate Cardiology" }));
    expect(screen.getByText("Patients will no longer see it in the list of teams to write to.")).toBeTruthy();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Deactivate Cardiology" }));

    await user.click(screen.getByRole("button", { name: "Deactivate Cardiology" }));
    await user.click(within(screen.getByRole("group", { name: "Deactivate Cardiology?" })).getByRole("button", { name: "Deactivate Cardiology" }));
    expect((await screen.findByRole("status")).textContent).toBe("Cardiology is deactivated: patients no longer see it.");
    expect(calls.find((c) => c.method === "PUT")?.body).toMatchObject({ active: false, name: "Cardiology" });
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    expect(await screen.findByRole("button", { name: "Reactivate Cardiology" })).toBeTruthy();
  });

  it("names the staff who answer for a team, and says which account the API refused", async () => {
    setToken("tok-1");
    const jones = staffAccount("b".repeat(32), "nurse.jones");
    const smith = staffAccount("c".repeat(32), "dr.smith");
    const gone = staffAccount("d".repeat(32), "left.already", { status: "terminated" });
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/care-teams": { status: 200, body: { care_teams: [cardiology] } },
      "GET /v1/admin/staff": { status: 200, body: { staff: [jones, smith, gone], next_cursor: null } },
      [`PUT /v1/admin/care-teams/${cardiology.team_id}/members`]: (call) =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "Some members are not staff of your organization.", [
                { field: "account_ids.1", issue: "not a staff account of your organization" },
              ]),
            }
          : { status: 200, body: { ...cardiology, member_ids: (call.body as { account_ids: string[] }).account_ids } },
    });
    renderAt("/admin/care-teams");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Change Cardiology" }));
    const members = await screen.findByRole("group", { name: "Members of Cardiology" });
    expect((within(members).getByLabelText("nurse.jones") as HTMLInputElement).checked).toBe(true);
    expect(within(members).queryByLabelText("left.already")).toBeNull(); // ended accounts are not offered
    await user.click(within(members).getByLabelText("dr.smith"));
    await user.click(screen.getByRole("button", { name: "Save members" }));
    expect(await screen.findByText("Some members are not staff of your organization.")).toBeTruthy();
    expect(screen.getByText("dr.smith is not an active staff account of your organization.")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Save members" }));
    expect((await screen.findByRole("status")).textContent).toBe("Cardiology now has 2 staff members.");
    expect(calls.filter((c) => c.method === "PUT").at(-1)?.body).toEqual({ account_ids: [jones.account_id, smith.account_id] });
  });

  it("tells staff who are not admins that the page is not theirs", async () => {
    setToken("tok-1");
    fakeApi({ "GET /v1/me": { status: 200, body: adminMe("staff") } });
    renderAt("/admin/care-teams");
    expect(await screen.findByText("Only your organization's admins can use this page.")).toBeTruthy();
  });
});
