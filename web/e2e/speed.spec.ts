import type { CDPSession, Page } from "@playwright/test";
import { expect, test } from "./fixtures";

// Budgets on a phone-class CPU: Chromium's CPU slowed 4x, as Lighthouse's mobile profile does.
const CPU_SLOWDOWN = 4;
const LCP_BUDGET_MS = 2000;
const INTERACTION_BUDGET_MS = 150;

declare global {
  interface Window {
    __interactions: { name: string; duration: number; interactionId: number }[];
  }
}

/**
 * Records the Event Timing API's entries (what INP is computed from: input to the next paint,
 * handlers and rendering included) of every interaction on the page. Entries under 16 ms are
 * not reported by the browser, so an interaction with none answered within a frame.
 */
function recordInteractions() {
  window.__interactions = [];
  new PerformanceObserver((list) => {
    // interactionId is newer than TypeScript's DOM types.
    for (const entry of list.getEntries() as (PerformanceEventTiming & { interactionId?: number })[]) {
      if (entry.interactionId) {
        window.__interactions.push({ name: entry.name, duration: entry.duration, interactionId: entry.interactionId });
      }
    }
  }).observe({ type: "event", durationThreshold: 16, buffered: true } as PerformanceObserverInit);
}

async function slowCpu(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  return cdp;
}

/**
 * The page's Largest Contentful Paint so far, in ms from the start of its navigation, with what
 * was painted and when the page's requests ended (to say where the time went).
 */
async function largestContentfulPaint(page: Page): Promise<{ ms: number; element: string; requests: string }> {
  return page.evaluate(
    () =>
      new Promise((resolve) => {
        new PerformanceObserver((list) => {
          const entry = list.getEntries().at(-1) as PerformanceEntry & { element?: Element | null };
          const requests = (performance.getEntriesByType("resource") as PerformanceResourceTiming[])
            .map((r) => `${new URL(r.name).pathname.replace(/\/v1\/patients\/[^/]+/, "/v1/patients/…")} ${Math.round(r.startTime)}-${Math.round(r.responseEnd)}`)
            .join(", ");
          resolve({ ms: entry.startTime, element: `<${entry.element?.tagName.toLowerCase() ?? "?"}>`, requests });
        }).observe({ type: "largest-contentful-paint", buffered: true });
      }),
  );
}

/** The slowest Event Timing entry of what ``act`` did (0 when every one was under 16 ms). */
async function interactionLatency(page: Page, act: () => Promise<void>): Promise<number> {
  const before = await page.evaluate(() => window.__interactions.length);
  await act();
  // Entries are delivered after the next paint: two frames later they are all in.
  await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  await page.waitForTimeout(100);
  const entries = await page.evaluate((from) => window.__interactions.slice(from), before);
  return Math.max(0, ...entries.map((entry) => entry.duration));
}

function said(ms: number): string {
  return ms === 0 ? "under 16 ms" : `${Math.round(ms)} ms`;
}

// Each number is the median of a few samples: this machine's other work only ever adds time, and
// one sample taken while another process held the CPU says more about that process than the page.
// Every sample is printed, so a slow one is seen rather than hidden.
const SAMPLES = 3;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

test("the results page paints within 2 s and answers each interaction within 150 ms on a slow CPU", async ({
  browser,
  baseURL,
  api,
}) => {
  // A session of the demo patient, put where the portal keeps it; each load of the results page
  // is a cold one (a new browser profile: nothing cached), as after a browser restart.
  const token = await api.patientSession();
  const paints: { ms: number; element: string; requests: string }[] = [];
  const interactions = new Map<string, number[]>();
  for (let sample = 0; sample < SAMPLES; sample++) {
    const context = await browser.newContext({ baseURL });
    const page = await context.newPage();
    await page.addInitScript((value) => window.sessionStorage.setItem("portal.session", value), token);
    await page.addInitScript(recordInteractions);
    await slowCpu(page);

    await page.goto("/results");
    const a1c = page.getByRole("link", { name: /Hemoglobin A1c/ });
    await expect(a1c).toBeVisible();
    paints.push(await largestContentfulPaint(page));

    const measure = async (name: string, act: () => Promise<void>) => {
      interactions.set(name, [...(interactions.get(name) ?? []), await interactionLatency(page, act)]);
    };
    await measure("open a result", async () => {
      await a1c.click();
      await expect(page.getByRole("heading", { level: 1, name: /Hemoglobin A1c/ })).toBeVisible();
    });
    await measure("open its earlier version", async () => {
      await page.getByText(/^Version 1: /).click();
      await expect(page.getByRole("table", { name: "Values in version 1" })).toBeVisible();
    });
    await measure("back to the results", async () => {
      await page.getByRole("link", { name: "Back to your test results" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "Test results" })).toBeVisible();
    });
    await measure("go to the documents", async () => {
      await page.getByRole("navigation", { name: "Portal pages" }).getByRole("link", { name: "Documents" }).click();
      await expect(page.getByRole("heading", { level: 1, name: "Documents" })).toBeVisible();
    });
    await context.close();
  }

  const lcp = median(paints.map((paint) => paint.ms));
  const typical = paints.find((paint) => paint.ms === lcp)!;
  console.log(
    `results page, CPU ${CPU_SLOWDOWN}x slower: Largest Contentful Paint ${Math.round(lcp)} ms ` +
      `(budget ${LCP_BUDGET_MS} ms; samples ${paints.map((paint) => Math.round(paint.ms)).join(", ")}), ` +
      `${typical.element}; requests (ms from start to end): ${typical.requests}`,
  );
  const latencies = [...interactions].map(([name, samples]) => [name, median(samples), samples] as const);
  for (const [name, ms, samples] of latencies) {
    console.log(`  interaction "${name}": ${said(ms)} (budget ${INTERACTION_BUDGET_MS} ms; samples ${samples.map(said).join(", ")})`);
  }
  expect(lcp, "Largest Contentful Paint of the results page").toBeLessThanOrEqual(LCP_BUDGET_MS);
  for (const [name, ms] of latencies) expect(ms, `interaction "${name}"`).toBeLessThanOrEqual(INTERACTION_BUDGET_MS);
});
