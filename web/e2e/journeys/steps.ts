import { createHash } from "node:crypto";
import type { Page } from "@playwright/test";
import { DEMO, expect, expectAccessible } from "../fixtures";

// Steps the appointment journeys share: signing in and out, the clinic's calendar, and the check-in
// wizard walked as a patient walks it (details, questions, two forms signed with a signature drawn
// with the mouse, the signed PDF opened and hashed), then staff's view of it.

export const ZONE = "America/New_York"; // the demo organization's clock: the feed's times carry no offset

export async function signIn(page: Page, account: { username: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel("User name").fill(account.username);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Welcome|Clinic work/ })).toBeVisible();
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
}

export function siteNav(page: Page) {
  return page.getByRole("navigation", { name: "Portal pages" });
}

/** The day `days` from now on the organization's calendar, as YYYY-MM-DD (as a date field holds it). */
export function dayAhead(days: number): string {
  // (en-CA writes a date as 2027-01-15)
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(Date.now() + days * 86_400_000),
  );
}

/**
 * A time of day for a visit, different from one run to the next, so that a run against a stack an
 * earlier run used (PORTAL_BASE_URL) finds its own visit: 08:00 to 15:55, as "HHMM".
 */
export function visitTime(): string {
  const minutes = 8 * 60 + Math.floor(Math.random() * 96) * 5;
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}${String(minutes % 60).padStart(2, "0")}`;
}

/** "HHMM" plus `minutes`, as "HHMM" (within the day). */
export function later(hhmm: string, minutes: number): string {
  const total = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(2)) + minutes;
  return `${String(Math.floor(total / 60)).padStart(2, "0")}${String(total % 60).padStart(2, "0")}`;
}

/** That time as the pages say it ("3:05 PM"). */
export function timeWords(hhmm: string): string {
  const date = new Date(Date.UTC(2027, 0, 1, Number(hhmm.slice(0, 2)), Number(hhmm.slice(2))));
  return new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", timeZone: "UTC" }).format(date);
}

/** A signature drawn with the mouse: a few strokes across the pad. */
export async function drawSignature(page: Page) {
  const pad = page.getByRole("img", { name: "Draw your signature (optional)" });
  await pad.scrollIntoViewIfNeeded();
  const box = (await pad.boundingBox())!;
  const at = (x: number, y: number) => [box.x + box.width * x, box.y + box.height * y] as const;
  await page.mouse.move(...at(0.1, 0.6));
  await page.mouse.down();
  for (const [x, y] of [
    [0.2, 0.3],
    [0.3, 0.7],
    [0.4, 0.3],
    [0.5, 0.7],
    [0.7, 0.4],
    [0.9, 0.5],
  ] as const) {
    await page.mouse.move(...at(x, y), { steps: 5 });
  }
  await page.mouse.up();
  await expect(page.getByText("A drawn signature will be added.")).toBeVisible();
}

export const FORMS = ["Consent to treat", "Notice of privacy practices"] as const;

/**
 * On the check-in page of an open visit: confirm the details, answer the visit type's questions,
 * sign both forms (typed name and a signature drawn with the mouse), finish.
 */
export async function checkIn(page: Page) {
  await expect(page.getByRole("heading", { level: 1, name: "Check in for your visit" })).toBeVisible();
  expect(await page.title()).toBe("Check in for your visit | Patient portal"); // nothing about the visit in the title

  // Step 1: her details as the chart has them.
  await expect(page.getByRole("heading", { level: 2, name: "Step 1 of 3: Your details" })).toBeVisible();
  await expect(page.getByText("Dana", { exact: false }).first()).toBeVisible();
  await expectAccessible(page, "check-in: your details");
  await page.getByRole("button", { name: "These details are right" }).click();

  // Step 2: the visit type's questions.
  await expect(page.getByRole("heading", { level: 2, name: "Step 2 of 3: Questions" })).toBeVisible();
  await page.getByLabel("What is the main reason for your visit? (required)").fill("A yearly check-up");
  // (USWDS draws its own radio and checkbox over the hidden input: a person clicks the label)
  await page.getByRole("group", { name: /Have your allergies changed/ }).getByText("No", { exact: true }).click();
  await page.getByLabel(/How much pain are you in today/).selectOption("2");
  await expectAccessible(page, "check-in: questions");
  await page.getByRole("button", { name: "Save the answers" }).click();

  // Step 3: two forms, each read, ticked, signed with the typed name and a signature drawn with the mouse.
  await expect(page.getByRole("heading", { level: 2, name: "Step 3 of 3: Forms" })).toBeVisible();
  for (const title of FORMS) {
    await expect(page.getByRole("heading", { level: 3, name: title })).toBeVisible();
    await expect(page.getByRole("region", { name: `Text of ${title}` })).toBeVisible();
    if (title === FORMS[0]) await expectAccessible(page, "check-in: a form to sign");
    await page.getByText(`I have read ${title}`).click();
    await page.getByLabel("Your full name").fill("Dana M Rivera");
    await drawSignature(page);
    await page.getByRole("button", { name: `Sign ${title}` }).click();
    await expect(page.getByText(new RegExp(`^${title}: signed on`))).toBeVisible();
  }
  await page.getByRole("button", { name: "Finish check-in" }).click();
  await expect(page.getByRole("heading", { name: "You are checked in" })).toBeVisible();
  await expectAccessible(page, "check-in: done");
}

/**
 * The signed consent opens in a new tab from its five-minute link; the PDF at that link hashes to
 * the SHA-256 the API recorded, and carries the drawn signature as an image.
 */
export async function openSignedPdf(page: Page) {
  const asked = page.waitForResponse((response) => /\/signed-forms\/[^/]+$/.test(new URL(response.url()).pathname));
  const pdf = page.context().waitForEvent("response", (response) => (response.headers()["content-type"] ?? "").startsWith("application/pdf"));
  const popup = page.waitForEvent("popup");
  await page.getByRole("button", { name: `Open the signed ${FORMS[0]} (PDF)` }).click();
  const signed = await (await asked).json();
  expect(signed.has_drawn_signature).toBe(true);
  expect(new URL(signed.download_url).searchParams.get("X-Amz-Expires")).toBe("300");
  const received = await pdf; // the new tab got a PDF from the link the API gave
  expect(received.url()).toBe(signed.download_url);
  // (Chromium's PDF viewer stands in for the body it shows: the link's bytes are fetched again to hash them)
  const bytes = await (await page.request.get(signed.download_url)).body();
  expect(bytes.subarray(0, 5).toString("latin1")).toBe("%PDF-");
  expect(createHash("sha256").update(bytes).digest("hex")).toBe(signed.pdf_sha256);
  expect(bytes.toString("latin1")).toMatch(/\/Subtype\s*\/Image/);
  await (await popup).close();
}

/** Staff see the visit checked in on its day's list, and its check-in read-only. */
export async function staffSeeItCheckedIn(page: Page, day: string, hhmm: string) {
  await signIn(page, DEMO.staff);
  await siteNav(page).getByRole("link", { name: "Check-ins" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check-ins" })).toBeVisible();
  await page.getByLabel("Day").fill(day);
  const row = page.getByRole("row", { name: /Dana/ }).filter({ hasText: timeWords(hhmm) });
  await expect(row).toContainText("Checked in");
  await expect(row).toContainText("2 of 2");
  await expectAccessible(page, "staff check-ins");
  await row.getByRole("link", { name: /Dana/ }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Check-in" })).toBeVisible();
  await expect(page.getByText("A yearly check-up")).toBeVisible();
  await expect(page.getByText("Forms signed: 2 of 2.")).toBeVisible();
  await expectAccessible(page, "staff: one check-in");
  await signOut(page);
}
