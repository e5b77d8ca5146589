import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { fakeApi, renderAt } from "../test/render";
import { PID, atOnceChoices, enrolled, pendingInvitation, portal, staffMe } from "./fixtures";

// The staff pages are a chunk of their own, imported on first use.
configure({ asyncUtilTimeout: 5000 });

type Email = Schemas["PatientEmail"];

const email = (extra: Partial<Email>): Email => ({
  kind: "something_waiting",
  asked_at: "2026-11-21T09:00:00Z",
  state: "sent",
  reason: null,
  sent_at: "2026-11-21T09:00:04Z",
  updated_at: "2026-11-21T09:00:04Z",
  failed_attempts: 0,
  next_step: null,
  invitation_id: null,
  ...extra,
});

const failedNotice = email({
  state: "failed",
  reason: "dead_letter",
  sent_at: null,
  failed_attempts: 5,
  next_step: "seen_in_portal",
});
const failedInvitation = email({
  kind: "invitation",
  asked_at: "2026-11-20T10:00:00Z",
  state: "failed",
  reason: "mail_refused",
  sent_at: null,
  failed_attempts: 1,
  next_step: "send_again",
  invitation_id: "inv-1",
});

function showEmails(emails: Email[], patient: Schemas["PatientPortal"], extra = {}) {
  setToken("tok-1");
  return fakeApi({
    "GET /v1/me": { status: 200, body: staffMe() },
    [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
    [`GET /v1/staff/patients/${PID}`]: { status: 200, body: patient },
    [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails } },
    [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
    ...extra,
  });
}

async function rows(): Promise<string[][]> {
  const table = await screen.findByRole("table", { name: "Emails to this patient" });
  return within(table)
    .getAllByRole("row")
    .slice(1)
    .map((row) => Array.from(row.querySelectorAll("th, td"), (cell) => cell.textContent ?? ""));
}

describe("the emails sent about a patient, as staff see them", () => {
  it("lists each email in words, newest first, with what became of it and what staff can do", async () => {
    const calls = showEmails(
      [
        failedNotice,
        email({ kind: "password_reset", asked_at: "2026-11-20T12:00:00Z", state: "queued", sent_at: null }),
        failedInvitation,
      ],
      portal({ portal_status: "invited", invitations: [{ ...pendingInvitation, email_delivery: null }] }),
      {
        "POST /v1/staff/invitations/inv-1/resend": {
          status: 201,
          body: { invitation_id: "inv-2", expires_at: "2026-12-11T10:00:00Z" },
        },
      },
    );
    renderAt(`/staff/patients/${PID}`);

    const [notice, reset, invitation] = await rows();
    expect(notice?.[0]).toBe("New results notice");
    expect(notice?.[1]).toMatch(/^Nov 21, 2026/);
    expect(notice?.[2]).toMatch(/^Could not be sent: it waits on the dead-letter queue/);
    expect(notice?.[3]).toBe("Nothing to send again: the patient still sees what waits when they sign in to the portal.");
    expect(reset?.slice(0, 3)).toEqual(["Password reset", expect.stringMatching(/^Nov 20, 2026/), "Waiting to be sent"]);
    expect(reset?.[3]).toBe("");
    expect(invitation?.[0]).toBe("Invitation");
    expect(invitation?.[2]).toBe("Could not be sent: the mail service refused it. It is tried again by itself.");
    // never a template's code
    expect(screen.queryByText(/something_waiting|password_reset/)).toBeNull();
    await expectAccessible();

    await userEvent.setup().click(screen.getByRole("button", { name: /^Send the invitation of Nov 20, 2026.* again$/ }));
    expect(await screen.findByText(/^The invitation was sent again\. It can be used until Dec 11, 2026/)).toBeTruthy();
    expect(calls.some((call) => call.method === "POST" && call.path === "/v1/staff/invitations/inv-1/resend")).toBe(true);
  });

  it("says what the patient can do about a code or link that could not be sent, and points to a new invitation once the failed one is used", async () => {
    showEmails(
      [
        email({ kind: "sign_in_code", state: "failed", reason: "not_sent", sent_at: null, next_step: "patient_asks_again" }),
        { ...failedInvitation, asked_at: "2026-11-19T10:00:00Z" },
      ],
      enrolled(),
    );
    renderAt(`/staff/patients/${PID}`);

    const [code, invitation] = await rows();
    expect(code?.[0]).toBe("Sign-in code");
    expect(code?.[3]).toBe("The patient can ask for it again.");
    expect(invitation?.[3]).toBe("Send a new invitation under Invitations, if the patient still needs one.");
    expect(screen.queryByRole("button", { name: /^Send the invitation of/ })).toBeNull();
  });

  it("names an email of a kind it does not know in plain words, not by its code", async () => {
    showEmails([email({ kind: "brand_new_template" })], portal());
    renderAt(`/staff/patients/${PID}`);
    const [row] = await rows();
    expect(row?.[0]).toBe("Another email");
  });

  it("says so when the portal has emailed the patient nothing lately", async () => {
    showEmails([], portal());
    renderAt(`/staff/patients/${PID}`);
    expect(await screen.findByText("The portal has not emailed this patient in the last 30 days.")).toBeTruthy();
  });

  it("says the list could not be read, in words, and keeps the rest of the page", async () => {
    showEmails([], portal(), {
      [`GET /v1/staff/patients/${PID}/emails`]: {
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
        status: 404,
        body: { error: { code: "not_found", message: "No such patient.", details: [] } },
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const section = (await screen.findByRole("heading", { name: "Emails to this patient" })).closest("section");
    if (!section) throw new Error("no section");
    expect(await within(section).findByText(/No such patient\./)).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Invitations" })).toBeTruthy();
  });
});
