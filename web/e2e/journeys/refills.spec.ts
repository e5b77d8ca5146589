import type { Page } from "@playwright/test";
import { DEMO, expect, expectAccessible, test } from "../fixtures";

// The demo patient's medications: the controlled substance says why it cannot be refilled online
// instead of offering a button; she asks for a refill of one that can be, staff approve it from
// their queue, and she finds it approved (and was emailed that there is an update, nothing more).
const { dana } = DEMO;
const UPDATE_SUBJECT = "There is an update to your refill request";

async function signIn(page: Page, account: { username: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel("User name").fill(account.username);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Welcome|Clinic work/ })).toBeVisible();
}

function siteNav(page: Page) {
  return page.getByRole("navigation", { name: "Portal pages" });
}

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

test("the demo patient requests a refill, staff approve it, and she sees it approved", async ({ page, api }) => {
  // She can sign in with her password, whatever second step earlier journeys gave her.
  await api.patientSession();
  await signIn(page, dana);
  await siteNav(page).getByRole("link", { name: "Medications" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Medications" })).toBeVisible();
  const list = page.getByRole("region", { name: "Your medications" });

  // The controlled substance explains itself and offers no button.
  const controlled = list
    .getByRole("listitem")
    .filter({ hasText: /This is a controlled substance \(Schedule II\)\. Refills can't be requested online: call your care team\./ });
  await expect(controlled).toHaveCount(1);
  await expect(controlled.getByRole("link", { name: /Request a refill/ })).toHaveCount(0);
  await expectAccessible(page, "medications");

  const refillable = list.getByRole("listitem").filter({ has: page.getByRole("link", { name: /^Request a refill/ }) }).first();
  const name = (await refillable.getByRole("heading", { level: 3 }).textContent())!.trim();
  await refillable.getByRole("link", { name: /^Request a refill/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Request a refill" })).toBeVisible();
  expect(await page.title()).not.toContain(name); // no medication in the tab's title or history
  await page.getByLabel("Pharmacy name").fill("Main Street Pharmacy");
  await page.getByLabel("Pharmacy phone number (optional)").fill("518-555-0199");
  await page.getByLabel("Note for your care team (optional)").fill("Running low: three days left.");
  await expectAccessible(page, "request a refill");
  // a double click sends one request
  await page.getByRole("button", { name: "Send the refill request" }).dblclick();
  await expect(page.getByRole("status")).toContainText("Your refill request is sent.");
  await expect(page.getByText("Waiting for your care team")).toBeVisible();
  expect(new URL(page.url()).pathname).toMatch(/^\/medications\/refill-requests\/[0-9a-f]{32}$/);
  await expectAccessible(page, "refill request, sent");

  // Back on the list, the medication now points at the request instead of offering another.
  await page.getByRole("link", { name: "Back to medications" }).click();
  const asked = list.getByRole("listitem", { name });
  await expect(asked.getByRole("link", { name: "See your refill request" })).toBeVisible();
  await signOut(page);

  // Staff find it in their queue, once, and approve it.
  await signIn(page, DEMO.staff);
  await siteNav(page).getByRole("link", { name: "Refill requests" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Refill requests" })).toBeVisible();
  const request = page.getByRole("link", { name: new RegExp(`^${escaped(name)} for Dana`) });
  await expect(request).toHaveCount(1);
  await expectAccessible(page, "refill requests");
  await request.click();
  await expect(page.getByRole("heading", { level: 1, name: "Refill request" })).toBeVisible();
  await expect(page.getByText("Main Street Pharmacy")).toBeVisible();
  await expect(page.getByText("Running low: three days left.")).toBeVisible();
  await expectAccessible(page, "refill request");
  await page.getByRole("button", { name: "Approve the refill" }).click();
  await expect(page.getByRole("status")).toHaveText("The refill is approved. The patient is told.");
  await expect(page.getByRole("button", { name: "Approve the refill" })).toHaveCount(0);
  await signOut(page);

  // She was emailed that there is an update (a link to her medications, nothing about them) ...
  const [link] = await api.emailedLinks(dana.email, UPDATE_SUBJECT);
  expect(new URL(link!).pathname).toBe("/medications");

  // ... and finds the request approved.
  await signIn(page, dana);
  await page.goto("/medications");
  const requests = page.getByRole("region", { name: "Your refill requests" });
  const approved = requests.getByRole("listitem").filter({ hasText: name }).first();
  await expect(approved).toContainText("Approved");
  await approved.getByRole("link", { name }).click();
  await expect(page.getByText("Your care team approved this refill.")).toBeVisible();
  await expectAccessible(page, "refill request, approved");
});
