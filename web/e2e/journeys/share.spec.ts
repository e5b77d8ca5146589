import { expect, expectAccessible, test } from "../fixtures";

// SMART Health Links in a real browser: the demo patient makes a link on "Share my record"; a
// stranger's browser (a fresh context: no session, nothing shared with hers) opens it on the
// viewer page, which fetches the manifest and decrypts the summary with the key from the address's
// fragment (WebCrypto: only a real browser shows that it works); once she stops the link, the
// same address opens nothing.

test("a link made in the browser opens to the patient's summary, and after revoking it to nothing", async ({
  page,
  api,
  browser,
}) => {
  test.setTimeout(90_000);
  // GIVEN the demo patient, signed in
  const session = await api.patientSession();
  await page.addInitScript((value) => window.sessionStorage.setItem("portal.session", value), session);

  // WHEN she makes a link on "Share my record"
  await page.goto("/share");
  await expect(page.getByRole("heading", { level: 1, name: "Share my record" })).toBeVisible();
  const label = `For Dr Rivera ${Date.now() % 100000}`;
  await page.getByLabel(/Name of the link/).fill(label);
  await page.getByLabel("The link works for").selectOption("7");
  await page.getByRole("button", { name: "Make the link" }).click();
  const shown = page.getByRole("region", { name: `Your link: ${label}` });
  await expect(shown.getByRole("img", { name: "QR code of the link to your summary" })).toBeVisible();
  const address = await shown.getByLabel("Link").inputValue();
  expect(address).toMatch(/\/shl#shlink:\/[A-Za-z0-9_-]+$/);
  await expectAccessible(page, "share my record");

  // THEN someone else's browser opens it, without signing in, to her summary
  const stranger = await browser.newContext();
  let viewer = await stranger.newPage();
  const open = async () => {
    // (a fresh page each time: the same address again would only move within the open one)
    await viewer.close();
    viewer = await stranger.newPage();
    await viewer.goto(address);
    await viewer.getByLabel(/Your name or organization/).fill("Dr. Rivera, Albany Cardiology");
    await viewer.getByRole("button", { name: "Open the summary" }).click();
  };
  await open();
  await expect(viewer.getByRole("heading", { level: 1, name: /^Health summary of .*Rivera/ })).toBeVisible();
  for (const section of ["Allergies", "Conditions", "Medications"]) {
    await expect(viewer.getByRole("heading", { level: 2, name: section })).toBeVisible();
  }
  await expectAccessible(viewer, "the health link viewer");

  // ... AND she sees who opened it
  await page.reload();
  const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: label }) });
  await expect(card).toContainText("1 time");
  await card.getByRole("button", { name: /Who opened it/ }).click();
  await expect(card.getByText(/Opened by Dr\. Rivera, Albany Cardiology on/)).toBeVisible();

  // WHEN she stops it
  await card.getByRole("button", { name: /^Stop sharing/ }).click();
  await page.getByRole("button", { name: "Yes, stop it" }).click();
  await expect(page.getByRole("status")).toContainText("no longer works");

  // THEN the same address answers nothing
  await open();
  await expect(viewer.getByText(/This link no longer works/)).toBeVisible();
  await stranger.close();
});
