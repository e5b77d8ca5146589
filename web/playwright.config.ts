import { defineConfig } from "@playwright/test";
import { chromiumPath } from "./e2e/chromium";

// The browser journeys (web/e2e/): Debian's chromium (browsers are not downloaded), against the
// local stack that e2e/stack.ts starts for the run (or the one at PORTAL_BASE_URL). One worker:
// the journeys share one stack and its seeded patient, and the speed budgets are measured on a
// machine that is not also running another browser. No retries: a flaky journey must show.
export default defineConfig({
  testDir: "e2e",
  globalSetup: "./e2e/stack.ts",
  workers: 1,
  retries: 0,
  forbidOnly: true,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    launchOptions: { executablePath: chromiumPath() },
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    locale: "en-US",
    timezoneId: "America/New_York",
  },
  projects: [
    { name: "build", testMatch: "bundle.spec.ts" },
    // (messaging's and appointments' journeys after the others: the portal journey enrolls the
    // patient they act as, and expects to find her not yet invited)
    {
      name: "journeys",
      testMatch: "journeys/*.spec.ts",
      testIgnore: ["journeys/messaging.spec.ts", "journeys/appointments.spec.ts", "journeys/apps.spec.ts"],
    },
    { name: "messaging", testMatch: "journeys/messaging.spec.ts", dependencies: ["journeys"] },
    { name: "appointments", testMatch: "journeys/appointments.spec.ts", dependencies: ["journeys"] },
    // (health apps' journey turns on an authenticator for the patient the portal journey enrolls)
    { name: "apps", testMatch: "journeys/apps.spec.ts", dependencies: ["journeys"] },
    // Signs in as the patient the journeys enrolled.
    { name: "speed", testMatch: "speed.spec.ts", dependencies: ["journeys"] },
    // axe on the pages the journeys do not walk through.
    { name: "pages", testMatch: "pages.spec.ts", dependencies: ["journeys"] },
    // `make screenshot` only: the README's picture of the results page.
    ...(process.env.PORTAL_SCREENSHOT ? [{ name: "screenshot", testMatch: "screenshot.ts" }] : []),
  ],
});
