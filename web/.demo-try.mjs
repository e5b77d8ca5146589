import { chromium } from "playwright";
const shot = (p, n) => p.screenshot({ path: `/tmp/demoapp-try/${n}.png`, fullPage: true });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const page = await browser.newPage();
try {
  await page.goto("http://localhost:8765/");
  await shot(page, "1-home");
  await page.getByRole("link", { name: "Connect to Albany Medical Center's portal" }).click();
  await page.waitForLoadState("networkidle");
  console.log("after connect:", page.url());
  await shot(page, "2-portal");
  await page.getByLabel("User name").fill("dana.rivera");
  await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Allow" }).waitFor({ timeout: 20000 });
  console.log("consent:", page.url());
  await shot(page, "3-consent");
  await page.getByRole("button", { name: "Allow" }).click();
  await page.waitForURL("http://localhost:8765/results", { timeout: 20000 });
  await shot(page, "4-results");
  console.log((await page.textContent("body")).slice(0, 1500));
} catch (e) { console.log("FAILED", e.message, page.url()); await shot(page, "x-failed"); }
await browser.close();
