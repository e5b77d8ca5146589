import type { Page } from "@playwright/test";
import { DEMO, expect, expectAccessible, sendToFeed, test } from "../fixtures";

// The demo patient asks for a visit; staff book it from their queue (she is emailed that there is
// an update, nothing more); the booking comes back through the scheduling feed as SIU naming her
// request, which closes it; she opens the visit and cancels it, well before the cutoff.
const { dana } = DEMO;
const UPDATE_SUBJECT = "There is an update to your request";
const ZONE = "America/New_York"; // the demo organization's

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

/** The day `days` from now on the organization's calendar, as a date field holds it. */
function dayAhead(days: number): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ZONE }).format(new Date(Date.now() + days * 86_400_000));
}

/** An SIU^S12 booking of Dana's visit that names the portal request it answers (SCH-1, the placer id). */
function booking(requestId: string, day: string, control: string): string {
  const start = `${day.replaceAll("-", "")}100000`;
  const end = `${day.replaceAll("-", "")}103000`;
  return [
    `MSH|^~\\&|CADENCE|AMC|PORTAL|AMC|20261201090000||SIU^S12^SIU_S12|${control}|P|2.5.1`,
    `SCH|${requestId}^PORTAL|${control}^CADENCE|||||KNEE^Knee check|FU30^Follow-up 30 minutes|30|min|^^30^${start}^${end}||||||||||||||Booked`,
    `PID|1||${dana.mrn}^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F`,
    "RGS|1|A",
    "AIL|1||AMC-FM^^^AMC Family Medicine",
    "AIP|1||1234^Okoro^Grace^^^Dr^MD",
  ].join("\r");
}

test("the demo patient requests a visit, staff book it, the feed brings it, and she cancels it", async ({ page, api }) => {
  await api.patientSession();
  await signIn(page, dana);
  await siteNav(page).getByRole("link", { name: "Appointments" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Appointments" })).toBeVisible();
  await page.getByRole("link", { name: "Request an appointment" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Request an appointment" })).toBeVisible();

  const day = dayAhead(10);
  await page.getByLabel("Care team").selectOption({ label: "Primary Care" });
  await page.getByLabel("Reason for the visit").fill("My knee hurts when I climb stairs.");
  await page.getByLabel("In person").check();
  const choice = page.getByRole("group", { name: "Choice 1" });
  await choice.getByLabel("Date").fill(day);
  await choice.getByLabel("Time of day").selectOption("morning");
  await page.getByRole("button", { name: "Add another day" }).click();
  await page.getByRole("group", { name: "Choice 2" }).getByLabel("Date").fill(dayAhead(11));
  await expectAccessible(page, "request an appointment");
  // a double click sends one request
  await page.getByRole("button", { name: "Send the request" }).dblclick();
  await expect(page.getByRole("status")).toContainText("Your request is sent.");
  await expect(page.getByText("Waiting for your care team")).toBeVisible();
  const path = new URL(page.url()).pathname;
  expect(path).toMatch(/^\/appointments\/requests\/[0-9a-f]{32}$/);
  const requestId = path.split("/").pop()!;
  expect(await page.title()).not.toContain("knee"); // nothing of the request in the tab's title
  await expectAccessible(page, "appointment request, sent");
  await page.getByRole("link", { name: "Back to appointments" }).click();
  await expect(page.getByRole("region", { name: "Your requests" }).getByRole("listitem")).toHaveCount(1);
  await signOut(page);

  // Staff find it to do, once, and book it for the first day she gave.
  await signIn(page, DEMO.staff);
  await siteNav(page).getByRole("link", { name: "Appointment requests" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Appointment requests" })).toBeVisible();
  const request = page.getByRole("link", { name: /^New visit for Dana/ });
  await expect(request).toHaveCount(1);
  await expectAccessible(page, "appointment requests");
  await request.click();
  await expect(page.getByRole("heading", { level: 1, name: "Appointment request" })).toBeVisible();
  await expect(page.getByText("My knee hurts when I climb stairs.")).toBeVisible();
  await page.getByLabel("Date", { exact: true }).fill(day);
  await page.getByLabel("Time", { exact: true }).fill("10:00");
  await page.getByLabel("Clinician (optional)").fill("Dr Grace Okoro MD");
  await page.getByLabel("Place (optional)").fill("AMC Family Medicine");
  await expectAccessible(page, "appointment request");
  await page.getByRole("button", { name: "Book this time" }).click();
  await expect(page.getByRole("status")).toContainText("Booked.");
  await expect(page.getByRole("button", { name: "Book this time" })).toHaveCount(0);
  await signOut(page);

  // She was emailed that there is an update (a link to her appointments, nothing about the visit).
  const [link] = await api.emailedLinks(dana.email, UPDATE_SUBJECT);
  expect(new URL(link!).pathname).toBe("/appointments");

  // The scheduling system sends the booking, naming her request: it closes the request.
  expect(await sendToFeed(booking(requestId, day, `BROWSER-SCH-${requestId.slice(0, 8)}`))).toMatch(/filed/i);
  await signIn(page, dana);
  await page.goto(`/appointments/requests/${requestId}`);
  await expect(async () => {
    await page.reload();
    await expect(page.getByRole("link", { name: "See the appointment" })).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await page.getByRole("link", { name: "See the appointment" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /Knee check/ })).toBeVisible();
  await expect(page.getByRole("main")).toContainText("Status: Booked");
  await expectAccessible(page, "appointment");

  // Ten days ahead is well before the cutoff: she cancels it, with a reason.
  await page.getByRole("button", { name: "Cancel this visit" }).click();
  await page.getByLabel("Reason (optional)").fill("Feeling better.");
  await page.getByRole("button", { name: "Yes, cancel the visit" }).click();
  await expect(page.getByText("You cancelled this visit online.")).toBeVisible();
  await expect(page.getByRole("main")).toContainText("Status: Cancelled");
  await expect(page.getByRole("button", { name: "Cancel this visit" })).toHaveCount(0);
  await page.getByRole("link", { name: "Back to appointments" }).click();
  const upcoming = page.getByRole("region", { name: "Upcoming appointments" });
  await expect(upcoming.getByRole("listitem").filter({ hasText: "Knee check" })).toContainText("Status: Cancelled");
});

/** A moment as the demo feed writes it: the organization's wall clock, to the second. */
function feedTime(moment: Date): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: ZONE,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(moment)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}${parts.month}${parts.day}${parts.hour}${parts.minute}${parts.second}`;
}

/** An SIU^S12 booking of a 30-minute video visit for Dana at `start`, its join link in an NTE of type VIDEO. */
function videoBooking(start: Date, control: string, link: string): string {
  const end = new Date(start.getTime() + 30 * 60_000);
  return [
    `MSH|^~\\&|CADENCE|AMC|PORTAL|AMC|20261201090000||SIU^S12^SIU_S12|${control}|P|2.5.1`,
    `SCH||${control}^CADENCE|||||VIDEO^Video follow-up|TELE30^Telehealth video visit|30|min|^^30^${feedTime(start)}^${feedTime(end)}||||||||||||||Booked`,
    `NTE|1||${link}|VIDEO`,
    `PID|1||${dana.mrn}^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F`,
    "RGS|1|A",
    "AIP|1||1234^Okoro^Grace^^^Dr^MD",
  ].join("\r");
}

test("a video visit's Join button shows from 15 minutes before its start until its end", async ({ page, api }) => {
  // The local stack's clock moves (forward only) through /dev/clock; a stack without it cannot
  // reach the window without waiting for it.
  const clock = await api.call("GET", "/dev/clock");
  test.skip(clock.status() !== 200, "this stack's clock cannot be moved");
  const now = new Date((await clock.json()).now);
  const start = new Date(Math.ceil((now.getTime() + 30 * 60_000) / 60_000) * 60_000);
  const control = `BROWSER-VID-${start.getTime().toString(36)}`;
  const link = `https://video.example.org/room/${control.toLowerCase()}`;
  // The video service is not on this machine: its page is answered here, in whatever tab opens it.
  await page.context().route("https://video.example.org/**", (route) =>
    route.fulfill({ contentType: "text/html", body: "<title>Video room</title><h1>Video room</h1>" }),
  );
  expect(await sendToFeed(videoBooking(start, control, link))).toMatch(/filed/i);
  await api.patientSession();

  // Found in the upcoming list the first time; once it is over it is listed with the past ones,
  // so later it is opened by its address.
  let visitPath = "";
  const openVisit = async () => {
    await signIn(page, dana);
    if (visitPath) {
      await page.goto(visitPath);
    } else {
      await page.goto("/appointments");
      const upcoming = page.getByRole("region", { name: "Upcoming appointments" });
      await upcoming.getByRole("link", { name: "Video follow-up" }).first().click();
    }
    await expect(page.getByRole("heading", { level: 1, name: /Video follow-up/ })).toBeVisible();
    visitPath = new URL(page.url()).pathname;
    return page.getByRole("region", { name: "Video visit" });
  };
  const advance = async (minutes: number) => {
    const moved = await api.call("POST", "/dev/clock", { advance_minutes: minutes });
    expect(moved.status(), await moved.text()).toBe(200);
  };

  // Half an hour before: it says from when, and there is nothing to press.
  let video = await openVisit();
  test.skip((await video.count()) === 0, "this stack's visits carry no video window");
  await expect(video).toContainText("You can join from");
  await expect(video.getByRole("button", { name: "Join video visit" })).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText("video.example.org"); // the link is never in the page before
  await signOut(page);

  // Fourteen minutes before: the button, and the link opens in a new tab.
  await advance(16);
  video = await openVisit();
  await expect(video.getByRole("button", { name: "Join video visit" })).toBeVisible();
  await expectAccessible(page, "video visit, open");
  const [tab] = await Promise.all([page.waitForEvent("popup"), video.getByRole("button", { name: "Join video visit" }).click()]);
  await tab.waitForURL(link);
  await expect(tab.getByRole("heading", { name: "Video room" })).toBeVisible();
  await tab.close();
  await signOut(page);

  // After its end: nothing to join.
  await advance(45);
  video = await openVisit();
  await expect(video).toContainText("This video visit has ended; there is nothing to join.");
  await expect(video.getByRole("button", { name: "Join video visit" })).toHaveCount(0);
});
