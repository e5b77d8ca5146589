import { expect, expectAccessible, test } from "../fixtures";
import { siteNav } from "./steps";

// A parent's journey: the demo parent (an account with no record of its own, seeded with a
// parent's grant for Dana's daughter Emma, who is under 12) signs in, lands on Emma's results with
// a banner saying whose record it is, opens them, then the record's own pages that the switcher
// keeps on hers; the address names her record by its opaque id only.
const parent = { username: "demo.parent", password: "albany-parent-demo" };

test("the demo parent opens the child's record through the Viewing as switcher", async ({ page }) => {
  test.setTimeout(90_000);
  // The seed makes the parent's account once the feed has filed Emma, a moment after the stack
  // starts: until then the sign-in is refused, so it is tried again.
  await expect(async () => {
    await page.goto("/sign-in");
    await page.getByLabel("User name").fill(parent.username);
    await page.getByLabel("Password").fill(parent.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Sign in" })).toBeHidden({ timeout: 5_000 });
  }).toPass({ timeout: 60_000 });
  // The first sign-in asks for the Terms of Use (a new account accepts them before anything else).
  const terms = page.getByRole("heading", { level: 1, name: "Terms of Use" });
  const home = page.getByRole("heading", { level: 1, name: /Welcome/ });
  await expect(terms.or(home)).toBeVisible();
  if (await terms.isVisible()) {
    await page.getByText("I have read and accept").click();
    await page.getByRole("button", { name: "Accept and continue" }).click();
    await expect(home).toBeVisible();
  }

  await page.goto("/results");
  await expect(page.getByLabel("Viewing as:")).toBeVisible();
  await expect(page.getByText("You are viewing Emma's record as a parent.")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Test results" })).toBeVisible();
  await expect(page.getByRole("link", { name: /Lead/ })).toBeVisible();
  expect(await page.title()).not.toContain("Emma");
  await expectAccessible(page, "a parent's view of the child's results");

  // The navigation keeps her record: Documents opens hers, not an own record the account lacks.
  await siteNav(page).getByRole("link", { name: "Documents" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Documents" })).toBeVisible();
  expect(new URL(page.url()).search).toMatch(/^\?record=[0-9a-f]{32}$/);
  await expect(page.getByText("You are viewing Emma's record as a parent.")).toBeVisible();
  // The child's own pages (who looked, who can see) are not a parent's.
  await expect(siteNav(page).getByRole("link", { name: "Who looked at my record" })).toHaveCount(0);
  await expect(siteNav(page).getByRole("link", { name: "Who can see my record" })).toHaveCount(0);

  // Access for someone else: the parent's requests (none: staff set this grant up).
  await siteNav(page).getByRole("link", { name: "Access for someone else" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Access for someone else" })).toBeVisible();
  await expectAccessible(page, "access for someone else");
});
