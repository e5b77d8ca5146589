import type { APIRequestContext, Page } from "@playwright/test";
import { DEMO, expect, expectAccessible, test } from "../fixtures";
import { drawSignature, signIn, signOut, siteNav } from "./steps";

// A parent asks for access to her child's record through the pages, as a person does, and uses it:
// the demo patient Dana asks to act for her daughter Emma (under 12, filed by the demo feed), with a
// birth certificate and the request form signed; staff read the document, match the request to
// Emma's record by MRN and approve; Dana then switches to Emma's record under "Viewing as" and back
// to her own. Staff end the access on Emma's page, and Emma is gone from Dana's switcher.

const { dana } = DEMO;
// Emma's birth date as the local seed files it (infra/local/seed.py emma_birth_date): 10 January
// eleven years before this year, so she is always under 12.
const emma = {
  givenName: "Emma",
  familyName: "Rivera",
  birthDate: `${new Date().getFullYear() - 11}-01-10`,
  mrn: "AMC-100002",
};
// Dana signs as she signs her check-in forms: the seeded demo parent's grant (on the same record)
// is under the name "Dana Rivera", and staff tell the two apart by it.
const SIGNED_NAME = "Dana M Rivera";
const FILE_NAME = "emma-birth-certificate.pdf";

// The smallest file a PDF reader opens: the portal checks what a file is by its content.
const PDF = Buffer.from(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" +
    "trailer<</Root 1 0 R>>\n%%EOF\n",
);

// Her name as her record has it (with her middle initial), which the request's name need not match.
const EMMA_RECORD = /^Emma .*Rivera$/;
const UPDATE_SUBJECT = "There is an update to your proxy access request";
const BANNER = "You are viewing Emma's record as a parent.";

/** The address names Emma's record (or her request) by an opaque id only: never her name, birth date or MRN. */
function expectOpaqueAddress(page: Page) {
  const address = decodeURIComponent(page.url());
  for (const said of [emma.givenName, emma.familyName, emma.birthDate, emma.mrn]) expect(address).not.toContain(said);
}

/** The text of the newest email to ``address`` with ``subject`` the local stack sent. */
async function emailText(request: APIRequestContext, address: string, subject: string): Promise<string> {
  const answer = await request.get("/dev/mailbox?format=json&limit=100");
  const emails: { to: string[]; subject: string; text: string }[] = (await answer.json()).emails;
  return emails.find((email) => email.to.includes(address) && email.subject === subject)?.text ?? "";
}

test("a parent asks for access to her child's record, staff approve it, and she switches to the child's record and back", async ({
  page,
  api,
  request,
}) => {
  test.setTimeout(90_000);
  // She has an account (an earlier journey enrolled her, or the API does now) and signs in with her
  // password, whatever second step earlier journeys gave her.
  await api.patientSession();
  await signIn(page, dana);

  // She asks, from "Access for someone else".
  await siteNav(page).getByRole("link", { name: "Access for someone else" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Access for someone else" })).toBeVisible();
  await page.getByRole("link", { name: "Ask for access to someone's record" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Ask for access to someone's record" })).toBeVisible();
  await page.getByLabel("Their first name").fill(emma.givenName);
  await page.getByLabel("Their last name").fill(emma.familyName);
  await page.getByLabel("Their date of birth").fill(emma.birthDate);
  await page.getByLabel("Their medical record number (optional)").fill(emma.mrn);
  // (USWDS draws its own radio over the hidden input: a person clicks the label)
  await page.getByText(/^Parent of a child under 12/).click();
  await expect(page.getByRole("radio", { name: /^Parent of a child under 12/ })).toBeChecked();
  await page.getByLabel("Your full name").fill(SIGNED_NAME);
  await expectAccessible(page, "ask for access to someone's record");
  await page.getByRole("button", { name: "Continue to documents" }).click();

  // Step 2: a birth certificate, uploaded as soon as it is chosen.
  await expect(page.getByRole("heading", { level: 1, name: "Access to Emma Rivera's record" })).toBeVisible();
  await expect(page.getByRole("heading", { level: 2, name: "Step 2 of 3: legal documents" })).toBeVisible();
  expect(await page.title()).not.toContain("Emma");
  expect(new URL(page.url()).pathname).toMatch(/^\/proxy-requests\/[0-9a-f]{32}$/);
  expectOpaqueAddress(page);
  await expect(page.getByLabel("Kind of document")).toHaveValue("birth_certificate");
  await page.getByLabel("Choose a file").setInputFiles({ name: FILE_NAME, mimeType: "application/pdf", buffer: PDF });
  const uploaded = page.getByRole("list", { name: "Uploaded documents" });
  await expect(uploaded.getByRole("listitem").filter({ hasText: FILE_NAME })).toContainText("Birth certificate");
  await expect(uploaded.getByRole("listitem").filter({ hasText: FILE_NAME })).toContainText("ready");
  await expectAccessible(page, "a proxy request's documents");
  await page.getByRole("button", { name: "Continue to the form" }).click();

  // Step 3: the form, read, agreed to and signed (the typed name, and a signature drawn with the mouse).
  await expect(page.getByRole("region", { name: "The form's text" })).toBeVisible();
  await expectAccessible(page, "the proxy request form");
  await page.getByText("I have read this form and I agree to it").click();
  await page.getByLabel("Type your full name to sign").fill(SIGNED_NAME);
  await drawSignature(page);
  await page.getByRole("button", { name: "Sign and send the request" }).click();
  await expect(page.getByText("Sent, waiting for the clinic")).toBeVisible();
  await expect(page.getByText("The clinic will review your request and your documents.")).toBeVisible();
  await expectAccessible(page, "a proxy request, sent");
  await page.getByRole("link", { name: "Back to your requests" }).click();
  const mine = page.getByRole("listitem").filter({ has: page.getByRole("link", { name: "Access to Emma Rivera's record" }) });
  await expect(mine.first()).toContainText("Sent, waiting for the clinic");
  await signOut(page);

  // Staff review it: the document, the signed form, the record matched by MRN, then approve.
  await signIn(page, DEMO.staff);
  await siteNav(page).getByRole("link", { name: "Proxy requests" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Proxy access requests" })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: SIGNED_NAME }).filter({ hasText: "Sent, waiting for the clinic" });
  await expect(row.first()).toContainText("Parent of a child under 12");
  await expectAccessible(page, "staff: proxy requests");
  await row.first().getByRole("link", { name: "Emma Rivera" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Proxy access request" })).toBeVisible();
  await expect(page.getByText(SIGNED_NAME)).toBeVisible();
  const certificate = `Birth certificate: ${FILE_NAME}`;
  await page.getByRole("button", { name: `Show ${certificate}` }).click();
  await expect(page.locator(`iframe[title="${certificate}"]`)).toBeVisible();
  await expect(page.getByRole("link", { name: `Open ${certificate} in a new tab` })).toBeVisible();
  await page.getByRole("button", { name: "Show Signed request form" }).click();
  await expect(page.locator('iframe[title="Signed request form"]')).toBeVisible();
  await expectAccessible(page, "staff: a proxy request");

  await expect(page.getByText("Not matched to a record yet.")).toBeVisible();
  await expect(page.getByLabel("Medical record number")).toHaveValue(emma.mrn); // as the parent gave it
  await page.getByRole("button", { name: "Match this record" }).click();
  await expect(page.getByRole("status")).toContainText("The request is matched to the record.");
  const matched = page.getByRole("region", { name: "The patient's record" });
  await expect(matched.getByRole("link", { name: EMMA_RECORD })).toBeVisible();
  await expect(matched.getByText("11 years")).toBeVisible();
  await page.getByRole("button", { name: "Approve the request" }).click();
  await expect(page.getByRole("status")).toContainText("Approved: the requester's access has started.");
  await expect(page.getByText("Approved", { exact: true })).toBeVisible();
  await signOut(page);

  // Dana is emailed that there is an update, and nothing about whose record or what was decided.
  const [link] = await api.emailedLinks(dana.email, UPDATE_SUBJECT);
  const email = await emailText(request, dana.email, UPDATE_SUBJECT);
  expect(email).toContain("Sign in to see it.");
  for (const said of ["Emma", emma.mrn, "parent", "approved", "child"]) expect(email.toLowerCase()).not.toContain(said.toLowerCase());
  // She signs in and follows it to her requests, where it says Approved.
  await signIn(page, dana);
  await page.goto(new URL(link!).pathname);
  await expect(page.getByRole("heading", { level: 1, name: "Access for someone else" })).toBeVisible();
  await expect(mine.first()).toContainText("Approved");

  // Now "Viewing as" is on her record pages: she switches to Emma and back to herself.
  await siteNav(page).getByRole("link", { name: "Test results" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Test results" })).toBeVisible();
  const viewingAs = page.getByLabel("Viewing as:");
  await expect(viewingAs).toHaveValue(/^[0-9a-f]{32}$/);
  await expect(viewingAs.getByRole("option", { name: "Me" })).toHaveCount(1);
  await expect(page.getByRole("link", { name: /Hemoglobin A1c/ })).toBeVisible();
  await expect(page.getByText(BANNER)).toHaveCount(0);

  // (the list only picks; "Show" switches, so arrowing through it never moves a keyboard user)
  await viewingAs.selectOption({ label: "Emma" });
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page.getByText(BANNER)).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Test results" })).toBeVisible();
  await expect(page.getByRole("link", { name: /Lead/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Hemoglobin A1c/ })).toHaveCount(0);
  expect(new URL(page.url()).search).toMatch(/^\?record=[0-9a-f]{32}$/);
  expectOpaqueAddress(page);
  expect(await page.title()).not.toContain("Emma");
  await expectAccessible(page, "Emma's results, viewed by her parent");

  await page.getByLabel("Viewing as:").selectOption({ label: "Me" });
  await page.getByRole("button", { name: "Show", exact: true }).click();
  await expect(page.getByText(BANNER)).toHaveCount(0);
  await expect(page.getByRole("link", { name: /Hemoglobin A1c/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Lead/ })).toHaveCount(0);
  expect(new URL(page.url()).search).toBe("");
  await signOut(page);

  // Staff end her access on Emma's page, with a reason.
  await signIn(page, DEMO.staff);
  await siteNav(page).getByRole("link", { name: "Proxy requests" }).click();
  await page.getByLabel("Show").selectOption({ label: "Decided" });
  const decided = page.getByRole("row").filter({ hasText: SIGNED_NAME }).filter({ hasText: "Approved" });
  await decided.first().getByRole("link", { name: "Emma Rivera" }).click();
  await page.getByRole("region", { name: "The patient's record" }).getByRole("link", { name: EMMA_RECORD }).click();
  await expect(page.getByRole("heading", { level: 1, name: EMMA_RECORD })).toBeVisible();
  const proxies = page.getByRole("region", { name: "Proxies" });
  await proxies.getByRole("button", { name: `End access for ${SIGNED_NAME}` }).click();
  await proxies.getByLabel(`Why access ends for ${SIGNED_NAME}`).fill("The parent asked to end it at the front desk.");
  await expectAccessible(page, "staff: ending a proxy's access");
  await proxies.getByRole("button", { name: "End access", exact: true }).click();
  await expect(proxies.getByRole("status")).toContainText(`Access ended for ${SIGNED_NAME}.`);
  await expect(proxies.getByRole("button", { name: `End access for ${SIGNED_NAME}` })).toHaveCount(0);
  await expect(proxies.getByText(/The parent asked to end it at the front desk\./)).toBeVisible();
  await signOut(page);

  // Emma is gone from Dana's switcher (she acts for no one now, so there is nothing to switch).
  await signIn(page, dana);
  await siteNav(page).getByRole("link", { name: "Test results" }).click();
  await expect(page.getByRole("link", { name: /Hemoglobin A1c/ })).toBeVisible();
  // (she acts for no one else, so the switcher is gone with Emma)
  await expect(page.getByLabel("Viewing as:")).toHaveCount(0);
  await expect(page.getByRole("option", { name: "Emma" })).toHaveCount(0);
  await expect(page.getByText(BANNER)).toHaveCount(0);
  await signOut(page);
});
