import type { Page } from "@playwright/test";
import { DEMO, expect, expectAccessible, test } from "./fixtures";

/**
 * Every page the journeys do not walk through, checked with axe at a phone's and a desktop's
 * width (the journeys check the pages they visit): the pages emailed links land on, the record's
 * other pages, and the staff and admin pages. Each is opened as its user opens it and checked once
 * its heading shows, so that what axe reads is the page and not its loading state.
 */

async function opened(page: Page, address: string, heading: string | RegExp) {
  await page.goto(address);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
  await expectAccessible(page, address);
}

async function withSession(page: Page, token: string) {
  await page.addInitScript((value) => window.sessionStorage.setItem("portal.session", value), token);
}

test("the pages a visitor opens from the sign-in page and from emailed links", async ({ page }) => {
  await opened(page, "/forgot-username", /user name/i);
  await opened(page, "/forgot-password", /password/i);
  // a link's token is read and taken out of the address; the form shows until it is sent
  await opened(page, "/reset-password?token=not-a-real-token", /password/i);
  await opened(page, "/account-setup?token=not-a-real-token", /.+/);
  await opened(page, "/sign-in/continue?challenge=not-a-real-challenge", /.+/);
  await page.goto("/verify-email?token=not-a-real-token");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expect(page.getByText(/does not work|expired|not valid/i).first()).toBeVisible();
  await expectAccessible(page, "/verify-email with a link that does not work");
  await opened(page, "/no-such-page", /.+/);
  // a SMART Health Link's viewer opened without a link in its address
  await opened(page, "/shl", "A shared health summary");
});

test("the record's pages the journeys do not visit", async ({ page, api }) => {
  await withSession(page, await api.patientSession());
  for (const section of ["allergies", "conditions", "medications", "immunizations", "visits", "appointments", "vital_signs"]) {
    await opened(page, `/health-summary/${section}`, "Health summary");
  }
  await opened(page, "/upcoming", "Results on the way");
  await opened(page, "/appointments", "Appointments");
  await opened(page, "/appointments/request", "Request an appointment");
  await opened(page, "/connections", /connections/i);
  await opened(page, "/account/terms", /terms/i);
  await opened(page, "/sharing", "Who can see my record");
  await opened(page, "/proxy-requests/new", "Ask for access to someone's record");
});

test("the staff and admin pages the journeys do not visit", async ({ page, api }) => {
  const admin = await api.signIn(DEMO.admin); // an admin is staff of the organization too
  const dana = await api.findPatient(DEMO.dana.mrn, admin);
  await withSession(page, admin);
  await opened(page, "/staff/patients/new", /register/i);
  await opened(page, `/staff/patients/${dana}/health-summary`, /health summary/i);
  await opened(page, "/staff/quarantine", "Feed quarantine");
  await opened(page, "/staff/mismatches", "Possible mismatches");
  await opened(page, "/admin/staff", /staff accounts/i);
  await opened(page, "/admin/feed-sources", /feed sources/i);
  await opened(page, "/admin/terms", /terms of use/i);
  await opened(page, "/admin/organization", "Organization settings");
  await opened(page, "/admin/appointment-policy", "Appointment policy");
  await opened(page, "/staff/appointment-requests", "Appointment requests");
  await opened(page, "/staff/proxy-requests", "Proxy access requests");
  await opened(page, "/admin/sensitive-codes", "Sensitive codes");
  await opened(page, "/staff/check-ins", "Check-ins");
  await opened(page, "/admin/forms", "Check-in forms");
  await opened(page, "/admin/visit-types", "Visit types");
  const forms = await (await api.call("GET", "/v1/admin/forms", undefined, admin)).json();
  const first = forms.forms[0];
  await opened(page, `/admin/forms/${first.form_id}`, first.title);
});

test("the health-apps pages the journeys do not visit", async ({ page, api }) => {
  // what an app's visitor is shown when the app's request could not be taken up
  await opened(page, "/apps/authorize?problem=invalid_client", "The app could not be connected");
  await withSession(page, await api.signIn(DEMO.admin));
  await opened(page, "/admin/apps", "Health apps");
});
