import { expect, expectAccessible, test } from "../fixtures";

// Download my record in a real browser: the demo patient asks for a download, the local stack's
// queue builds it (its record exports consumer, as Lambda would run it), the page shows it ready,
// and the two files it hands out are a FHIR Bundle and a PDF. (Named to run after portal.spec, whose
// first journeys need the demo patient not yet enrolled: the journeys run in file order.)

test("the patient asks for a download and gets a FHIR Bundle and a PDF", async ({ page, api }) => {
  test.setTimeout(90_000);
  // GIVEN the demo patient, signed in
  const session = await api.patientSession();
  await page.addInitScript((value) => window.sessionStorage.setItem("portal.session", value), session);

  // WHEN she asks for a download of her record
  await page.goto("/records/download");
  await expect(page.getByRole("heading", { level: 1, name: "Download my record" })).toBeVisible();
  await page.getByRole("button", { name: "Make a download" }).click();

  // THEN the page shows it being prepared, then ready (the queue's job ran)
  const newest = page.getByRole("listitem").filter({ hasText: /^Asked/ }).first();
  await expect(newest.getByText(/^Ready until/)).toBeVisible({ timeout: 45_000 });
  await expectAccessible(page, "download my record");

  // ... AND its two files are hers: a FHIR Bundle (with her Patient) and a PDF
  await newest.getByRole("button", { name: "Get the files" }).click();
  const bundleLink = newest.getByRole("link", { name: "Health record for apps (FHIR JSON)" });
  const pdfLink = newest.getByRole("link", { name: "Summary (PDF)" });
  const bundle = await (await page.request.get((await bundleLink.getAttribute("href")) ?? "")).json();
  expect(bundle.resourceType).toBe("Bundle");
  expect(bundle.type).toBe("collection");
  expect(bundle.entry.some((e: { resource: { resourceType: string } }) => e.resource.resourceType === "Patient")).toBe(
    true,
  );
  const pdf = await page.request.get((await pdfLink.getAttribute("href")) ?? "");
  expect(pdf.ok()).toBe(true);
  expect((await pdf.body()).subarray(0, 5).toString()).toBe("%PDF-");
});
