import type { Page } from "@playwright/test";
import { DEMO, expect, expectAccessible, INVITATION_SUBJECT, sendToFeed, test } from "../fixtures";
import { totp } from "../totp";

// One story, in order, on one stack: an admin sets when lab results are shown, staff invite the
// demo patient, she enrolls and reads her record, then a critical lab result arrives (shown at
// once: no policy delays it) with a routine one (which waits), and staff hold and release the
// routine one and close the call they must make about the critical one.
test.describe.configure({ mode: "serial" });

const { dana } = DEMO;
const DANA = /Dana .*Rivera/;

// A critical potassium for Dana, as the lab's system would send it (HL7 v2, carriage returns).
const CRITICAL_POTASSIUM = [
  "MSH|^~\\&|LAB|AMC|PORTAL|AMC|20261125091500||ORU^R01^ORU_R01|BROWSER-LAB-0001|P|2.5.1",
  "PID|1||AMC-100001^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F",
  "ORC|RE|PL-BROWSER-1^EPIC|FL-BROWSER-1^LAB||CM||||20261125080000|||1234^Okoro^Grace^^^Dr^MD",
  "OBR|1|PL-BROWSER-1^EPIC|FL-BROWSER-1^LAB|2823-3^Potassium [Moles/volume] in Serum or Plasma^LN|||20261125080000|||||||||1234^Okoro^Grace^^^Dr^MD||||||20261125091000||CH|F",
  "OBX|1|NM|2823-3^Potassium [Moles/volume] in Serum or Plasma^LN||6.9|mmol/L|3.5-5.1|HH|||F|||20261125080000|||||||||AMC Core Laboratory",
].join("\r");

// A routine sodium from the same lab: the lab policy's three days apply to it.
const ROUTINE_SODIUM = [
  "MSH|^~\\&|LAB|AMC|PORTAL|AMC|20261125091600||ORU^R01^ORU_R01|BROWSER-LAB-0002|P|2.5.1",
  "PID|1||AMC-100001^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F",
  "OBR|1|PL-BROWSER-2^EPIC|FL-BROWSER-2^LAB|2951-2^Sodium [Moles/volume] in Serum or Plasma^LN|||20261125080000|||||||||1234^Okoro^Grace^^^Dr^MD||||||20261125091100||CH|F",
  "OBX|1|NM|2951-2^Sodium [Moles/volume] in Serum or Plasma^LN||140|mmol/L|135-145|N|||F|||20261125080000",
].join("\r");

async function signInWithPassword(page: Page, account: { username: string; password: string }) {
  await page.getByLabel("User name").fill(account.username);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signIn(page: Page, account: { username: string; password: string }) {
  await page.goto("/sign-in");
  await signInWithPassword(page, account);
  await expect(page.getByRole("heading", { level: 1, name: /Welcome|Clinic work/ })).toBeVisible();
}

function siteNav(page: Page) {
  return page.getByRole("navigation", { name: "Portal pages" });
}

test("an admin delays new lab results by three days", async ({ page }) => {
  await signIn(page, DEMO.admin);
  await siteNav(page).getByRole("link", { name: "Release policy" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Release policy" })).toBeVisible();
  const lab = page.getByRole("group", { name: "Laboratory results" });
  await expect(lab.getByText("Shown at once.")).toBeVisible();
  await expectAccessible(page, "release policy");

  await lab.getByLabel("Wait").fill("3");
  await lab.getByLabel("Unit").selectOption({ label: "days" });
  await expect(lab.getByText("Shown 3 days after it is filed.")).toBeVisible();
  // a wait names the information-blocking exception it relies on
  await lab.getByLabel("Exception this wait relies on").selectOption({ label: "Preventing harm (45 CFR 171.201)" });
  await page.getByRole("button", { name: "Save the release policy" }).click();
  await expect(page.getByText("The release policy is saved.")).toBeVisible();
  await expectAccessible(page, "release policy, saved");

  // It is the organization's policy now, not just this page's state.
  await page.reload();
  await expect(page.getByRole("group", { name: "Laboratory results" }).getByText("Shown 3 days after it is filed.")).toBeVisible();
});

test("staff find the demo patient and invite her", async ({ page }) => {
  await signIn(page, DEMO.staff);
  await expectAccessible(page, "staff home");
  await siteNav(page).getByRole("link", { name: "Patients" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Find a patient" })).toBeVisible();
  await expectAccessible(page, "find a patient");

  // Her record came through the feed moments after the stack started: search until it is there.
  await expect(async () => {
    await page.getByLabel("Medical record number (MRN)").fill(dana.mrn);
    await page.getByRole("button", { name: "Find" }).click();
    await expect(page.getByRole("heading", { level: 3, name: DANA })).toBeVisible({ timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page).not.toHaveURL(new RegExp(dana.mrn)); // the record number stays out of the address
  await expectAccessible(page, "a patient found");

  await page.getByRole("link", { name: /^Open Dana .*Rivera's page$/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: DANA })).toBeVisible();
  await expect(page.getByText("Not invited", { exact: true })).toBeVisible();
  await expectAccessible(page, "the patient's page");

  await page.getByRole("textbox", { name: "Email address", exact: true }).fill(dana.email); // (the invitation's)
  await page.getByRole("button", { name: "Send invitation" }).click();
  await expect(page.getByRole("status")).toContainText(`An invitation was sent to ${dana.email}`);
  await expect(page.getByRole("table", { name: "Invitations" })).toContainText("Pending");
  await expectAccessible(page, "the patient's page, invited");
});

test("the patient enrolls from the emailed link, sets up an authenticator and signs in with it, reads her corrected result, opens a document, reads who looked at her record and her sign-in history, and signs out", async ({
  page,
  api,
}) => {
  // She follows the link in her email; the code leaves the address bar at once.
  const [link] = await api.emailedLinks(dana.email, INVITATION_SUBJECT);
  await page.goto(link!);
  await expect(page.getByRole("heading", { level: 1, name: "Create your account" })).toBeVisible();
  await expect(page).toHaveURL(/\/enroll$/);
  await expect(page.getByLabel("Invitation code")).not.toHaveValue("");
  await expectAccessible(page, "enroll");

  await page.getByLabel("Date of birth").fill(dana.birthDate);
  await page.getByLabel("Family name (last name)").fill(dana.familyName);
  await page.getByLabel("Choose a user name").fill(dana.username);
  await page.getByLabel("Choose a password").fill(dana.password);
  await page.getByLabel("Email address").fill(dana.email);
  // USWDS draws its own box over the input, so she ticks it by its words.
  await page.getByText("I have read and accept").click();
  await expect(page.getByLabel("I have read and accept")).toBeChecked();
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account is ready" })).toBeVisible();
  await expectAccessible(page, "enrolled");

  // She signs in.
  await page.getByRole("main").getByRole("link", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await expectAccessible(page, "sign in");
  await signInWithPassword(page, dana);
  await expect(page.getByRole("heading", { level: 1, name: "Welcome" })).toBeVisible();
  await expect(page.getByText(`Signed in as ${dana.username}`)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Notifications" })).toBeVisible();
  await expectAccessible(page, "home");

  // She adds an authenticator app: her phone would read the key the page shows; this test computes
  // the app's codes from it.
  await siteNav(page).getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await expectAccessible(page, "account");
  await page.getByRole("link", { name: "Sign-in security" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign-in security" })).toBeVisible();
  await expectAccessible(page, "sign-in security");
  await page.getByRole("link", { name: "Set up an authenticator app" }).click();
  await page.getByRole("button", { name: "Start setting up" }).click();
  const key = page.getByLabel("Key for your authenticator app");
  await expect(key).toBeVisible();
  await expect(page.getByRole("img", { name: /QR code/ })).toBeVisible();
  await expectAccessible(page, "authenticator set-up");
  const seed = (await key.textContent())!.replaceAll(" ", "");
  await page.getByLabel("Code the app shows now").fill(totp(seed));
  await page.getByLabel("Your current password").fill(dana.password);
  await page.getByRole("button", { name: "Turn on the authenticator app" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Your second sign-in step is on" })).toBeVisible();
  await expect(page.getByRole("list", { name: "Your recovery codes" }).getByRole("listitem").first()).toBeVisible();
  await expectAccessible(page, "recovery codes");
  await page.getByText("I have saved these codes somewhere safe").click();
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign-in security" })).toBeVisible();

  // Signing in now asks for the app's code after her password. The code she set it up with was
  // used once, so she types the next one the app shows (the portal allows one step of drift).
  await page.getByRole("button", { name: "Sign out" }).click();
  await signInWithPassword(page, dana);
  await expect(page.getByRole("heading", { level: 1, name: "Enter your code" })).toBeVisible();
  await expectAccessible(page, "sign-in code");
  await expect(page.getByRole("radio", { name: "A code from your authenticator app" })).toBeChecked();
  await page.getByRole("textbox", { name: "Code from your authenticator app" }).fill(totp(seed, Date.now() + 30_000));
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Welcome" })).toBeVisible();

  // Her results: the hemoglobin A1c was corrected, and what it said first is kept.
  await siteNav(page).getByRole("link", { name: "Test results" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Test results" })).toBeVisible();
  const a1c = page.getByRole("link", { name: /Hemoglobin A1c/ });
  await expect(a1c).toBeVisible();
  await expect(page.getByRole("link", { name: /Lipid panel/ })).toBeVisible();
  await expectAccessible(page, "results");

  await a1c.click();
  await expect(page.getByRole("heading", { level: 1, name: /Hemoglobin A1c/ })).toBeVisible();
  await expect(page.getByText("Report status: Corrected")).toBeVisible();
  await expect(page.getByText("Version 2 (this result was corrected)")).toBeVisible();
  await expect(page.getByRole("table", { name: "Values" }).getByRole("cell", { name: /^5\.6/ })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Earlier versions" })).toBeVisible();
  await page.getByText(/^Version 1: /).click(); // opens the earlier version
  await expect(page.getByRole("table", { name: "Values in version 1" }).getByRole("cell", { name: /^5\.9/ })).toBeVisible();
  await expectAccessible(page, "a result with an earlier version");

  // Her documents: the summary of her last visit.
  await siteNav(page).getByRole("link", { name: "Documents" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Documents" })).toBeVisible();
  await expect(page.getByText(/After visit summary/i).first()).toBeVisible();
  await expectAccessible(page, "documents");
  // She opens it: the portal hands a new window a short-lived link to the file; the portal's tab
  // stays where it was (the link never enters its history).
  const opened = page.waitForEvent("popup");
  await page.getByRole("button", { name: /^Open After visit summary/i }).click();
  const file = await opened;
  await expect(file.getByText(/Visit with Dr\. Grace Okoro/)).toBeVisible();
  await file.close();
  await expect(page.getByRole("heading", { level: 1, name: "Documents" })).toBeVisible();

  // Who looked at her record: her own reads, and the staff who invited her.
  await siteNav(page).getByRole("link", { name: "Who looked at my record" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Who looked at my record" })).toBeVisible();
  const log = page.getByRole("table", { name: "Who looked at my record" });
  await expect(log.getByRole("row").filter({ hasText: "Opened a document" }).first()).toBeVisible();
  await expect(log.getByRole("row").filter({ hasText: "Read a test result" }).first()).toContainText("You");
  await expect(log.getByRole("row").filter({ hasText: "Invited you to the portal" })).toContainText("Staff of your care team");
  await expectAccessible(page, "access log");

  // Her sign-in history shows the authenticator turned on and her sign-ins.
  await siteNav(page).getByRole("link", { name: "Account" }).click();
  await page.getByRole("link", { name: "Sign-in history" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign-in history" })).toBeVisible();
  await expect(page.getByText("Authenticator app turned on")).toBeVisible();
  await expect(page.getByText("Signed in").first()).toBeVisible();
  await expectAccessible(page, "sign-in history");

  // She signs out: the session is gone from the tab, and her pages ask her to sign in again.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
  await page.goto("/results");
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
});

test("a critical result is shown at once; staff hold and release a delayed one, and close the call", async ({
  page,
}) => {
  expect(await sendToFeed(CRITICAL_POTASSIUM)).toMatch(/filed/i);
  expect(await sendToFeed(ROUTINE_SODIUM)).toMatch(/filed/i);

  await signIn(page, DEMO.staff);
  await siteNav(page).getByRole("link", { name: "Worklist" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Worklist" })).toBeVisible();
  const call = page.getByRole("row").filter({ hasText: "Call about a critical result" }).filter({ hasText: DANA });
  await expect(call).toBeVisible();
  await expectAccessible(page, "worklist");

  // Her results as staff see them: the critical potassium is shown at once (the lab policy's
  // three days never hold a critical value back); the routine sodium waits them.
  await call.getByRole("link", { name: "Their results" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Results and documents" })).toBeVisible();
  const potassium = page.getByRole("row").filter({ hasText: /^Potassium/ });
  await expect(potassium).toContainText("Shown since");
  const sodium = page.getByRole("row").filter({ hasText: /^Sodium/ });
  await expect(sodium).toContainText(/Delayed by the release policy until .* \(Preventing harm\)/);
  await expectAccessible(page, "the patient's results, staff");

  await sodium.getByRole("button", { name: /^Hold back Sodium/ }).click();
  await expect(page.getByRole("group", { name: /^Hold back Sodium/ })).toBeVisible();
  await page.getByLabel("Why it is held back").selectOption({ label: "A clinician's review" });
  await expectAccessible(page, "holding a result back");
  await page.getByRole("button", { name: "Yes, hold it back" }).click();
  await expect(page.getByRole("status")).toContainText("is held back");
  await expect(sodium).toContainText("Held back by staff: A clinician's review");

  await sodium.getByRole("button", { name: /^Release now: Sodium/ }).click();
  await page.getByRole("button", { name: "Yes, release it" }).click();
  await expect(page.getByRole("status")).toContainText("is shown to the patient since");
  await expect(sodium).toContainText("Shown since");

  // The call is made: the item closes with what came of it.
  await siteNav(page).getByRole("link", { name: "Worklist" }).click();
  await expect(call).toBeVisible();
  await call.getByLabel(/^Outcome/).selectOption({ label: "Reached the patient" });
  await call.getByRole("button", { name: /^Close the item about Dana/ }).click();
  await expect(page.getByRole("status")).toContainText("is closed: Reached the patient");
  await expect(call).toHaveCount(0);
  await expectAccessible(page, "worklist, item closed");
});
