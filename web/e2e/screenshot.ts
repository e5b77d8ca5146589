import { resolve } from "node:path";
import { DEMO, expect, test } from "./fixtures";

const INVITATION_SUBJECT = "You are invited to the patient portal";

// `make screenshot`: the demo patient's results page as the README shows it, at a desktop's width.
test("the README's picture of the results page", async ({ page, api }) => {
  const { dana } = DEMO;
  let signedIn = await api.call("POST", "/v1/sessions", { username: dana.username, password: dana.password });
  if (signedIn.status() !== 201) {
    // A fresh stack: the clinic invites her and she enrolls, through the API.
    const staff = await api.signIn(DEMO.staff);
    const patientId = await api.findPatient(dana.mrn, staff);
    const invited = await api.call("POST", "/v1/staff/invitations", { patient_id: patientId, email: dana.email }, staff);
    expect(invited.status(), await invited.text()).toBe(201);
    const [link] = await api.emailedLinks(dana.email, INVITATION_SUBJECT);
    const terms = await (await api.call("GET", "/v1/terms")).json();
    const enrolled = await api.call("POST", "/v1/enrollments", {
      invitation_code: new URL(link!).searchParams.get("code"),
      date_of_birth: dana.birthDate,
      family_name: dana.familyName,
      username: dana.username,
      password: dana.password,
      email: dana.email,
      accepted_terms_version: terms.version,
    });
    expect(enrolled.status(), await enrolled.text()).toBe(201);
    signedIn = await api.call("POST", "/v1/sessions", { username: dana.username, password: dana.password });
  }
  expect(signedIn.status(), await signedIn.text()).toBe(201);
  const { token } = await signedIn.json();
  await page.addInitScript((value) => window.sessionStorage.setItem("portal.session", value), token);
  await page.setViewportSize({ width: 1024, height: 640 });
  await page.goto("/results");
  await expect(page.getByRole("link", { name: /Hemoglobin A1c/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Lipid panel/ })).toBeVisible();
  await page.screenshot({ path: resolve(process.env.PORTAL_SCREENSHOT!), fullPage: false });
});
