import { DEMO, expect, test } from "../fixtures";

// Staff's document viewer in a real browser: a proxy request's PDF and signed form are framed
// beside the request straight from the bucket (another origin). The page's Content-Security-Policy
// must let exactly that origin be framed, and the link must answer the PDF inline (a frame given
// an attachment downloads it instead): neither shows in a component test, only here.

// A blank 200 x 60 PNG with one stroke: the request form's drawn signature.
const SIGNATURE =
  "iVBORw0KGgoAAAANSUhEUgAAAMgAAAA8CAIAAACsOWLGAAABWUlEQVR4nO3dMY6EMBBFwWE1978ym44IGrBo47arUicOnn4Ckrd93z/wtL+3L8CchEUKYZFCWKQQFimERQphkUJYpBAWjbZtC06/3e7BBOKYfgmLyPWSDoTFURDT9S/LwuJkltp+UxDWoh6ZpYCwVpExSwFhzSx7lgLCmkrnWQoIq7wXZykgrHrGmaWAsGoYc5YCwhpUiVkKCGsg5WYpIKw3VZ+lgLB6m2mWAsJKN/EsBYSVYpFZCgjrGWvOUkBY7cxSQFg3mKXrhHXCLLUR1pFZeoSwPh+zlGDRsMxStoXCMks9zRyWWXrRbGGZpUGUD8ssjalkWGZpfDXCMkvljBuWWSptoLDM0kxeDssszap3WGZpET3CMksLSgnLLPFYWGaJX+1hmSUC98IyS1x0EpZZos29xVISF52HJSYanDx5oiraeEuHFMIihbBIISxSCIsUwiKFsEjxD/vKfskR+nGiAAAAAElFTkSuQmCC";
// A small real PDF, as far as the upload's check of its first bytes goes.
const PDF =
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj " +
  "3 0 obj<</Type/Page/MediaBox[0 0 612 792]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

test("staff see a request's PDF and signed form framed beside it, with nothing blocked", async ({ page, api, request }) => {
  test.setTimeout(90_000);
  // GIVEN the demo patient's signed request for a child, with a PDF the upload check kept
  const patient = await api.patientSession();
  const ok = async (answer: Awaited<ReturnType<typeof api.call>>, status = 200) => {
    expect(answer.status(), await answer.text()).toBe(status);
    return answer.json();
  };
  const me = await ok(await api.call("GET", "/v1/me", undefined, patient));
  const asked = await ok(
    await api.call(
      "POST",
      "/v1/proxy-requests",
      {
        organization_id: me.account.organization_id,
        patient: { given_name: `Viewer${Date.now() % 100000}`, family_name: "Rivera", birth_date: "2021-03-01" },
        relationship: "parent",
        requester_name: "Dana Rivera",
      },
      patient,
    ),
    201,
  );
  const requestId: string = asked.request_id;
  const file = Buffer.from(PDF);
  const started = await ok(
    await api.call(
      "POST",
      `/v1/proxy-requests/${requestId}/documents`,
      { kind: "birth_certificate", file_name: "scan.pdf", content_type: "application/pdf", size: file.length },
      patient,
    ),
    201,
  );
  const posted = await request.post(started.upload.url, {
    multipart: { ...started.upload.fields, file: { name: "scan.pdf", mimeType: "application/pdf", buffer: file } },
  });
  expect([200, 201, 204]).toContain(posted.status());
  const documentId: string = started.document.document_id;
  await ok(await api.call("POST", `/v1/proxy-requests/${requestId}/documents/${documentId}/check`, undefined, patient));
  const form = await ok(await api.call("GET", "/v1/proxy-requests/form", undefined, patient));
  await ok(
    await api.call(
      "POST",
      `/v1/proxy-requests/${requestId}/sign`,
      { typed_name: "Dana Rivera", signature_png: SIGNATURE, agreed: true, form_version: form.version },
      patient,
    ),
  );

  // WHEN staff open the request and show both papers
  const staff = await api.signIn(DEMO.staff);
  await page.addInitScript((value) => {
    window.sessionStorage.setItem("portal.session", value);
    // what the page's CSP refuses, recorded where the test can read it
    const refused: string[] = [];
    (window as unknown as { refused: string[] }).refused = refused;
    document.addEventListener("securitypolicyviolation", (event) => refused.push(`${event.violatedDirective} ${event.blockedURI}`));
  }, staff);
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  const downloads: string[] = [];
  page.on("download", (download) => downloads.push(download.url()));
  await page.goto(`/staff/proxy-requests/${requestId}`);
  await expect(page.getByRole("heading", { level: 1, name: "Proxy access request" })).toBeVisible();
  for (const name of ["Signed request form", "Birth certificate: scan.pdf"]) {
    await page.getByRole("button", { name: `Show ${name}` }).click();
    const frame = page.locator(`iframe[title="${name}"]`);
    await expect(frame).toBeVisible();
    await expect(page.getByRole("link", { name: `Open ${name} in a new tab` })).toBeVisible();
    // the frame has loaded what the link answered (a refused frame never gets the bucket's page)
    const src = await frame.getAttribute("src");
    expect(new URL(src!).origin).not.toBe(new URL(page.url()).origin);
    await expect.poll(() => page.frames().some((f) => f.url() === src), { message: `${name} framed` }).toBe(true);
  }

  // THEN nothing was refused, nothing downloaded instead of showing
  expect(await page.evaluate(() => (window as unknown as { refused: string[] }).refused)).toEqual([]);
  expect(errors.filter((text) => /Content Security Policy|frame-src|img-src/i.test(text))).toEqual([]);
  expect(downloads).toEqual([]);
});
