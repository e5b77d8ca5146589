import { configure, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { fakeApi, renderAt } from "../test/render";
import { PID, dana, enrolled, pendingInvitation, portal, staffMe, atOnceChoices } from "./fixtures";

// The staff pages are a chunk of their own, imported on first use.
configure({ asyncUtilTimeout: 5000 });

const deceased = { ...dana, deceased: true, deceased_on: "2026-12-01" };

function show(answer: ReturnType<typeof portal>) {
  setToken("tok-1");
  fakeApi({
    "GET /v1/me": { status: 200, body: staffMe() },
    [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
    [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
    [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
    [`GET /v1/staff/patients/${PID}`]: { status: 200, body: answer },
  });
  return renderAt(`/staff/patients/${PID}`);
}

describe("a patient recorded as deceased", () => {
  it("says so with the date, shows why the account is closed and offers no invitation", async () => {
    const closed = enrolled();
    show({ ...closed, patient: deceased, account: { ...closed.account!, closed_reason: "deceased" } });

    expect((await screen.findByRole("status")).textContent).toContain("Deceased Dec 1, 2026.");
    const access = screen.getByRole("region", { name: "Portal access" });
    expect(access.textContent).toContain("Account: Closed: recorded as deceased (sign-in is refused)");
    // Nothing to suspend or reinstate while the record says deceased; staff may end access for good.
    expect(within(access).queryAllByRole("button").map((b) => b.textContent)).toEqual(["End access"]);
    expect(screen.getByText("The patient is recorded as deceased, so no invitation can be sent.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Send invitation" })).toBeNull();
    expect(document.title).not.toContain("Deceased");
    await expectAccessible();
  });

  it("hides the invite form and the resend button of an invitation sent before the death", async () => {
    show(portal({ patient: { ...deceased, deceased_on: null }, portal_status: "invited", invitations: [pendingInvitation] }));

    expect((await screen.findByRole("status")).textContent).toContain("Deceased.");
    const invitations = screen.getByRole("region", { name: "Invitations" });
    expect(within(invitations).queryByRole("button", { name: /Send again/ })).toBeNull();
    expect(within(invitations).queryByLabelText("Email address", { exact: false })).toBeNull();
    expect(invitations.textContent).toContain("recorded as deceased");
  });

  it("shows the account as it is once a correction has undone the mark", async () => {
    show(enrolled({ closed_reason: null }));

    const access = await screen.findByRole("region", { name: "Portal access" });
    expect(access.textContent).toContain("Account: Active");
    expect(within(access).queryAllByRole("button").map((b) => b.textContent)).toEqual(["Suspend access", "End access"]);
    expect(screen.queryByRole("status")).toBeNull();
  });
});
