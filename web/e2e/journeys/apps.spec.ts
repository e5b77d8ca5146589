import { createHash, randomBytes } from "node:crypto";
import type { Page } from "@playwright/test";
import { DEMO, expect, expectAccessible, test } from "../fixtures";
import { totp } from "../totp";

// A health app connects to the demo patient's record as a SMART on FHIR app would (a standalone
// patient launch with PKCE): the app sends her to the portal, she signs in with her password and
// her authenticator's code, reads what the app asks for and the warning, unchecks Immunizations
// and allows it; the app (this test) takes the code from its address, trades it for a token and
// reads her record with it. She then finds the app under Connected apps, disconnects it (its
// refresh token dies at once), and her access log says what happened.
const { dana } = DEMO;
const CLIENT_ID = "demo-health-tracker"; // seeded by infra/local for albany's organization
const REDIRECT_URI = "http://localhost:8765/callback";
// The FHIR API (/fhir/R4) is another part of the same change: once it is merged, the app's reads
// are checked here too (the integrator turns this on; it passed with wt-fhirapi at 4a4dc62 merged).
const FHIR_API_MERGED = true;

const base64url = (bytes: Buffer) => bytes.toString("base64url");

function siteNav(page: Page) {
  return page.getByRole("navigation", { name: "Portal pages" });
}

test("a health app is connected with the patient's consent, reads only what she allowed, and is disconnected", async ({
  page,
  api,
  request,
  baseURL,
}) => {
  // The stack checks codes on its own clock, which other journeys move forward (/dev/clock): codes
  // are made for the stack's time, not this machine's.
  const clock = await api.call("GET", "/dev/clock");
  const skew = clock.status() === 200 ? new Date((await clock.json()).now).getTime() - Date.now() : 0;
  const stackNow = () => Date.now() + skew;

  // She has an authenticator app, so signing in for the app asks for its code after her password.
  const session = await api.patientSession();
  const started = await api.call("POST", "/v1/me/second-factors/totp", undefined, session);
  expect(started.status(), await started.text()).toBe(201);
  const seed: string = (await started.json()).secret;
  const confirmed = await api.call(
    "POST",
    "/v1/me/second-factors/totp/confirm",
    { code: totp(seed, stackNow()), password: dana.password },
    session,
  );
  expect(confirmed.status(), await confirmed.text()).toBe(200);

  // The app's side: a PKCE pair, and its own address, which this test stands in for.
  const verifier = base64url(randomBytes(32));
  const challenge = base64url(createHash("sha256").update(verifier).digest());
  let arrived = "";
  await page.route(`${REDIRECT_URI}**`, async (route) => {
    arrived = route.request().url();
    await route.fulfill({ status: 200, contentType: "text/html", body: "<title>Health Tracker</title><p>Connected</p>" });
  });
  const asked = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    scope: "launch/patient openid fhirUser patient/*.rs offline_access",
    state: "s1",
    aud: `${baseURL}/fhir/R4`,
    code_challenge: challenge,
    code_challenge_method: "S256",
  });
  await page.goto(`/oauth2/authorize?${asked.toString().replaceAll("+", "%20")}`);

  // Not signed in: the portal's sign-in page first, the second step included, then back to the app's request.
  await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeVisible();
  await page.getByLabel("User name").fill(dana.username);
  await page.getByLabel("Password").fill(dana.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Enter your code" })).toBeVisible();
  // (the code the authenticator was turned on with was used once: the app's next one)
  await page.getByRole("textbox", { name: "Code from your authenticator app" }).fill(totp(seed, stackNow() + 30_000));
  await page.getByRole("button", { name: "Continue" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Connect Health Tracker Demo to your record?" })).toBeVisible();
  expect(new URL(page.url()).pathname).toBe("/apps/authorize");
  await expect(page.getByRole("heading", { name: "Before you share" })).toBeVisible();
  await expect(page.getByText(/may no longer be protected by HIPAA, the federal health-privacy law/)).toBeVisible();
  const what = page.getByRole("group", { name: "What the app may read" });
  await expect(what.getByRole("checkbox", { name: "Test results and vital signs" })).toBeChecked();
  await expect(page.getByText("The app can keep reading until you revoke it.")).toBeVisible();
  await expectAccessible(page, "app consent");
  // (a USWDS checkbox is drawn by its label: she clicks the words)
  await what.getByText("Immunizations", { exact: true }).click();
  await expect(what.getByRole("checkbox", { name: "Immunizations" })).not.toBeChecked();
  await page.getByRole("button", { name: "Allow" }).click();

  // The app gets a code at its own address, with its state, and trades it (with the verifier) for tokens.
  await expect.poll(() => arrived, { message: "the browser sent back to the app" }).toContain("code=");
  const back = new URL(arrived);
  expect(back.searchParams.get("state")).toBe("s1");
  const traded = await request.post("/oauth2/token", {
    form: {
      grant_type: "authorization_code",
      code: back.searchParams.get("code")!,
      redirect_uri: REDIRECT_URI,
      client_id: CLIENT_ID,
      code_verifier: verifier,
    },
  });
  expect(traded.status(), await traded.text()).toBe(200);
  const tokens = await traded.json();
  expect(tokens.token_type).toBe("Bearer");
  expect(tokens.patient).toBeTruthy();
  expect(tokens.scope).toContain("patient/Observation.rs");
  expect(tokens.scope).not.toContain("Immunization");
  expect(tokens.refresh_token).toBeTruthy();

  if (FHIR_API_MERGED) {
    const bearer = { Authorization: `Bearer ${tokens.access_token}` };
    const patient = await request.get(`/fhir/R4/Patient/${tokens.patient}`, { headers: bearer });
    expect(patient.status(), await patient.text()).toBe(200);
    expect((await patient.json()).resourceType).toBe("Patient");
    const refused = await request.get(`/fhir/R4/Immunization?patient=${tokens.patient}`, { headers: bearer });
    expect(refused.status()).toBe(403);
  }

  // Back in the portal: the app is listed with what it may read, and she disconnects it.
  await page.goto("/");
  await siteNav(page).getByRole("link", { name: "Connected apps" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Connected apps" })).toBeVisible();
  const card = page.getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Health Tracker Demo" }) });
  await expect(card).toHaveCount(1);
  await expect(card).toContainText("by you");
  await expect(card).not.toContainText("Immunizations");
  if (FHIR_API_MERGED) await expect(card.getByRole("table", { name: "What it read" })).toContainText("Your name");
  await expectAccessible(page, "connected apps");
  await card.getByRole("button", { name: "Disconnect Health Tracker Demo" }).click();
  await page.getByRole("button", { name: "Yes, disconnect Health Tracker Demo" }).click();
  await expect(page.getByRole("status")).toHaveText("Health Tracker Demo is disconnected and can no longer read the record.");

  // Its refresh token died with the connection.
  const refreshed = await request.post("/oauth2/token", {
    form: { grant_type: "refresh_token", refresh_token: tokens.refresh_token, client_id: CLIENT_ID },
  });
  expect(refreshed.status()).toBe(400);
  expect((await refreshed.json()).error).toBe("invalid_grant");

  // Her access log says she connected and disconnected the app (and, with the FHIR API, what it read).
  await siteNav(page).getByRole("link", { name: "Who looked at my record" }).click();
  const log = page.getByRole("table", { name: "Who looked at my record" });
  await expect(log).toContainText("Connected a health app to your record");
  await expect(log).toContainText("Disconnected a health app");
  if (FHIR_API_MERGED) await expect(log).toContainText("Health Tracker Demo (a health app)");
});
