import { chromium } from "playwright";
const shot = (p, n) => p.screenshot({ path: `/tmp/demoapp-try/${n}.png`, fullPage: true });
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const page = await browser.newPage();
try {
  await page.goto("http://127.0.0.1:8321/sign-in");
  await page.getByLabel("User name").fill("dana.rivera");
  await page.getByLabel("Password", { exact: true }).fill("correct horse battery staple");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/sign-in"), { timeout: 20000 });
  await page.goto("http://127.0.0.1:8321/apps");
  await page.getByRole("button", { name: /Disconnect Health Tracker Demo/ }).first().waitFor({ timeout: 20000 });
  await shot(page, "5-connected");
  console.log((await page.textContent("main")).slice(0, 1200));
  await page.getByRole("button", { name: /Disconnect Health Tracker Demo/ }).first().click();
  await page.getByRole("button", { name: /Yes, disconnect/ }).click();
  await page.getByText("is disconnected").waitFor({ timeout: 20000 });
  await page.goto("http://localhost:8765/results");
  await shot(page, "6-refused");
  console.log("READ AGAIN:", (await page.textContent("body")));
  await page.goto("http://127.0.0.1:8321/access-log");
  await page.waitForLoadState("networkidle");
  await shot(page, "7-access-log");
  console.log("LOG:", (await page.textContent("main")).slice(0, 1200));
} catch (e) { console.log("FAILED", e.message, page.url()); await shot(page, "x-failed2"); }
await browser.close();
