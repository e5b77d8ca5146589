import { DEMO, expect, expectAccessible, sendToFeed, test } from "../fixtures";
import { checkIn, dayAhead, later, openSignedPdf, signIn, signOut, siteNav, staffSeeItCheckedIn, visitTime, ZONE } from "./steps";

// The capability's journey end to end: the demo patient asks for a visit; staff book it from their
// queue for two days ahead (she is emailed that there is an update, nothing more); the booking comes
// back through the scheduling feed as SIU naming her request, which closes it; from the visit's page
// she checks in (details, questions, two forms signed with a signature drawn with the mouse) and
// opens the signed PDF, whose bytes hash to what the API recorded; staff see her checked in; and she
// cancels the visit, still before the cutoff. Two days ahead is both inside the three-day check-in
// window and more than the 24-hour cancellation cutoff away, whatever the time of the run: booked at
// 08:00 to 15:55 on the day after tomorrow, the visit is 32 to 64 hours off.
const { dana } = DEMO;
const UPDATE_SUBJECT = "There is an update to your request";

/** An SIU^S12 booking of Dana's 30-minute visit that names the portal request it answers (SCH-1, the placer id). */
function booking(requestId: string, day: string, hhmm: string, control: string): string {
  const compact = day.replaceAll("-", "");
  return [
    `MSH|^~\\&|CADENCE|AMC|PORTAL|AMC|20261201090000||SIU^S12^SIU_S12|${control}|P|2.5.1`,
    `SCH|${requestId}^PORTAL|${control}^CADENCE|||||KNEE^Knee check|FU30^Follow-up 30 minutes|30|min|^^30^${compact}${hhmm}00^${compact}${later(hhmm, 30)}00||||||||||||||Booked`,
    `PID|1||${dana.mrn}^^^AMC-MRN^MR||Rivera^Dana^M||19800412|F`,
    "RGS|1|A",
    "AIL|1||AMC-FM^^^AMC Family Medicine",
    "AIP|1||1234^Okoro^Grace^^^Dr^MD",
  ].join("\r");
}

test("the demo patient requests a visit, staff book it, the feed brings it, she checks in and signs, and cancels it", async ({ page, api }) => {
  // The longest journey of the suite (about 40 s here): room for a machine busy with other work.
  test.setTimeout(120_000);
  await api.patientSession();
  await signIn(page, dana);
  await siteNav(page).getByRole("link", { name: "Appointments" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Appointments" })).toBeVisible();
  await page.getByRole("link", { name: "Request an appointment" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Request an appointment" })).toBeVisible();

  const day = dayAhead(2);
  const hhmm = visitTime();
  await page.getByLabel("Care team").selectOption({ label: "Primary Care" });
  await page.getByLabel("Reason for the visit").fill("My knee hurts when I climb stairs.");
  await page.getByLabel("In person").check();
  const choice = page.getByRole("group", { name: "Choice 1" });
  await choice.getByLabel("Date").fill(day);
  await choice.getByLabel("Time of day").selectOption("morning");
  await page.getByRole("button", { name: "Add another day" }).click();
  await page.getByRole("group", { name: "Choice 2" }).getByLabel("Date").fill(dayAhead(3));
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
  await page.getByLabel("Time", { exact: true }).fill(`${hhmm.slice(0, 2)}:${hhmm.slice(2)}`);
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
  expect(await sendToFeed(booking(requestId, day, hhmm, `BROWSER-SCH-${requestId.slice(0, 8)}`))).toMatch(/filed/i);
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
  const visitPath = new URL(page.url()).pathname;

  // Two days ahead, its check-in is open: she checks in from the visit's page and signs two forms,
  // and the signed PDF matches its record.
  await page.getByRole("region", { name: "Check in" }).getByRole("link", { name: "Check in" }).click();
  await checkIn(page);
  await openSignedPdf(page);
  await signOut(page);
  await staffSeeItCheckedIn(page, day, hhmm);

  // Still well before the cutoff: she cancels it, with a reason.
  await signIn(page, dana);
  await page.goto(visitPath);
  await expect(page.getByRole("main")).toContainText("You have checked in.");
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
