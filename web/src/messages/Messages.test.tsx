import { configure, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, emptyInbox, me } from "../test/fixtures";
import { type Call, fakeApi, renderAt } from "../test/render";
import { PATIENT, TEAM, message, pdf, summary, thread, upload } from "./fixtures";

// The messaging pages are a chunk of their own, loaded on first use.
configure({ asyncUtilTimeout: 5000 });

function patientMe(unread = 0): Schemas["Me"] {
  return { ...me(), unread_messages: unread };
}

const teams: Schemas["PatientCareTeams"] = {
  care_teams: [
    { ...TEAM, kind: "clinic", description: "Your doctor's office", phone: "518-555-0100", organization_name: "Albany Medical Center" },
    {
      team_id: "team-cardio",
      name: "Cardiology",
      kind: "department",
      description: "Heart care",
      phone: null,
      organization_name: "Albany Medical Center",
    },
  ],
};

const inboxPath = `/v1/patients/${PATIENT}/messages`;
const keyOf = (call: Call) => call.headers.get("Idempotency-Key");
const posts = (calls: Call[], path: string) => calls.filter((call) => call.method === "POST" && call.path === path);
const file = (name: string, type: string, bytes: number) =>
  new File([new Uint8Array(Math.min(bytes, 64))], name, { type }) as File & { size: number };
function sized(name: string, type: string, bytes: number): File {
  const made = file(name, type, bytes);
  Object.defineProperty(made, "size", { value: bytes }); // (no need to hold 20 MB in memory to say it is 20 MB)
  return made;
}

describe("the messages inbox", () => {
  it("lists the conversations with their team, last message in words, unread badge and status, a page at a time", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: patientMe(3) },
      [`GET ${inboxPath}`]: (call) =>
        new URLSearchParams(call.search).get("cursor") === "c2"
          ? { status: 200, body: { threads: [summary("t-3", { subject: "Older question", status: "closed" })], next_cursor: null, unread_count: 3 } }
          : {
              status: 200,
              body: {
                threads: [
                  summary("t-1", { unread_count: 2 }),
                  summary("t-2", { subject: "Referral letter", status: "waiting_on_patient", last_message_from: "patient", unread_count: 0 }),
                ],
                next_cursor: "c2",
                unread_count: 3,
              },
            },
    });
    renderAt("/messages");
    const table = await screen.findByRole("table", { name: "2 conversations" });
    expect(document.title).toBe("Messages | Patient portal");
    expect(screen.getByRole("heading", { level: 1, name: "Messages" })).toBeTruthy();
    expect(screen.getByText("You have 3 unread messages.")).toBeTruthy();
    const [, first, second] = within(table).getAllByRole("row");
    expect(within(first!).getByRole("link", { name: "Question about my blood pressure pills" }).getAttribute("href")).toBe("/messages/t-1");
    expect(first!.textContent).toContain("2 new");
    expect(first!.textContent).toContain("Primary Care");
    expect(first!.textContent).toContain("Dec 1, 2026");
    expect(first!.textContent).toContain("from your care team");
    expect(first!.textContent).toContain("Open");
    expect(second!.textContent).toContain("from you");
    expect(second!.textContent).toContain("Waiting for your answer");
    expect(second!.textContent).not.toContain("new");
    expect(screen.getByRole("link", { name: "Write a new message" }).getAttribute("href")).toBe("/messages/new");
    await expectAccessible();

    await userEvent.setup().click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByRole("link", { name: "Older question" })).toBeTruthy();
    expect(calls.filter((call) => call.path === inboxPath).map((call) => new URLSearchParams(call.search).get("cursor"))).toEqual([null, "c2"]);
    // the addresses carry no name, subject or text
    expect(calls.every((call) => !call.search.includes("Ada") && !call.search.includes("pills"))).toBe(true);
  });

  it("keeps each badge on one line, with a space before it for screen readers", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe(2) },
      [`GET ${inboxPath}`]: {
        status: 200,
        body: { threads: [summary("t-1", { unread_count: 2, urgent: true })], next_cursor: null, unread_count: 2 },
      },
    });
    renderAt("/messages");
    const table = await screen.findByRole("table", { name: "1 conversation" });
    const subject = within(table).getAllByRole("rowheader")[0]!;
    expect(subject.textContent).toBe("Question about my blood pressure pills 2 new Call your care team");
    for (const badge of [within(subject).getByText("2 new"), within(subject).getByText("Call your care team")]) {
      expect(badge.className).toContain("text-no-wrap");
    }
  });

  it("says so in words while loading, when there is nothing, and when the API refuses", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET ${inboxPath}`]: { status: 200, body: { threads: [], next_cursor: null, unread_count: 0 } },
    });
    renderAt("/messages");
    expect(screen.getByText("Loading…")).toBeTruthy();
    expect(await screen.findByText("You have no messages yet.")).toBeTruthy();
    expect(screen.getByText("You have no unread messages.")).toBeTruthy();
  });

  it("shows the API's refusal in its own words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET ${inboxPath}`]: { status: 503, body: apiError("service_unavailable", "Messages are unavailable for a moment.") },
    });
    renderAt("/messages");
    expect((await screen.findByRole("alert")).textContent).toBe("Messages are unavailable for a moment.");
  });

  it("counts unread messages in the site's navigation, said in words, and on the home page", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe(2) },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
      "GET /v1/patients/p-1/upcoming": { status: 200, body: { upcoming: [] } },
    });
    renderAt("/");
    const pages = await screen.findByRole("navigation", { name: "Portal pages" });
    const link = within(pages).getByRole("link", { name: "Messages (2 unread messages)" });
    expect(link.getAttribute("href")).toBe("/messages");
    const home = await screen.findByRole("link", { name: "You have 2 unread messages" });
    expect(home.getAttribute("href")).toBe("/messages");
    await expectAccessible();
  });

  it("shows no count when nothing is unread", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe(0) },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
      "GET /v1/patients/p-1/upcoming": { status: 200, body: { upcoming: [] } },
    });
    renderAt("/");
    const pages = await screen.findByRole("navigation", { name: "Portal pages" });
    expect(within(pages).getByRole("link", { name: "Messages" })).toBeTruthy();
    expect(await screen.findByText(/You have no unread messages/)).toBeTruthy();
  });
});

describe("writing a new message", () => {
  it("sends a message with a PDF: announced, posted to storage as a form (fields, then the file), checked, then sent once", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET /v1/patients/${PATIENT}/care-teams`]: { status: 200, body: teams },
      [`POST /v1/patients/${PATIENT}/attachments`]: { status: 201, body: upload() },
      "POST /attachments-bucket": { status: 204 },
      [`POST /v1/patients/${PATIENT}/attachments/att-1/check`]: { status: 200, body: pdf },
      [`POST ${inboxPath}`]: { status: 201, body: thread("t-9", { messages: [message("m-1")], unread_count: 0 }) },
      [`GET ${inboxPath}/t-9`]: { status: 200, body: thread("t-9", { messages: [message("m-1")], unread_count: 0 }) },
    });
    renderAt("/messages/new");
    expect(await screen.findByRole("heading", { level: 1, name: "New message" })).toBeTruthy();
    expect(document.title).toBe("New message | Patient portal");
    const user = userEvent.setup();
    await user.selectOptions(await screen.findByLabelText("Care team"), "Cardiology");
    await user.selectOptions(screen.getByLabelText("Care team"), "Primary Care");
    await user.type(screen.getByLabelText("Subject"), "Home readings");
    await user.type(screen.getByLabelText("Message"), "My readings this week are attached.");
    await user.upload(screen.getByLabelText("Attach files (optional)"), file("home-readings.pdf", "application/pdf", 64));
    const files = screen.getByRole("list", { name: "Attached files" });
    expect(await within(files).findByText("Ready to send")).toBeTruthy();
    await expectAccessible();

    const [announce] = posts(calls, `/v1/patients/${PATIENT}/attachments`);
    expect(announce!.body).toEqual({ file_name: "home-readings.pdf", content_type: "application/pdf", size_bytes: 64 });
    expect(keyOf(announce!)).toBeTruthy();
    const stored = posts(calls, "/attachments-bucket")[0]!.body as FormData;
    expect([...stored.keys()]).toEqual(["key", "Content-Type", "policy", "x-amz-signature", "file"]); // the file last
    expect(stored.get("key")).toBe("uploads/server-made-key");
    expect(posts(calls, "/attachments-bucket")[0]!.headers.has("Authorization")).toBe(false); // the session stays with the portal

    await user.dblClick(screen.getByRole("button", { name: "Send the message" }));
    expect(await screen.findByRole("status")).toBeTruthy();
    expect(screen.getByRole("status").textContent).toContain("Your message is sent.");
    const sent = posts(calls, inboxPath);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toEqual({
      team_id: "team-primary",
      subject: "Home readings",
      body: "My readings this week are attached.",
      attachment_ids: ["att-1"],
    });
    expect(keyOf(sent[0]!)).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(window.location.pathname).toBe("/messages/t-9");
  });

  it("refuses a file over 10 MB before uploading it, and shows the API's refusal of a disguised file next to the file field", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET /v1/patients/${PATIENT}/care-teams`]: { status: 200, body: teams },
      [`POST /v1/patients/${PATIENT}/attachments`]: { status: 201, body: upload() },
      "POST /attachments-bucket": { status: 204 },
      [`POST /v1/patients/${PATIENT}/attachments/att-1/check`]: {
        status: 400,
        body: apiError("validation_failed", "The file is not a PDF, JPEG or PNG image", []),
      },
    });
    renderAt("/messages/new");
    const user = userEvent.setup();
    const input = await screen.findByLabelText("Attach files (optional)");
    await user.upload(input, sized("scan.pdf", "application/pdf", 20 * 1024 * 1024));
    const files = screen.getByRole("list", { name: "Attached files" });
    expect(within(files).getByText("This file is larger than 10 MB. Choose a smaller file.")).toBeTruthy();
    expect(within(files).getByText(/20 MB/)).toBeTruthy();
    expect(posts(calls, `/v1/patients/${PATIENT}/attachments`)).toHaveLength(0);

    await user.upload(input, file("invoice.pdf", "application/pdf", 64)); // an executable, renamed
    expect(await within(files).findByText("The file is not a PDF, JPEG or PNG image.")).toBeTruthy();

    await user.type(screen.getByLabelText("Subject"), "Papers");
    await user.type(screen.getByLabelText("Message"), "See attached.");
    await user.click(screen.getByRole("button", { name: "Send the message" }));
    expect(await screen.findByText("Remove the files that could not be attached, then send.")).toBeTruthy();
    expect(input.getAttribute("aria-invalid")).toBe("true");
    expect(posts(calls, inboxPath)).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Remove scan.pdf" }));
    await user.click(screen.getByRole("button", { name: "Remove invoice.pdf" }));
    expect(within(files).queryAllByRole("listitem")).toHaveLength(0);
  });

  it("trusts the API's check, not the browser, on whether an upload arrived", async () => {
    setToken("tok-1");
    let checks = 0;
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET /v1/patients/${PATIENT}/care-teams`]: { status: 200, body: teams },
      [`POST /v1/patients/${PATIENT}/attachments`]: { status: 201, body: upload() },
      // storage's answer hidden from the page (or the network gone): fetch rejects either way
      "POST /attachments-bucket": () => {
        throw new TypeError("Failed to fetch");
      },
      [`POST /v1/patients/${PATIENT}/attachments/att-1/check`]: () =>
        ++checks === 1
          ? { status: 200, body: pdf }
          : { status: 409, body: apiError("conflict", "The file has not been uploaded yet") },
    });
    renderAt("/messages/new");
    const user = userEvent.setup();
    const input = await screen.findByLabelText("Attach files (optional)");
    await user.upload(input, file("arrived.pdf", "application/pdf", 64));
    const files = screen.getByRole("list", { name: "Attached files" });
    expect(await within(files).findByText("Ready to send")).toBeTruthy();
    await user.upload(input, file("lost.pdf", "application/pdf", 64));
    expect(
      await within(files).findByText("The file could not be uploaded. Check your connection, then remove it and choose it again."),
    ).toBeTruthy();
  });

  it("shows the API's refusals of the message next to the fields they name", async () => {
    setToken("tok-1");
    let sent = 0;
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET /v1/patients/${PATIENT}/care-teams`]: { status: 200, body: teams },
      [`POST ${inboxPath}`]: () =>
        ++sent === 1
          ? { status: 400, body: apiError("validation_failed", "Some answers need another look.", [{ field: "subject", issue: "must be one line of at most 150 characters" }]) }
          : { status: 404, body: apiError("not_found", "No such care team") },
    });
    renderAt("/messages/new");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Send the message" }));
    expect(screen.getAllByText("Fill in this field.")).toHaveLength(2);
    expect(sent).toBe(0);

    await user.type(screen.getByLabelText("Subject"), "Hello");
    await user.type(screen.getByLabelText("Message"), "A question.");
    await user.click(screen.getByRole("button", { name: "Send the message" }));
    // no team is chosen for the patient: sending waits for their choice, said next to the field
    const team = screen.getByLabelText("Care team");
    expect(team.getAttribute("aria-invalid")).toBe("true");
    expect(document.getElementById(team.getAttribute("aria-describedby")!)!.textContent).toBe("Choose the care team to write to.");
    expect(sent).toBe(0);
    await user.selectOptions(team, "Cardiology");
    await user.clear(screen.getByLabelText("Subject"));
    await user.clear(screen.getByLabelText("Message"));
    await user.type(screen.getByLabelText("Subject"), "Hello");
    await user.type(screen.getByLabelText("Message"), "A question.");
    await user.click(screen.getByRole("button", { name: "Send the message" }));
    expect(await screen.findByText("Must be one line of at most 150 characters.")).toBeTruthy();
    expect(screen.getByLabelText("Subject").getAttribute("aria-invalid")).toBe("true");

    await user.click(screen.getByRole("button", { name: "Send the message" }));
    expect((await screen.findByRole("alert")).textContent).toContain("No such care team");
  });

  it("starts with no care team chosen, and says what the chosen team is for and its phone", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET /v1/patients/${PATIENT}/care-teams`]: { status: 200, body: teams },
    });
    renderAt("/messages/new");
    const team = (await screen.findByLabelText("Care team")) as HTMLSelectElement;
    expect(team.value).toBe("");
    expect(team.selectedOptions[0]!.textContent).toBe("Choose a care team");
    expect(screen.queryByText("Your doctor's office")).toBeNull();
    const user = userEvent.setup();
    await user.selectOptions(team, "Primary Care");
    expect(screen.getByText("Your doctor's office")).toBeTruthy();
    expect(screen.getByText("Phone: 518-555-0100")).toBeTruthy();
    await user.selectOptions(team, "Cardiology");
    expect(screen.getByText("Heart care")).toBeTruthy();
    expect(screen.queryByText(/Phone:/)).toBeNull();
    // the intro reads as the other pages' intros do, not in the large serif lead style
    expect(screen.getByText(/Your message goes to the care team you choose/).className).not.toContain("usa-intro");
  });

  it("says how to reach the clinic when no care team takes messages", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET /v1/patients/${PATIENT}/care-teams`]: { status: 200, body: { care_teams: [] } },
    });
    renderAt("/messages/new");
    expect(await screen.findByText("No care team takes messages for this record yet. To reach your care team, call your clinic.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Send the message" })).toBeNull();
  });

  it("says in words while the care teams load, and when they cannot be listed", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET /v1/patients/${PATIENT}/care-teams`]: { status: 503, body: apiError("service_unavailable", "Care teams are unavailable for a moment.") },
    });
    renderAt("/messages/new");
    expect(screen.getByText("Loading…")).toBeTruthy();
    expect((await screen.findByRole("alert")).textContent).toBe("Care teams are unavailable for a moment.");
    expect(screen.queryByRole("button", { name: "Send the message" })).toBeNull();
  });
});

describe("a conversation", () => {
  it("shows the messages oldest first with who wrote and when, and marks the care team's reply read", async () => {
    setToken("tok-1");
    let marked = false;
    const calls = fakeApi({
      "GET /v1/me": () => ({ status: 200, body: patientMe(marked ? 0 : 1) }),
      [`GET ${inboxPath}/t-1`]: { status: 200, body: thread("t-1") },
      [`POST ${inboxPath}/t-1/read`]: () => {
        marked = true;
        return { status: 204 };
      },
      [`GET ${inboxPath}/t-1/attachments/att-1`]: {
        status: 200,
        body: { url: "http://storage.test/att-1?X-Amz-Expires=300", file_name: "home-readings.pdf", content_type: "application/pdf" },
      },
    });
    renderAt("/messages/t-1");
    expect(await screen.findByRole("heading", { level: 1, name: "Question about my blood pressure pills" })).toBeTruthy();
    expect(document.title).toBe("Conversation | Patient portal"); // the subject stays out of the tab's title
    const list = screen.getByRole("list", { name: "2 messages, oldest first" });
    const [mine, theirs] = within(list).getAllByRole("article");
    expect(mine!.textContent).toContain("Ada Lovelace");
    expect(mine!.textContent).toContain("Sent Dec 1, 2026");
    expect(theirs!.textContent).toContain("Grace Okoro, Primary Care");
    expect(theirs!.textContent).toContain("Grace Okoro, Primary Care New"); // heard apart, not "Primary CareNew"
    expect(theirs!.textContent).toContain("we will see you next week.");
    await waitFor(() => expect(posts(calls, `${inboxPath}/t-1/read`)).toHaveLength(1));
    const pages = screen.getByRole("navigation", { name: "Portal pages" });
    await waitFor(() => expect(within(pages).getByRole("link", { name: "Messages" })).toBeTruthy()); // the count went to 0
    expect(screen.queryByRole("alert")).toBeNull(); // no urgent notice
    await expectAccessible();

    await userEvent.setup().click(within(mine!).getByRole("button", { name: "Download home-readings.pdf" }));
    await waitFor(() => expect(calls.some((call) => call.path === `${inboxPath}/t-1/attachments/att-1`)).toBe(true));
  });

  it("puts the care team's urgent notice at the top, with their number", async () => {
    setToken("tok-1");
    const notice = "Your care team flagged this conversation as possibly urgent. Please call them now at 518-555-0100, or call 911 in an emergency.";
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET ${inboxPath}/t-1`]: { status: 200, body: thread("t-1", { urgent: true, urgent_notice: notice, messages: [message("m-1")] }) },
    });
    renderAt("/messages/t-1");
    const alert = await screen.findByRole("alert");
    expect(alert.className).toContain("usa-alert--emergency");
    expect(alert.textContent).toContain(notice);
    expect(within(alert).getByRole("link", { name: "Call 518-555-0100" }).getAttribute("href")).toBe("tel:5185550100");
    // it comes before everything else the conversation says
    expect(alert.compareDocumentPosition(screen.getByRole("heading", { level: 1 })) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it("sends a reply once with its Idempotency-Key, and says when the conversation was closed meanwhile", async () => {
    setToken("tok-1");
    let replies = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET ${inboxPath}/t-1`]: { status: 200, body: thread("t-1", { messages: [message("m-1")] }) },
      [`POST ${inboxPath}/t-1/replies`]: () =>
        ++replies === 1
          ? { status: 201, body: message("m-3", { body: "Thanks!" }) }
          : { status: 409, body: apiError("conflict", "This conversation is closed. Start a new message.") },
    });
    renderAt("/messages/t-1");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Your reply"), "Thanks!");
    await user.dblClick(screen.getByRole("button", { name: "Send the reply" }));
    expect((await screen.findByRole("status")).textContent).toBe("Your reply is sent.");
    expect(posts(calls, `${inboxPath}/t-1/replies`)).toHaveLength(1);
    expect(posts(calls, `${inboxPath}/t-1/replies`)[0]!.body).toEqual({ body: "Thanks!", attachment_ids: [] });
    expect((screen.getByLabelText("Your reply") as HTMLTextAreaElement).value).toBe("");

    await user.type(screen.getByLabelText("Your reply"), "One more thing");
    fireEvent.submit(screen.getByRole("button", { name: "Send the reply" }).closest("form")!);
    expect((await screen.findByRole("alert")).textContent).toContain("This conversation is closed. Start a new message.");
  });

  it("offers a new message instead of a reply box once closed", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET ${inboxPath}/t-1`]: { status: 200, body: thread("t-1", { status: "closed", messages: [message("m-1")] }) },
    });
    renderAt("/messages/t-1");
    expect(await screen.findByText("This conversation is closed. To write to your care team again, start a new message.")).toBeTruthy();
    expect(screen.queryByLabelText("Your reply")).toBeNull();
    expect(screen.getByRole("link", { name: "Write a new message" }).getAttribute("href")).toBe("/messages/new");
  });

  it("no longer tells the patient to call once the urgent conversation is closed, here or in the inbox", async () => {
    setToken("tok-1");
    const notice = "Your care team flagged this conversation as possibly urgent. Please call them now at 518-555-0100, or call 911 in an emergency.";
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET ${inboxPath}/t-1`]: {
        status: 200,
        body: thread("t-1", { status: "closed", urgent: true, urgent_notice: notice, messages: [message("m-1")] }),
      },
      [`GET ${inboxPath}`]: {
        status: 200,
        body: {
          threads: [summary("t-1", { status: "closed", urgent: true }), summary("t-2", { subject: "Still open", urgent: true })],
          next_cursor: null,
          unread_count: 0,
        },
      },
    });
    renderAt("/messages/t-1");
    expect(await screen.findByText("This conversation is closed. To write to your care team again, start a new message.")).toBeTruthy();
    expect(screen.queryByText("Call your care team now")).toBeNull();
    expect(screen.queryByText(notice)).toBeNull();

    await userEvent.setup().click(screen.getByRole("link", { name: "Back to your messages" }));
    const table = await screen.findByRole("table", { name: "2 conversations" });
    const [, closed, open] = within(table).getAllByRole("row");
    expect(closed!.textContent).toContain("Closed");
    expect(closed!.textContent).not.toContain("Call your care team");
    expect(open!.textContent).toContain("Call your care team");
  });

  it("says a conversation that is not the patient's is not found", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: patientMe() },
      [`GET ${inboxPath}/t-other`]: { status: 404, body: apiError("not_found", "No such conversation.") },
    });
    renderAt("/messages/t-other");
    expect((await screen.findByRole("alert")).textContent).toBe("No such conversation.");
    expect(screen.getByRole("heading", { level: 1, name: "Conversation" })).toBeTruthy();
  });
});
