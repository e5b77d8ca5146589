import { resolve } from "node:path";
import { expect, test } from "./fixtures";

// `make screenshot`: the demo patient's results page as the README shows it, at a desktop's width.
test("the README's picture of the results page", async ({ page, api }) => {
  const token = await api.patientSession();
  await page.addInitScript((value) => window.sessionStorage.setItem("portal.session", value), token);
  await page.setViewportSize({ width: 1280, height: 600 });
  await page.goto("/results");
  await expect(page.getByRole("link", { name: /Hemoglobin A1c/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /Lipid panel/ })).toBeVisible();
  await page.screenshot({ path: resolve(process.env.PORTAL_SCREENSHOT!), fullPage: false });
});
