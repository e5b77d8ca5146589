import { DEMO, expect, expectAccessible, INVITATION_SUBJECT, test } from "../fixtures";
const { dana } = DEMO;

test("a patient enrolls from the emailed link, reads her corrected result and her documents, and signs out", async ({
  page,
  api,
}) => {
  // The clinic invites her (staff find her by record number; her record came through the feed
  // moments after the stack started, so it may take a moment to be there).
  const staff = await api.signIn(DEMO.staff);
  const patientId = await api.findPatient(dana.mrn, staff);
  const invited = await api.call("POST", "/v1/staff/invitations", { patient_id: patientId, email: dana.email }, staff);
  expect(invited.status(), await invited.text()).toBe(201);

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
  await page.getByLabel("User name").fill(dana.username);
  await page.getByLabel("Password").fill(dana.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Welcome" })).toBeVisible();
  await expect(page.getByText(`Signed in as ${dana.username}`)).toBeVisible();
  await expect(page.getByRole("heading", { name: "Notifications" })).toBeVisible();
  await expectAccessible(page, "home");

  // Her results: the hemoglobin A1c was corrected, and what it said first is kept.
  await page.getByRole("navigation", { name: "Portal pages" }).getByRole("link", { name: "Test results" }).click();
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
  await page.getByRole("navigation", { name: "Portal pages" }).getByRole("link", { name: "Documents" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Documents" })).toBeVisible();
  await expect(page.getByText(/After visit summary/i).first()).toBeVisible();
  await expectAccessible(page, "documents");

  // She signs out: the session is gone from the tab, and her pages ask her to sign in again.
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  expect(await page.evaluate(() => window.sessionStorage.length)).toBe(0);
  await page.goto("/results");
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
});
