import type { APIRequestContext, Page } from "@playwright/test";
import { type Api, DEMO, expect, expectAccessible, test } from "../fixtures";

// The demo patient writes to her Primary Care team with a PDF attached; the team is emailed that
// a message waits (never what it says), a staff member replies from the team's inbox, and she is
// emailed in turn, sees the unread count, reads the reply and the count goes back to zero.
// (Runs after the other journeys, which enroll her: playwright.config.ts.)

const { dana } = DEMO;
const STAFF_EMAIL = "demo.staff@albany-medical-center.example"; // the seeded staff account's (infra/local/seed.py)
const TEAM_EMAIL_SUBJECT = "A patient message is waiting in your care team's inbox";
const PATIENT_EMAIL_SUBJECT = "You have a new message in your patient portal";

// The smallest file a PDF reader opens: what the portal checks is its content, not its name.
const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" +
    "trailer<</Root 1 0 R>>\n%%EOF\n",
);

// A Windows program's first bytes ("MZ" and its DOS stub), whatever its name says.
const PROGRAM = Buffer.concat([Buffer.from("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff", "latin1"), Buffer.alloc(512, 0)]);

function siteNav(page: Page) {
  return page.getByRole("navigation", { name: "Portal pages" });
}

async function signIn(page: Page, account: { username: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel("User name").fill(account.username);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Welcome|Clinic work/ })).toBeVisible();
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
}

/** The text of the newest email to ``address`` with ``subject`` the local stack sent. */
async function emailText(request: APIRequestContext, address: string, subject: string): Promise<string> {
  const answer = await request.get("/dev/mailbox?format=json&limit=100");
  const emails: { to: string[]; subject: string; text: string }[] = (await answer.json()).emails;
  return emails.find((email) => email.to.includes(address) && email.subject === subject)?.text ?? "";
}

/** Marks every conversation of the patient read, through the API, as if she had opened each. */
async function readEverything(api: Api, token: string) {
  const me = await (await api.call("GET", "/v1/me", undefined, token)).json();
  const patientId: string = me.patient.patient_id;
  const inbox = await (await api.call("GET", `/v1/patients/${patientId}/messages?limit=50`, undefined, token)).json();
  for (const thread of inbox.threads as { thread_id: string; unread_count: number }[]) {
    if (thread.unread_count === 0) continue;
    const read = await api.call("POST", `/v1/patients/${patientId}/messages/${thread.thread_id}/read`, undefined, token);
    expect(read.status(), await read.text()).toBe(204);
  }
}

test("a patient writes to her care team with a PDF attached, staff reply from the team inbox, and she reads the reply", async ({
  page,
  api,
  request,
}) => {
  const token = await api.patientSession(); // she has an account and signs in with her password
  await readEverything(api, token); // (the seeded demo conversation's reply among them): her count starts at zero
  const subject = `Home blood pressure readings ${Date.now()}`;
  const body = "My readings from this week are attached. Should I change the dose?";
  const answer = "Thank you. Keep the same dose; we will check again at your next visit.";

  // She writes to Primary Care with her readings attached.
  await signIn(page, dana);
  await siteNav(page).getByRole("link", { name: /^Messages/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Messages" })).toBeVisible();
  await expectAccessible(page, "messages");
  await page.getByRole("link", { name: "Write a new message" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New message" })).toBeVisible();
  await page.getByLabel("Care team").selectOption({ label: "Primary Care" });
  await page.getByLabel("Subject").fill(subject);
  await page.getByLabel("Message").fill(body);
  const files = page.getByRole("list", { name: "Attached files" });
  // A program renamed .pdf is uploaded, then refused by what its bytes are, next to the file field.
  await page.getByLabel("Attach files (optional)").setInputFiles({ name: "invoice.pdf", mimeType: "application/pdf", buffer: PROGRAM });
  await expect(files.getByText("The file is not a PDF, JPEG or PNG image.")).toBeVisible();
  await page.getByRole("button", { name: "Remove invoice.pdf" }).click();
  await page.getByLabel("Attach files (optional)").setInputFiles({ name: "readings.pdf", mimeType: "application/pdf", buffer: PDF });
  await expect(files.getByText("Ready to send")).toBeVisible();
  await expectAccessible(page, "new message");
  await page.getByRole("button", { name: "Send the message" }).dblclick(); // a double click sends once
  await expect(page.getByRole("status")).toContainText("Your message is sent.");
  await expect(page.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  await expect(page.getByRole("button", { name: "Download readings.pdf" })).toBeVisible();
  await expect(page).not.toHaveURL(/Home|blood|readings/); // the address names the conversation by its id only
  await expectAccessible(page, "conversation");
  await signOut(page);

  // The team is told a message waits, and nothing of what it says.
  const [link] = await api.emailedLinks(STAFF_EMAIL, TEAM_EMAIL_SUBJECT);
  expect(new URL(link!).pathname).toBe("/staff/messages");
  const told = await emailText(request, STAFF_EMAIL, TEAM_EMAIL_SUBJECT);
  expect(told).not.toContain(subject);
  expect(told).not.toContain("Rivera");

  // Staff find it in the team inbox and reply.
  await signIn(page, DEMO.staff);
  await siteNav(page).getByRole("link", { name: "Messages" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Messages" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 3, name: "Primary Care" })).toBeVisible();
  const conversation = page.getByRole("link", { name: subject });
  await expect(conversation).toHaveCount(1);
  await expectAccessible(page, "team inboxes");
  await conversation.click();
  await expect(page.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  await expect(page.getByText(body)).toBeVisible();
  await expect(page.getByRole("button", { name: "Download readings.pdf" })).toBeVisible();
  await page.getByLabel("Your reply").fill(answer);
  await page.getByRole("button", { name: "Send the reply" }).click();
  await expect(page.getByRole("status")).toHaveText("Your reply is sent. The conversation is now: Waiting on patient.");
  await expect(page.getByText(answer)).toBeVisible();
  await expectAccessible(page, "patient conversation");
  await signOut(page);

  // She is emailed that a message waits, and nothing of what it says.
  await api.emailedLinks(dana.email, PATIENT_EMAIL_SUBJECT);
  const toldHer = await emailText(request, dana.email, PATIENT_EMAIL_SUBJECT);
  expect(toldHer).not.toContain(answer);
  expect(toldHer).not.toContain("Primary Care");

  // She sees the count, reads the reply, and the count goes to zero.
  await signIn(page, dana);
  await expect(siteNav(page).getByRole("link", { name: "Messages (1 unread message)" })).toBeVisible();
  await page.getByRole("link", { name: "You have 1 unread message" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Messages" })).toBeVisible();
  await page.getByRole("link", { name: subject }).click();
  await expect(page.getByRole("heading", { level: 1, name: subject })).toBeVisible();
  await expect(page.getByText(answer)).toBeVisible();
  await expect(siteNav(page).getByRole("link", { name: "Messages", exact: true })).toBeVisible();
  await expectAccessible(page, "conversation with the reply");
});
