import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { fakeApi, renderAt } from "../test/render";
import { PID, atOnceChoices, pendingInvitation, portal, staffMe } from "./fixtures";

// The staff pages are a chunk of their own, imported on first use.
configure({ asyncUtilTimeout: 5000 });

function showInvitation(emailDelivery: Schemas["PortalInvitation"]["email_delivery"], extra = {}) {
  setToken("tok-1");
  return fakeApi({
    "GET /v1/me": { status: 200, body: staffMe() },
    [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
    [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
    [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
    [`GET /v1/staff/patients/${PID}`]: {
      status: 200,
      body: portal({ portal_status: "invited", invitations: [{ ...pendingInvitation, email_delivery: emailDelivery }] }),
    },
    ...extra,
  });
}

const failed = (reason: "mail_refused" | "dead_letter"): Schemas["EmailDelivery"] => ({
  state: "failed",
  reason,
  updated_at: "2026-11-20T10:05:00Z",
  sent_at: null,
  failed_attempts: reason === "dead_letter" ? 5 : 1,
});

async function deliveryCell(): Promise<HTMLElement> {
  const table = await screen.findByRole("table", { name: "Invitations" });
  const row = within(table).getAllByRole("row")[1];
  if (!row) throw new Error("no invitation row");
  // (the row's header is when it was sent; then the address, the status and the email's delivery)
  const cell = within(row).getAllByRole("cell")[2];
  if (!cell) throw new Error("no delivery cell");
  return cell;
}

describe("an invitation's email, as staff see it", () => {
  it("says an invitation's email could not be sent and why, with the invitation's resend next to it", async () => {
    const calls = showInvitation(failed("mail_refused"), {
      "POST /v1/staff/invitations/inv-1/resend": {
        status: 201,
        body: { invitation_id: "inv-2", expires_at: "2026-12-11T10:00:00Z" },
      },
    });
    renderAt(`/staff/patients/${PID}`);

    expect((await deliveryCell()).textContent).toBe(
      "Could not be sent: the mail service refused it. It is tried again by itself; or send the invitation again.",
    );
    expect(screen.getByRole("columnheader", { name: "Invitation email" })).toBeTruthy();
    await expectAccessible();
    await userEvent.setup().click(screen.getByRole("button", { name: "Send again: the invitation to dana@example.org" }));
    expect(await screen.findByRole("status")).toBeTruthy();
    expect(calls.some((call) => call.method === "POST" && call.path === "/v1/staff/invitations/inv-1/resend")).toBe(true);
  });

  it("says when a failed email waits on the dead-letter queue", async () => {
    showInvitation(failed("dead_letter"));
    renderAt(`/staff/patients/${PID}`);

    expect((await deliveryCell()).textContent).toMatch(/^Could not be sent: it waits on the dead-letter queue after several tries/);
  });

  it("says when an email waits to be sent", async () => {
    showInvitation({ state: "queued", reason: null, updated_at: "2026-11-20T10:00:00Z", sent_at: null, failed_attempts: 0 });
    renderAt(`/staff/patients/${PID}`);
    expect((await deliveryCell()).textContent).toBe("Waiting to be sent");
  });

  it("gives the date an email was sent in words", async () => {
    showInvitation(pendingInvitation.email_delivery);
    renderAt(`/staff/patients/${PID}`);
    expect((await deliveryCell()).textContent).toMatch(/^Sent on Nov 20, 2026/);
  });

  it("says so when an older invitation's email was not recorded", async () => {
    showInvitation(null);
    renderAt(`/staff/patients/${PID}`);
    expect((await deliveryCell()).textContent).toBe("Not recorded");
  });
});
