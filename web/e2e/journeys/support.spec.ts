import { DEMO, expect, expectAccessible, test } from "../fixtures";

// A visitor who cannot sign in asks for help from the sign-in page; the clinic's support mailbox
// is told (by reference number only) and staff find the request in their queue and answer it.
test("a signed-out visitor sends a support request and staff see it in their queue", async ({ page, api }) => {
  await page.goto("/sign-in");
  await page.getByRole("main").getByRole("link", { name: "Contact support" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Contact support" })).toBeVisible();
  await expectAccessible(page, "contact support");

  const description = `I changed phones and cannot sign in (${Date.now()}).`;
  await page.getByLabel("What is it about?").selectOption({ label: "Help signing in" });
  await page.getByLabel("How can we help?").fill(description);
  await page.getByLabel("Email address").fill("visitor@example.org");
  // a double click sends one request
  await page.getByRole("button", { name: "Send to support" }).dblclick();
  const sent = page.getByRole("status");
  await expect(sent).toContainText("Your reference number is SR-");
  const reference = (await sent.textContent())!.match(/SR-[0-9A-F]{8}/)![0];

  const [link] = await api.emailedLinks("support@albany-medical-center.example", "A support request is waiting in the patient portal");
  expect(new URL(link!).pathname).toMatch(/^\/staff\/support\/[0-9a-f]{32}$/);

  await page.goto("/sign-in");
  await page.getByLabel("User name").fill(DEMO.staff.username);
  await page.getByLabel("Password").fill(DEMO.staff.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("navigation", { name: "Portal pages" }).getByRole("link", { name: "Support requests" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Support requests" })).toBeVisible();
  await expect(page.getByRole("link", { name: reference })).toHaveCount(1);
  await expectAccessible(page, "support requests");

  await page.getByRole("link", { name: reference }).click();
  await expect(page.getByRole("heading", { level: 1, name: `Support request ${reference}` })).toBeVisible();
  await expect(page.getByText(description)).toBeVisible();
  await page.getByLabel("Record your answer").fill("Called back and reset the second step.");
  await page.getByRole("button", { name: "Record the answer" }).click();
  await expect(page.getByRole("status")).toHaveText("The answer is recorded and the request is marked answered.");
  await expectAccessible(page, "support request");
});
