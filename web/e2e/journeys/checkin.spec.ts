import { createHash } from "node:crypto";
import type { Page } from "@playwright/test";
import { DEMO, expect, expectAccessible, sendToFeed, test } from "../fixtures";

// The demo patient checks in online for tomorrow's visit: she confirms her details, answers the
// visit's questions, signs the two forms the clinic attached (drawing her signature with the
// mouse), finishes, and opens a signed PDF whose bytes hash to what the API recorded; staff see the
// visit checked in on their day's list. The visit arrives through the feed, as the scheduling
// system would send it; she opens its check-in by its address (the visit's page links there).
const { dana } = DEMO;
const ZONE = "America/New_York"; // the demo organization's clock: the feed's times carry no offset

/** Tomorrow's date on the clinic's calendar, as YYYY-MM-DD. */
function tomorrowInClinic(): string {
  // (en-CA writes a date as 2027-01-15)
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    new Date(Date.now() + 24 * 3600 * 1000),
  );
}

/**
 * A time of day for the visit, different from one run to the next, so that a run against a stack
 * an earlier run used (PORTAL_BASE_URL) finds its own visit: 08:00 to 15:55, as "HHMM".
 */
function visitTime(): string {
  const minutes = 8 * 60 + Math.floor(Math.random() * 96) * 5;
  return `${String(Math.floor(minutes / 60)).padStart(2, "0")}${String(minutes % 60).padStart(2, "0")}`;
}

/** That time as the pages say it ("3:05 PM"). */
function timeWords(hhmm: string): string {
  const date = new Date(Date.UTC(2027, 0, 1, Number(hhmm.slice(0, 2)), Number(hhmm.slice(2))));
  return new Intl.DateTimeFormat("en-US", { hour: "numeric", minute: "2-digit", timeZone: "UTC" }).format(date);
}

/** A 30-minute visit tomorrow for Dana, booked in the scheduling system (HL7 v2 SIU^S12). */
function visitTomorrow(day: string, hhmm: string, placer: string): string {
  const compact = day.replaceAll("-", "");
  const endMinutes = Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(2)) + 30;
  const end = `${String(Math.floor(endMinutes / 60)).padStart(2, "0")}${String(endMinutes % 60).padStart(2, "0")}`;
  return [
    `MSH|^~\\&|CADENCE|AMC|PORTAL|AMC|${compact}080000||SIU^S12^SIU_S12|${placer}|P|2.5.1`,
    `SCH|${placer}^CADENCE|${placer}^CADENCE|||||CHECKUP^Check-up|CHK30^Check-up 30 minutes|30|min|^^30^${compact}${hhmm}00^${compact}${end}00||||||||||||||Booked`,
    "PID|1||AMC-100001^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F",
    "RGS|1|A",
    "AIL|1||AMC-FM^^^AMC Family Medicine",
    "AIP|1||1234^Okoro^Grace^^^Dr^MD",
  ].join("\r");
}

async function signIn(page: Page, account: { username: string; password: string }) {
  await page.goto("/sign-in");
  await page.getByLabel("User name").fill(account.username);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Welcome|Clinic work/ })).toBeVisible();
}

/** A signature drawn with the mouse: a few strokes across the pad. */
async function drawSignature(page: Page) {
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

test("the demo patient checks in, signs two forms with a drawn signature, and downloads a signed PDF", async ({ page, api }) => {
  const token = await api.patientSession();
  const day = tomorrowInClinic();
  const hhmm = visitTime();
  expect(await sendToFeed(visitTomorrow(day, hhmm, `CHECKIN-${Date.now()}`))).toMatch(/filed/i);
  const patientId = (await (await api.call("GET", "/v1/me", undefined, token)).json()).patient.patient_id;
  let appointmentId = "";
  await expect
    .poll(
      async () => {
        const listed = await api.call("GET", `/v1/patients/${patientId}/appointments?when=upcoming&limit=50`, undefined, token);
        const visits: { id: string; starts_at: string; type: string }[] = (await listed.json()).appointments ?? [];
        appointmentId = visits.find((visit) => visit.starts_at.startsWith(`${day}T${hhmm.slice(0, 2)}:${hhmm.slice(2)}`))?.id ?? "";
        return appointmentId;
      },
      { timeout: 30_000, message: "tomorrow's visit, filed by the feed" },
    )
    .not.toBe("");

  await signIn(page, dana);
  await page.goto(`/appointments/${appointmentId}/check-in`);
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
  for (const title of ["Consent to treat", "Notice of privacy practices"]) {
    await expect(page.getByRole("heading", { level: 3, name: title })).toBeVisible();
    await expect(page.getByRole("region", { name: `Text of ${title}` })).toBeVisible();
    if (title === "Consent to treat") await expectAccessible(page, "check-in: a form to sign");
    await page.getByText(`I have read ${title}`).click();
    await page.getByLabel("Your full name").fill("Dana M Rivera");
    await drawSignature(page);
    await page.getByRole("button", { name: `Sign ${title}` }).click();
    await expect(page.getByText(new RegExp(`^${title}: signed on`))).toBeVisible();
  }
  await page.getByRole("button", { name: "Finish check-in" }).click();
  await expect(page.getByRole("heading", { name: "You are checked in" })).toBeVisible();
  await expectAccessible(page, "check-in: done");

  // The signed PDF opens in a new tab from its five-minute link; the PDF at that link hashes to the
  // SHA-256 the API recorded, and carries the drawn signature as an image.
  const asked = page.waitForResponse((response) => /\/signed-forms\/[^/]+$/.test(new URL(response.url()).pathname));
  const pdf = page.context().waitForEvent("response", (response) => (response.headers()["content-type"] ?? "").startsWith("application/pdf"));
  const popup = page.waitForEvent("popup");
  await page.getByRole("button", { name: "Open the signed Consent to treat (PDF)" }).click();
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

  // Staff see the visit checked in on tomorrow's list, and its check-in read-only.
  await page.getByRole("button", { name: "Sign out" }).click();
  await signIn(page, DEMO.staff);
  await page.getByRole("navigation", { name: "Portal pages" }).getByRole("link", { name: "Check-ins" }).click();
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
});
