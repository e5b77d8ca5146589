import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { DANA, message, pdf, staffSummary, staffThread } from "../messages/fixtures";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { type Call, fakeApi, renderAt } from "../test/render";
import { staffMe } from "./fixtures";

// The staff pages are a chunk of their own, imported on first use.
configure({ asyncUtilTimeout: 5000 });

const teams = {
  teams: [
    { team_id: "team-primary", name: "Primary Care", open_count: 4, unread_count: 2, overdue_count: 1 },
    { team_id: "team-cardio", name: "Cardiology", open_count: 0, unread_count: 0, overdue_count: 0 },
  ],
};
const query = (call: Call) => Object.fromEntries(new URLSearchParams(call.search));
const lists = (calls: Call[]) => calls.filter((call) => call.path === "/v1/staff/messages");

describe("the care teams' inboxes", () => {
  it("shows each team's counts and the open conversations, most overdue first, with the reply clock in words", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/messages/teams": { status: 200, body: teams },
      "GET /v1/staff/messages": (call) =>
        query(call).assigned === "me"
          ? { status: 200, body: { threads: [], next_cursor: null } }
          : {
              status: 200,
              body: {
                threads: [
                  staffSummary("t-1", { overdue: true, reply_due_by: "2026-11-30T14:00:00Z", waiting_since: "2026-11-25T14:00:00Z" }),
                  staffSummary("t-2", {
                    subject: "Referral letter",
                    unread_count: 0,
                    assigned_to: { account_id: "acc-9", name: "Grace Okoro" },
                  }),
                ],
                next_cursor: null,
              },
            },
    });
    renderAt("/staff/messages");
    expect(await screen.findByRole("heading", { level: 1, name: "Messages" })).toBeTruthy();
    expect(document.title).toBe("Messages | Patient portal");
    const primary = await screen.findByRole("heading", { level: 3, name: "Primary Care" });
    const card = primary.closest("li")!;
    expect(card.textContent).toContain("4 open conversations");
    expect(card.textContent).toContain("2 unread patient messages");
    expect(card.textContent).toContain("1 overdue");
    expect(screen.getByRole("heading", { level: 3, name: "Cardiology" }).closest("li")!.textContent).toContain("Nothing overdue");

    const table = await screen.findByRole("table", { name: "2 conversations" });
    const [, first, second] = within(table).getAllByRole("row");
    expect(within(first!).getByRole("link", { name: "Question about my blood pressure pills" }).getAttribute("href")).toBe("/staff/messages/t-1");
    expect(first!.textContent).toContain("Dana M Rivera");
    expect(first!.textContent).toContain("Born Mar 9, 1984");
    expect(first!.textContent).toContain("Nov 25, 2026");
    expect(first!.textContent).toContain("Nov 30, 2026");
    expect(first!.textContent).toContain("Overdue");
    expect(first!.textContent).toContain("1 new");
    expect(first!.textContent).toContain("No one");
    expect(second!.textContent).not.toContain("Overdue");
    expect(second!.textContent).toContain("Grace Okoro");
    expect(query(lists(calls)[0]!)).toEqual({ limit: "25", status: "open", assigned: "anyone" });
    await expectAccessible();

    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText("Assigned"), "Assigned to me");
    expect(await screen.findByText("No conversation matches.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Show Primary Care" }));
    await user.selectOptions(screen.getByLabelText("Status"), "Waiting on patient");
    await waitFor(() =>
      expect(query(lists(calls).at(-1)!)).toEqual({ limit: "25", status: "waiting_on_patient", assigned: "me", team_id: "team-primary" }),
    );
    // no patient's name or birth date in any address
    expect(calls.every((call) => !call.search.includes("Rivera") && !call.search.includes("1984"))).toBe(true);
  });

  it("says so when the staff member is on no team, and shows a refusal in words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/messages/teams": { status: 200, body: { teams: [] } },
      "GET /v1/staff/messages": { status: 503, body: apiError("service_unavailable", "Messages are unavailable for a moment.") },
    });
    renderAt("/staff/messages");
    expect(screen.getByText("Loading…")).toBeTruthy();
    expect(await screen.findByText(/You are not a member of any care team/)).toBeTruthy();
    expect((await screen.findByRole("alert")).textContent).toBe("Messages are unavailable for a moment.");
  });
});

describe("a patient conversation, for staff", () => {
  it("shows the patient and the messages, marks them read, and replies with what happens after", async () => {
    setToken("tok-1");
    let replied = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/messages/t-1": () => ({
        status: 200,
        body: replied
          ? staffThread("t-1", {
              status: "closed",
              messages: [
                message("m-1", { author: "Dana M Rivera", read: true }),
                message("m-2", { from: "care_team", author: "demo.staff, Primary Care", body: "Keep taking them." }),
              ],
            })
          : staffThread("t-1"),
      }),
      "POST /v1/staff/messages/t-1/read": { status: 204 },
      "POST /v1/staff/messages/t-1/replies": () => {
        replied = true;
        return { status: 201, body: message("m-2", { from: "care_team", author: "demo.staff, Primary Care", body: "Keep taking them." }) };
      },
      "GET /v1/staff/messages/teams": { status: 200, body: teams },
      "GET /v1/staff/messages": { status: 200, body: { threads: [], next_cursor: null } },
      "GET /v1/staff/messages/t-1/attachments/att-1": {
        status: 200,
        body: { url: "http://storage.test/att-1", file_name: pdf.file_name, content_type: pdf.content_type },
      },
    });
    renderAt("/staff/messages/t-1");
    expect(await screen.findByRole("heading", { level: 1, name: "Question about my blood pressure pills" })).toBeTruthy();
    expect(document.title).toBe("Patient conversation | Patient portal");
    expect(screen.getByRole("link", { name: DANA.name }).getAttribute("href")).toBe(`/staff/patients/${DANA.patient_id}`);
    expect(screen.getByText(/Born Mar 9, 1984/)).toBeTruthy();
    expect(screen.getByText(/Dec 4, 2026/)).toBeTruthy(); // reply due by
    await waitFor(() => expect(calls.filter((call) => call.path === "/v1/staff/messages/t-1/read")).toHaveLength(1));
    await expectAccessible();

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Download home-readings.pdf" }));
    await waitFor(() => expect(calls.some((call) => call.path === "/v1/staff/messages/t-1/attachments/att-1")).toBe(true));

    await user.click(screen.getByRole("button", { name: "Send the reply" }));
    expect(screen.getByText("Fill in this field.")).toBeTruthy();
    await user.type(screen.getByLabelText("Your reply"), "Keep taking them.");
    expect((screen.getByLabelText("Wait for the patient") as HTMLInputElement).checked).toBe(true);
    await user.click(screen.getByLabelText("Close the conversation"));
    await user.dblClick(screen.getByRole("button", { name: "Send the reply" }));
    expect((await screen.findByRole("status")).textContent).toBe("Your reply is sent. The conversation is now: Closed.");
    const sent = calls.filter((call) => call.path === "/v1/staff/messages/t-1/replies");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({ body: "Keep taking them.", status_after: "closed" });
    expect(sent[0]!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await screen.findByText("This conversation is closed. Reopen it to reply.")).toBeTruthy();
    expect(screen.queryByLabelText("Your reply")).toBeNull();
  });

  it("assigns to the staff member, changes the status, and marks urgent only after saying the patient will be told to call", async () => {
    setToken("tok-1");
    const notice = "Your care team flagged this conversation as possibly urgent. Please call them now at 518-555-0100, or call 911 in an emergency.";
    const read = { messages: [message("m-1", { author: "Dana M Rivera" })] };
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/messages/t-1": { status: 200, body: staffThread("t-1", read) },
      "PUT /v1/staff/messages/t-1/assignment": (call) => ({
        status: 200,
        body: staffThread("t-1", { ...read, assigned_to: (call.body as { account_id: string | null }).account_id ? { account_id: "acc-1", name: "demo.staff" } : null }),
      }),
      "PUT /v1/staff/messages/t-1/status": { status: 200, body: staffThread("t-1", { ...read, status: "waiting_on_patient" }) },
      "PUT /v1/staff/messages/t-1/urgent": {
        status: 200,
        body: staffThread("t-1", { ...read, urgent: true, urgent_notice: notice, urgent_marked_by: "demo.staff", urgent_marked_at: "2026-12-01T16:00:00Z" }),
      },
      "GET /v1/staff/messages/teams": { status: 200, body: teams },
      "GET /v1/staff/messages": { status: 200, body: { threads: [], next_cursor: null } },
    });
    renderAt("/staff/messages/t-1");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Assign to me" }));
    expect((await screen.findByRole("status")).textContent).toBe("The conversation is assigned to demo.staff.");
    expect(calls.find((call) => call.method === "PUT")!.body).toEqual({ account_id: "acc-1" });
    expect(screen.queryByRole("button", { name: "Assign to me" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "Unassign" }));
    expect((await screen.findByRole("status")).textContent).toBe("The conversation is not assigned to anyone now.");

    await user.click(screen.getByRole("button", { name: "Mark as waiting on patient" }));
    expect((await screen.findByRole("status")).textContent).toBe("The conversation is now: Waiting on patient.");

    await user.click(screen.getByRole("button", { name: "Mark as urgent" }));
    const question = screen.getByRole("group", { name: "Mark this conversation urgent?" });
    expect(question.textContent).toContain("The patient will be told, at the top of the conversation, to call the care team now");
    expect(calls.some((call) => call.path === "/v1/staff/messages/t-1/urgent")).toBe(false);
    await user.click(within(question).getByRole("button", { name: "Mark urgent and tell the patient to call" }));
    expect((await screen.findByRole("status")).textContent).toBe("The conversation is marked urgent. The patient is told to call.");
    expect(calls.find((call) => call.path === "/v1/staff/messages/t-1/urgent")!.body).toEqual({ urgent: true });
    const marked = screen.getByRole("region", { name: "Marked urgent" });
    expect(marked.textContent).toContain("demo.staff marked this conversation urgent on Dec 1, 2026");
    expect(marked.textContent).toContain(notice);
    expect(screen.getByRole("button", { name: "Clear the urgent mark" })).toBeTruthy();
    await expectAccessible();
  });

  it("shows a closed conversation's urgent mark as a plain note, not the alarm the patient no longer sees", async () => {
    setToken("tok-1");
    const notice = "Your care team flagged this conversation as possibly urgent. Please call them now at 518-555-0100, or call 911 in an emergency.";
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/messages/t-1": {
        status: 200,
        body: staffThread("t-1", {
          status: "closed",
          urgent: true,
          urgent_notice: notice,
          urgent_marked_by: "demo.staff",
          urgent_marked_at: "2026-12-01T16:00:00Z",
          waiting_since: null,
          reply_due_by: null,
        }),
      },
      "POST /v1/staff/messages/t-1/read": { status: 204 },
      "GET /v1/staff/messages/teams": { status: 200, body: teams },
      "GET /v1/staff/messages": {
        status: 200,
        body: {
          threads: [
            staffSummary("t-1", { status: "closed", urgent: true }),
            staffSummary("t-2", { subject: "Still open", urgent: true }),
          ],
          next_cursor: null,
        },
      },
    });
    renderAt("/staff/messages/t-1");
    expect(await screen.findByRole("heading", { level: 1, name: "Question about my blood pressure pills" })).toBeTruthy();
    expect(screen.getByText("Marked urgent (closed)")).toBeTruthy();
    // not waiting on anyone: said so, not "Waiting since: Not waiting"
    expect(screen.getByText("Not waiting for a reply")).toBeTruthy();
    expect(screen.queryByRole("region", { name: "Marked urgent" })).toBeNull();
    expect(screen.queryByText(/The patient is told/)).toBeNull();

    await userEvent.setup().click(screen.getByRole("link", { name: "Back to the messages" }));
    const table = await screen.findByRole("table", { name: "2 conversations" });
    const [, closed, open] = within(table).getAllByRole("row");
    expect(within(closed!).getByText("Marked urgent (closed)")).toBeTruthy();
    expect(within(open!).getByText("Urgent")).toBeTruthy();
    expect(within(open!).queryByText("Marked urgent (closed)")).toBeNull();
  });

  it("says in words that a conversation was closed before the reply was sent", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/messages/t-1": { status: 200, body: staffThread("t-1", { messages: [message("m-1", { author: "Dana M Rivera" })] }) },
      "POST /v1/staff/messages/t-1/replies": { status: 409, body: apiError("conflict", "This conversation is closed.") },
    });
    renderAt("/staff/messages/t-1");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Your reply"), "Hello");
    await user.click(screen.getByRole("button", { name: "Send the reply" }));
    expect((await screen.findByRole("alert")).textContent).toContain("This conversation is closed.");
  });

  it("says a conversation of another organization (or none) is not found", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/messages/t-x": { status: 404, body: apiError("not_found", "No such conversation.") },
    });
    renderAt("/staff/messages/t-x");
    expect((await screen.findByRole("alert")).textContent).toBe("No such conversation.");
    expect(screen.getByRole("heading", { level: 1, name: "Patient conversation" })).toBeTruthy();
  });
});
