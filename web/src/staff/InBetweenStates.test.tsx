import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { fakeApi, renderAt } from "../test/render";
import { PID, atOnceChoices, pendingInvitation, portal, staffMe } from "./fixtures";
import { expectAccessible } from "../test/axe";

// The staff pages are a chunk of their own, imported on first use.
configure({ asyncUtilTimeout: 5000 });

describe("a patient in between portal states", () => {
  it("shows a patient as not invited once their invitation is revoked, and offers a new one", async () => {
    setToken("tok-1");
    let revoked = false;
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: () => ({
        status: 200,
        body: revoked
          ? portal({ portal_status: "not_invited", invitations: [{ ...pendingInvitation, status: "revoked" }] })
          : portal({ portal_status: "invited", invitations: [pendingInvitation] }),
      }),
      "DELETE /v1/staff/invitations/inv-1": () => {
        revoked = true;
        return { status: 204 };
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const user = userEvent.setup();
    const access = await screen.findByRole("region", { name: "Portal access" });
    expect(access.textContent).toContain("Portal status: Invited, not enrolled yet");

    await user.click(screen.getByRole("button", { name: "Revoke the invitation to dana@example.org" }));
    await user.click(screen.getByRole("button", { name: "Yes, revoke it" }));

    await within(access).findByText("Not invited");
    const invitations = screen.getByRole("region", { name: "Invitations" });
    expect(within(invitations).getByRole("button", { name: "Send invitation" })).toBeTruthy();
    expect(within(invitations).queryByRole("button", { name: /Revoke/ })).toBeNull();
  });

  it("says a patient enrolled elsewhere waits for the record, and offers no new invitation", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: {
        status: 200,
        body: portal({ portal_status: "invited", invitations: [{ ...pendingInvitation, status: "used" }] }),
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const access = await screen.findByRole("region", { name: "Portal access" });
    expect(access.textContent).toContain(
      "A patient with a portal account at another organization added this record with your invitation code.",
    );
    const invitations = screen.getByRole("region", { name: "Invitations" });
    expect(invitations.textContent).toContain("No new invitation is needed");
    expect(within(invitations).queryByRole("button", { name: "Send invitation" })).toBeNull();
    expect(within(invitations).queryByRole("button", { name: /Send again/ })).toBeNull();
    await expectAccessible();
  });
});
