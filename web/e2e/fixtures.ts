import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import AxeBuilder from "@axe-core/playwright";
import { type APIRequestContext, test as base, expect, type Page } from "@playwright/test";

/** The seeded demo data of the local stack (infra/local/seed.py and infra/local/demo/). */
export const DEMO = {
  staff: { username: "demo.staff", password: "albany-staff-demo" },
  admin: { username: "demo.admin", password: "albany-admin-demo" },
  dana: {
    mrn: "AMC-100001",
    familyName: "Rivera",
    birthDate: "1980-04-12",
    email: "dana.rivera@example.org",
    username: "dana.rivera",
    password: "correct horse battery staple",
  },
};

const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const WIDTHS = [360, 1280];

/**
 * Checks the page as it is now with axe (WCAG 2.2 AA) at a phone's and a desktop's width, and
 * fails on any serious or critical violation with a report a person can act on: the rule, what
 * it asks, and each element it found with what is wrong with it.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  const viewport = page.viewportSize();
  const found: string[] = [];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: viewport?.height ?? 800 });
    const { violations } = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
    const blocking = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    // Lesser findings do not fail the run, but are said, so that they are seen and fixed.
    for (const violation of violations.filter((v) => !blocking.includes(v))) {
      console.log(`axe (${violation.impact}) on ${name} at ${width}px: ${violation.id}: ${violation.help}`);
    }
    for (const violation of blocking) {
      found.push(
        `[${width}px] ${violation.id} (${violation.impact}): ${violation.help}\n  ${violation.helpUrl}\n` +
          violation.nodes
            .map((node) => `  - ${node.target.join(" ")}\n    ${(node.failureSummary ?? "").replaceAll("\n", "\n    ")}`)
            .join("\n"),
      );
    }
  }
  if (viewport) await page.setViewportSize(viewport);
  expect(found, `accessibility of ${name} (${page.url()}):\n${found.join("\n")}`).toEqual([]);
}

export const INVITATION_SUBJECT = "You are invited to the patient portal";

/** The portal's API, as a script (staff set-up a journey needs before the pages exist for it). */
export class Api {
  constructor(private readonly request: APIRequestContext) {}

  async call(method: string, path: string, body?: unknown, token?: string) {
    return this.request.fetch(path, {
      method,
      data: body,
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });
  }

  async signIn(account: { username: string; password: string }): Promise<string> {
    const answer = await this.call("POST", "/v1/sessions", account);
    expect(answer.status(), await answer.text()).toBe(201);
    return (await answer.json()).token;
  }

  /**
   * A session of the demo patient: she signs in, or, on a stack where she has no account yet,
   * the clinic invites her and she enrolls first, all through the API.
   */
  async patientSession(): Promise<string> {
    const { dana } = DEMO;
    const account = { username: dana.username, password: dana.password };
    const first = await this.call("POST", "/v1/sessions", account);
    const answer = first.status() === 201 ? await first.json() : {};
    if (answer.token) return answer.token;
    const staff = await this.signIn(DEMO.staff);
    const patientId = await this.findPatient(dana.mrn, staff);
    if (answer.challenge_id) {
      // The journeys gave her an authenticator this test cannot read: staff remove it, as they
      // would for a patient who lost their phone, and she signs in with her password.
      const reset = await this.call(
        "POST",
        `/v1/staff/patients/${patientId}/portal-access`,
        { action: "reset_second_factor", reason: "lost_device" },
        staff,
      );
      expect(reset.status(), await reset.text()).toBe(200);
      return this.signIn(account);
    }
    const invited = await this.call("POST", "/v1/staff/invitations", { patient_id: patientId, email: dana.email }, staff);
    expect(invited.status(), await invited.text()).toBe(201);
    const [link] = await this.emailedLinks(dana.email, INVITATION_SUBJECT);
    const terms = await (await this.call("GET", "/v1/terms")).json();
    const enrolled = await this.call("POST", "/v1/enrollments", {
      invitation_code: new URL(link!).searchParams.get("code"),
      date_of_birth: dana.birthDate,
      family_name: dana.familyName,
      email: dana.email,
      accepted_terms_version: terms.version,
      ...account,
    });
    expect(enrolled.status(), await enrolled.text()).toBe(201);
    return this.signIn(account);
  }

  /** The patient id of the record with ``mrn``, as staff find it (waiting for the feed to file it). */
  async findPatient(mrn: string, staffToken: string): Promise<string> {
    let patientId = "";
    await expect
      .poll(
        async () => {
          const found = await this.call("POST", "/v1/staff/patients/search", { mrn }, staffToken);
          if (found.status() === 200) patientId = (await found.json()).patients[0]?.patient.patient_id ?? "";
          return patientId;
        },
        { timeout: 30_000, message: `the record ${mrn}, filed by the feed` },
      )
      .not.toBe("");
    return patientId;
  }

  /** The links of the newest email to ``address`` with ``subject``, once the stack has sent it. */
  async emailedLinks(address: string, subject: string): Promise<string[]> {
    let links: string[] = [];
    await expect
      .poll(
        async () => {
          const answer = await this.request.get("/dev/mailbox?format=json&limit=100");
          const emails: { to: string[]; subject: string; links: string[] }[] = (await answer.json()).emails;
          links = emails.find((email) => email.to.includes(address) && email.subject === subject)?.links ?? [];
          return links.length;
        },
        { timeout: 30_000, message: `an email to ${address}: ${subject}` },
      )
      .toBeGreaterThan(0);
    return links;
  }
}

const PROJECT_DIR = resolve(import.meta.dirname, "..", "..");

/**
 * Sends HL7 v2 ``message`` (segments separated by carriage returns) to the stack's inbound feed
 * as the lab would, with `make feed`'s tool, and answers what it says became of it.
 */
export async function sendToFeed(message: string): Promise<string> {
  const directory = mkdtempSync(join(tmpdir(), "portal-feed-"));
  try {
    const file = join(directory, "message.hl7");
    writeFileSync(file, message);
    const state = process.env.PORTAL_BROWSER_STATE;
    const { stdout } = await promisify(execFile)(
      process.env.PORTAL_PYTHON ?? join(PROJECT_DIR, ".venv", "bin", "python"),
      ["-m", "infra.local.feed", file],
      { cwd: PROJECT_DIR, env: { ...process.env, ...(state && { PORTAL_LOCAL_STATE: state }) }, timeout: 60_000 },
    );
    return stdout;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export const test = base.extend<{ api: Api }>({
  // The stack e2e/stack.ts started for this run (or the one PORTAL_BASE_URL names).
  baseURL: async ({}, use) => use(process.env.PORTAL_BASE_URL),
  api: async ({ request }, use) => use(new Api(request)),
});

export { expect };
