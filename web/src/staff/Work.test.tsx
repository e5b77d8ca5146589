import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError, emptyInbox } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { PID, dana, quarantined, staffMe, worklistItem } from "./fixtures";
import { expectAccessible } from "../test/axe";

// The staff pages are a chunk of their own, imported on first use: on a busy machine that takes
// longer than the default second.
configure({ asyncUtilTimeout: 5000 });

describe("the worklist", () => {
  it("shows open items oldest first with who to call, and closes one with the outcome", async () => {
    setToken("tok-1");
    let closed = false;
    const first = worklistItem("r-1-v2", "2026-12-01T08:00:00Z", { result_version: 2 });
    const second = worklistItem("merge-x", "2026-12-02T08:00:00Z", {
      task: "move_portal_account",
      result_id: "",
      result_version: 0,
      patient: { ...dana, given_names: ["Ana"], family_name: "Núñez", patient_id: "p-2" },
    });
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/worklist": () => ({ status: 200, body: { items: closed ? [second] : [first, second] } }),
      "POST /v1/staff/worklist/r-1-v2/done": () => {
        closed = true;
        return { status: 200, body: { item_id: "r-1-v2", status: "done", outcome: "left_message" } };
      },
    });
    renderAt("/staff/worklist");
    const table = await screen.findByRole("table", { name: "2 open items" });
    const rows = within(table).getAllByRole("row");
    expect(rows).toHaveLength(3); // the header, then the oldest item first
    const [firstRow, secondRow] = [rows[1]!, rows[2]!];
    expect(firstRow.textContent).toContain("Call about a critical result (corrected result, version 2)");
    expect(firstRow.textContent).toContain("Dana M Rivera");
    expect(firstRow.textContent).toContain("Born Mar 9, 1984 · MRN: AMC-100001");
    expect(firstRow.textContent).toContain("Dec 1, 2026");
    expect(secondRow.textContent).toContain("Move the portal account of a merged record");
    expect(within(firstRow).getByRole("link", { name: "Dana M Rivera" }).getAttribute("href")).toBe(`/staff/patients/${PID}`);
    expect(document.title).toBe("Worklist | Patient portal");

    const user = userEvent.setup();
    await user.selectOptions(within(firstRow).getByLabelText("Outcome (call to Dana M Rivera)"), "Left a message");
    await user.click(within(firstRow).getByRole("button", { name: "Close the item about Dana M Rivera" }));
    expect((await screen.findByRole("status")).textContent).toBe("The item about Dana M Rivera is closed: Left a message.");
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ outcome: "left_message" });
    expect(await screen.findByRole("table", { name: "1 open item" })).toBeTruthy();
    await expectAccessible();
  });

  it("links a change of details asked for at check-in to that visit's check-in", async () => {
    setToken("tok-1");
    const item = worklistItem("checkin-a-1", "2026-12-03T08:00:00Z", {
      task: "review_details_change",
      result_id: "a".repeat(32),
      result_version: 1,
    });
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/worklist": { status: 200, body: { items: [item] } },
    });
    renderAt("/staff/worklist");
    const table = await screen.findByRole("table", { name: "1 open item" });
    const row = within(table).getAllByRole("row")[1]!;
    expect(row.textContent).toContain("Check a change of details a patient asked for at check-in");
    expect(within(row).queryByRole("link", { name: "Their results" })).toBeNull();
    const link = within(row).getByRole("link", { name: "The change they asked for (their check-in)" });
    expect(link.getAttribute("href")).toBe(`/staff/patients/${PID}/appointments/${"a".repeat(32)}/check-in`);
  });

  it("says in words that a proxy's access narrowed or ended, linking only to the patient", async () => {
    setToken("tok-1");
    const narrowed = worklistItem("proxy_access_narrowed-g1", "2026-12-03T05:00:00Z", {
      task: "proxy_access_narrowed",
      result_id: "b".repeat(32),
      result_version: 0,
    });
    const ended = worklistItem("proxy_access_ended-g2", "2026-12-04T05:00:00Z", {
      task: "proxy_access_ended",
      result_id: "c".repeat(32),
      result_version: 0,
    });
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/worklist": { status: 200, body: { items: [narrowed, ended] } },
    });
    renderAt("/staff/worklist");
    const table = await screen.findByRole("table", { name: "2 open items" });
    const [first, second] = within(table).getAllByRole("row").slice(1);
    expect(first!.textContent).toContain("A parent's or guardian's access reached the child's 12th birthday");
    expect(second!.textContent).toContain("A proxy's access reached its end date");
    expect(within(first!).queryByRole("link", { name: "Their results" })).toBeNull();
    expect(within(first!).getByRole("link", { name: "Dana M Rivera" }).getAttribute("href")).toBe(`/staff/patients/${PID}`);
  });

  it("says so when nothing is open, and says a refusal in words", async () => {
    setToken("tok-1");
    let listed = 0;
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/worklist": () =>
        ++listed === 1
          ? { status: 200, body: { items: [worklistItem("r-1-v1", "2026-12-01T08:00:00Z")] } }
          : { status: 200, body: { items: [] } },
      "POST /v1/staff/worklist/r-1-v1/done": { status: 404, body: apiError("not_found", "No such open item.") },
    });
    renderAt("/staff/worklist");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Close the item about Dana M Rivera" }));
    expect((await screen.findByRole("alert")).textContent).toBe("No such open item.");
  });
});

describe("the feed quarantine", () => {
  it("lists quarantined messages a page at a time, by metadata only", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/feed/quarantine": (call) =>
        new URLSearchParams(call.search).get("cursor") === "c2"
          ? { status: 200, body: { messages: [quarantined("q-2", { message_type: "ADT^A04" })], next_cursor: null } }
          : {
              status: 200,
              body: {
                messages: [quarantined("q-1"), quarantined("q-3", { sender: null, replayable: false, format: "unknown" })],
                next_cursor: "c2",
              },
            },
    });
    renderAt("/staff/quarantine");
    const row = await screen.findByRole("row", { name: /ORU\^R01 ctl-q-1/ });
    expect(row.textContent).toContain("PID-3: no identifier under a known authority");
    expect(row.textContent).toContain("LAB|AMC");
    expect(row.textContent).toContain("HL7 v2");
    const unknown = screen.getByRole("row", { name: /ctl-q-3/ });
    expect(unknown.textContent).toContain("Cannot be replayed");
    expect(within(unknown).queryByRole("button", { name: /Replay/ })).toBeNull();
    expect(document.title).toBe("Feed quarantine | Patient portal");

    await userEvent.setup().click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByRole("row", { name: /ADT\^A04 ctl-q-2/ })).toBeTruthy();
    expect(calls.filter((call) => call.method === "GET" && call.path.endsWith("quarantine")).map((c) => c.search)).toEqual([
      "?limit=20",
      "?limit=20&cursor=c2",
    ]);
    await expectAccessible();
  });

  it("replays and dismisses a message after asking, and says a refusal in words", async () => {
    setToken("tok-1");
    let left: string[] = [];
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe("admin") },
      "GET /v1/staff/feed/quarantine": () => ({
        status: 200,
        body: { messages: ["q-1", "q-2"].filter((id) => !left.includes(id)).map((id) => quarantined(id)), next_cursor: null },
      }),
      "POST /v1/staff/feed/quarantine/q-1/replay": () => {
        left = [...left, "q-1"];
        return { status: 200, body: { id: "q-1", status: "replayed" } };
      },
      "POST /v1/staff/feed/quarantine/q-2/dismiss": {
        status: 409,
        body: apiError("conflict", "The message left quarantine meanwhile."),
      },
    });
    renderAt("/staff/quarantine");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Replay ORU^R01 ctl-q-1" }));
    const question = screen.getByRole("group", { name: "File ORU^R01 ctl-q-1 again? Do this once its cause is fixed." });
    await user.click(within(question).getByRole("button", { name: "Yes, replay it" }));
    expect((await screen.findByRole("status")).textContent).toContain("ORU^R01 ctl-q-1 was sent to be filed again.");
    await screen.findByText("ORU^R01 ctl-q-2");
    expect(screen.queryByRole("row", { name: /ctl-q-1/ })).toBeNull();

    await user.click(screen.getByRole("button", { name: "Dismiss ORU^R01 ctl-q-2" }));
    await user.click(screen.getByRole("button", { name: "Yes, dismiss it" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The message left quarantine meanwhile.");
    expect(calls.filter((call) => call.method === "POST").map((call) => call.path)).toEqual([
      "/v1/staff/feed/quarantine/q-1/replay",
      "/v1/staff/feed/quarantine/q-2/dismiss",
    ]);
  });

  it("says so when the quarantine is empty", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/feed/quarantine": { status: 200, body: { messages: [], next_cursor: null } },
    });
    renderAt("/staff/quarantine");
    expect(await screen.findByText("No message is in quarantine.")).toBeTruthy();
  });
});

describe("the staff home", () => {
  it("links staff to their pages and counts the open worklist items", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
      "GET /v1/staff/worklist": {
        status: 200,
        body: { items: [worklistItem("a", "2026-12-01T08:00:00Z"), worklistItem("b", "2026-12-02T08:00:00Z")] },
      },
    });
    renderAt("/");
    const work = await screen.findByRole("navigation", { name: "Clinic work" });
    expect(await within(work).findByText(/2 open items/)).toBeTruthy();
    expect(within(work).getAllByRole("link").map((link) => link.getAttribute("href"))).toEqual([
      "/staff/patients",
      "/staff/patients/new",
      "/staff/worklist",
      "/staff/quarantine",
      "/staff/mismatches",
      "/staff/support",
      "/staff/messages",
      "/staff/refill-requests",
      "/staff/appointment-requests",
      "/staff/check-ins",
    ]);
    // the header's links are the staff pages and their own account, never a patient's record
    const pages = screen.getByRole("navigation", { name: "Portal pages" });
    expect(within(pages).getAllByRole("link").map((link) => link.textContent)).toEqual([
      "Home",
      "Patients",
      "Worklist",
      "Feed quarantine",
      "Possible mismatches",
      "Support requests",
      "Messages",
      "Refill requests",
      "Appointment requests",
      "Check-ins",
      "Proxy requests",
      "Account",
    ]);
    await userEvent.setup().click(within(pages).getByRole("link", { name: "Patients" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Find a patient" })).toBeTruthy();
    await expectAccessible();
  });

  it("gives admins the same pages", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe("admin") },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
      "GET /v1/staff/worklist": { status: 200, body: { items: [] } },
    });
    renderAt("/");
    const work = await screen.findByRole("navigation", { name: "Clinic work" });
    expect(await within(work).findByText(/0 open items/)).toBeTruthy();
    expect(within(screen.getByRole("navigation", { name: "Portal pages" })).getByRole("link", { name: "Worklist" })).toBeTruthy();
    const apps = within(screen.getByRole("navigation", { name: "Portal pages" })).getByRole("link", { name: "Health apps" });
    expect(apps.getAttribute("href")).toBe("/admin/apps");
  });
});
