import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { grant, staffRequest } from "../proxies/fixtures";
import type { StaffProxyRequest } from "../proxies/types";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { PID, atOnceChoices, portal, staffMe } from "./fixtures";

// The staff pages are a chunk of their own, imported on first use.
configure({ asyncUtilTimeout: 5000 });

const asked = { given_name: "Emma", family_name: "Rivera", birth_date: "2015-01-10", identifier: "AMC-100002" };
const dana = {
  patient_id: "p-dana",
  organization_id: "org-1",
  identifiers: [],
  family_name: "Rivera",
  given_names: ["Dana"],
  birth_date: "1980-04-12",
  sex: "female" as const,
};
const emma = { ...dana, patient_id: "p-emma", given_names: ["Emma"], birth_date: "2015-01-10" };

function review(extra: Partial<StaffProxyRequest>) {
  return staffRequest("q-1", { patient: asked, ...extra });
}

describe("staff: matching a proxy request to a record", () => {
  it("matched to an adult for a parent's request: says why, marks what differs, and cannot approve", async () => {
    setToken("tok-s");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/proxy-requests/q-1": { status: 200, body: review({ matched_patient: dana, patient_age: 46 }) },
    });
    renderAt("/staff/proxy-requests/q-1");
    const section = await screen.findByRole("region", { name: "The patient's record" });

    // the refusal fits the case: an adult, not "an older child"
    expect(section.textContent).toContain("This patient is 18 or older");
    expect(section.textContent).not.toContain("12 to 17");
    // what was asked beside what was matched, the parts that differ marked
    expect(section.textContent).toContain("Asked for: Emma Rivera, born Jan 10, 2015");
    expect(section.textContent).toMatch(/Matched: Dana.* Rivera, born Apr 12, 1980/);
    const marked = Array.from(section.querySelectorAll("mark")).map((mark) => mark.firstChild?.textContent);
    expect(marked).toEqual(["Dana", "born Apr 12, 1980"]);

    // Approve is off, and says why
    const approve = screen.getByRole("button", { name: "Approve the request" }) as HTMLButtonElement;
    expect(approve.disabled).toBe(true);
    expect(document.getElementById(approve.getAttribute("aria-describedby") ?? "")?.textContent).toContain(
      "This request cannot be approved: This patient is 18 or older",
    );
    // a child's request: the "patient consents first" choice is not offered
    expect(screen.queryByLabelText(/must consent first/)).toBeNull();
    expect(calls.some((call) => call.path.endsWith("/approve"))).toBe(false);
    await expectAccessible();
  });

  it("matched to the child asked for: nothing marked, and approval is open", async () => {
    setToken("tok-s");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/proxy-requests/q-1": { status: 200, body: review({ matched_patient: emma, patient_age: 11 }) },
    });
    renderAt("/staff/proxy-requests/q-1");
    const section = await screen.findByRole("region", { name: "The patient's record" });
    expect(section.textContent).toContain("Matched: Emma Rivera, born Jan 10, 2015");
    expect(section.querySelectorAll("mark")).toHaveLength(0);
    expect(section.textContent).not.toContain("cannot be approved");
    expect((screen.getByRole("button", { name: "Approve the request" }) as HTMLButtonElement).disabled).toBe(false);
  });

  it("an adult's guardian for a 15-year-old: the refusal says this access is for adults", async () => {
    setToken("tok-s");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/proxy-requests/q-1": {
        status: 200,
        body: review({ relationship: "guardian_of_adult", matched_patient: emma, patient_age: 15 }),
      },
    });
    renderAt("/staff/proxy-requests/q-1");
    const said = await screen.findAllByText(/This patient is under 18: this kind of access is for adult patients/);
    expect(said.length).toBeGreaterThan(0);
    expect((screen.getByRole("button", { name: "Approve the request" }) as HTMLButtonElement).disabled).toBe(true);
    // an adult's request: whether the patient consents first is staff's choice
    expect(screen.getByLabelText(/must consent first/)).toBeTruthy();
  });

  it("shows the API's refusal of an approval in its words, never its code", async () => {
    setToken("tok-s");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/proxy-requests/q-1": { status: 200, body: review({ matched_patient: emma, patient_age: 11 }) },
      "POST /v1/staff/proxy-requests/q-1/approve": {
        status: 409,
        body: apiError(
          "conflict",
          "This person's access to this record is already waiting for the patient's consent. Wait for the patient's answer, or deny this request.",
          [{ field: "patient", issue: "has_access" }],
        ),
      },
    });
    renderAt("/staff/proxy-requests/q-1");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Approve the request" }));
    const summary = (await screen.findByText(/already waiting for the patient's consent/)).closest("div")!;
    expect(summary.textContent).not.toMatch(/has_access/i);
    expect(document.body.textContent).not.toMatch(/has_access/i);
  });
});

describe("staff: a patient's proxies, in staff's words", () => {
  it("says the grant can see this patient's record, and why an old one ended", async () => {
    setToken("tok-s");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: {
        status: 200,
        body: {
          proxies: [
            grant("g-2", { proxy_name: "Luis Rivera", status: "active" }),
            grant("g-1", { proxy_name: "Luis Rivera", status: "ended", end_reason: "replaced", ended_at: "2026-02-01T10:00:00Z" }),
          ],
        },
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const section = await screen.findByRole("region", { name: "Proxies" });
    await within(section).findAllByRole("heading", { name: "Luis Rivera" });
    const [current, old] = Array.from(section.querySelectorAll(":scope > ul > li")) as [HTMLElement, HTMLElement];
    expect(current.textContent).toContain("Can see this patient's record");
    expect(section.textContent).not.toContain("Can see your record");
    expect(old.textContent).toContain("Ended Feb 1, 2026: replaced by a newer approval");
    expect(old.textContent).not.toContain(": replaced.");
  });
});
