import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError, me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { PID, atOnceChoices, dana, enrolled, pendingInvitation, portal, staffMe } from "./fixtures";
import { expectAccessible } from "../test/axe";

// The staff pages are a chunk of their own, imported on first use: on a busy machine that takes
// longer than the default second.
configure({ asyncUtilTimeout: 5000 });

describe("find a patient", () => {
  it("finds a patient by record number sent in the body, never in the address, and opens their page", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "POST /v1/staff/patients/search": {
        status: 200,
        body: { patients: [{ patient: dana, portal_status: "invited" }], truncated: false },
      },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal({ portal_status: "invited" }) },
    });
    renderAt("/staff/patients");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Medical record number (MRN)", { exact: false }), " AMC-100001 ");
    await user.click(screen.getByRole("button", { name: "Find" }));

    const found = await screen.findByRole("region", { name: "Dana M Rivera" });
    expect(found.textContent).toContain("Portal status: Invited, not enrolled yet");
    expect(found.textContent).toContain("AMC-100001 (AMC-MRN)");
    expect(found.textContent).toContain("Mar 9, 1984");
    const search = calls.find((call) => call.path === "/v1/staff/patients/search");
    expect(search?.body).toEqual({ mrn: "AMC-100001" });
    expect(window.location.href).not.toContain("AMC-100001");
    expect(document.title).toBe("Find a patient | Patient portal");

    await user.click(within(found).getByRole("link", { name: "Open Dana M Rivera's page" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Dana M Rivera" })).toBeTruthy();
    expect(window.location.pathname).toBe(`/staff/patients/${PID}`);
    expect(document.title).toBe("Patient | Patient portal"); // the title names no patient
    await expectAccessible();
  });

  it("says in words when no patient has that number", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "POST /v1/staff/patients/search": { status: 200, body: { patients: [], truncated: false } },
    });
    renderAt("/staff/patients");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Medical record number (MRN)", { exact: false }), "AMC-999");
    await user.click(screen.getByRole("button", { name: "Find" }));
    expect((await screen.findByRole("status")).textContent).toContain("No patient of your organization matches.");
    expect(screen.getByRole("link", { name: "Register a patient" })).toBeTruthy();
    await expectAccessible();
  });

  it("shows the API's complaint about the number next to the field", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "POST /v1/staff/patients/search": {
        status: 400,
        body: apiError("validation_failed", "The request is not valid.", [
          { field: "mrn", issue: "Use letters, digits and . _ : / - only." },
        ]),
      },
    });
    renderAt("/staff/patients");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Medical record number (MRN)", { exact: false }), "AMC#1");
    await user.click(screen.getByRole("button", { name: "Find" }));
    const field = await screen.findByRole("textbox", { name: /Medical record number/ });
    expect(await screen.findByText("Use letters, digits and . _ : / - only.")).toBeTruthy();
    expect(field.getAttribute("aria-invalid")).toBe("true");
  });

  it("finds patients by another identifier or by family name and birth date, and says when there are more", async () => {
    setToken("tok-1");
    const twin = { ...dana, patient_id: "p-2", given_names: ["Dina"] };
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "POST /v1/staff/patients/search": (call) =>
        "identifier" in (call.body as object)
          ? { status: 200, body: { patients: [{ patient: dana, portal_status: "active" }], truncated: false } }
          : {
              status: 200,
              body: {
                patients: [
                  { patient: dana, portal_status: "active" },
                  { patient: twin, portal_status: "not_invited" },
                ],
                truncated: true,
              },
            },
    });
    renderAt("/staff/patients");
    const user = userEvent.setup();
    await user.click(await screen.findByLabelText("Another identifier", { exact: false }));
    await user.type(screen.getByLabelText("Assigning authority", { exact: false }), "QUEST:MRN");
    await user.type(screen.getByLabelText("Identifier"), "12345");
    await user.click(screen.getByRole("button", { name: "Find" }));
    expect(await screen.findByRole("region", { name: "Dana M Rivera" })).toBeTruthy();
    expect(calls.filter((c) => c.method === "POST").at(-1)?.body).toEqual({
      identifier: { authority: "QUEST:MRN", value: "12345" },
    });

    await user.click(screen.getByLabelText("Family name and date of birth"));
    await user.type(screen.getByLabelText("Family name (last name)", { exact: false }), "rivera");
    await user.type(screen.getByLabelText("Date of birth"), "1984-03-09");
    await user.click(screen.getByRole("button", { name: "Find" }));
    expect(await screen.findByRole("heading", { name: "2 patients found" })).toBeTruthy();
    expect(screen.getByText("More patients match than are listed: search by an identifier to narrow it.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Open Dina Rivera's page" })).toBeTruthy();
    expect(calls.filter((c) => c.method === "POST").at(-1)?.body).toEqual({
      family_name: "rivera",
      birth_date: "1984-03-09",
    });
    expect(window.location.href).not.toContain("rivera");
    await expectAccessible();
  }, 20_000); // (many steps and an axe run: slow on a busy machine)

  it("tells a patient's account that the page is for staff, and asks the API nothing more", async () => {
    setToken("tok-1");
    const calls = fakeApi({ "GET /v1/me": { status: 200, body: me() } });
    renderAt("/staff/patients");
    expect((await screen.findByRole("alert")).textContent).toBe("This page is for clinic staff.");
    expect(calls.map((call) => call.path)).toEqual(["/v1/me"]);
  });

  it("sends a visitor without a session to sign in", async () => {
    fakeApi({});
    renderAt(`/staff/patients/${PID}`);
    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeTruthy();
  });
});

describe("register a patient", () => {
  async function fillIn() {
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Medical record number (MRN)"), "AMC-200002");
    await user.type(screen.getByLabelText("Family name (last name)"), "Okafor");
    await user.type(screen.getByLabelText("Given names (first and middle)", { exact: false }), "Chidi  Ben");
    await user.type(screen.getByLabelText("Date of birth"), "1990-04-01");
    await user.selectOptions(screen.getByLabelText("Sex"), "Male");
    await user.click(screen.getByRole("button", { name: "Register patient" }));
    return user;
  }

  it("registers the patient and opens their page", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe("admin") },
      "POST /v1/staff/patients": { status: 201, body: { patient_id: PID, portal_status: "not_invited" } },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
    });
    renderAt("/staff/patients/new");
    await fillIn();
    expect(await screen.findByText("The patient is registered.")).toBeTruthy();
    expect(window.location.pathname).toBe(`/staff/patients/${PID}`);
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({
      mrn: "AMC-200002",
      family_name: "Okafor",
      given_names: ["Chidi", "Ben"],
      birth_date: "1990-04-01",
      sex: "male",
    });
    await expectAccessible();
  });

  it("shows a refused field next to it, and a conflict above the form", async () => {
    setToken("tok-1");
    let answer = 0;
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "POST /v1/staff/patients": () =>
        ++answer === 1
          ? {
              status: 400,
              body: apiError("validation_failed", "The request is not valid.", [
                { field: "birth_date", issue: "Give a date in the past." },
              ]),
            }
          : {
              status: 409,
              body: apiError("conflict", "Another patient of the organization has this identifier."),
            },
    });
    renderAt("/staff/patients/new");
    const user = await fillIn();
    expect(await screen.findByText("Give a date in the past.")).toBeTruthy();
    expect(screen.getByLabelText("Date of birth").getAttribute("aria-invalid")).toBe("true");

    await user.click(screen.getByRole("button", { name: "Register patient" }));
    expect(await screen.findByText("Another patient of the organization has this identifier.")).toBeTruthy();
    expect(window.location.pathname).toBe("/staff/patients/new");
    await expectAccessible();
  });
});

describe("a patient's page", () => {
  it("shows who they are, their portal account and their invitations", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: {
        status: 200,
        body: enrolled({ second_factors: ["totp", "recovery_code"], email_verified: false }),
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const who = await screen.findByRole("region", { name: "Who they are" });
    expect(who.textContent).toContain("Date of birth: Mar 9, 1984");
    expect(who.textContent).toContain("AMC-100001 (AMC-MRN, MR)");
    expect(who.textContent).toContain("Sex: Female");
    const access = screen.getByRole("region", { name: "Portal access" });
    expect(access.textContent).toContain("Portal status: Active");
    expect(access.textContent).toContain("User name: dana.rivera");
    expect(access.textContent).toContain("Second sign-in steps: Authenticator app, Recovery codes");
    expect(access.textContent).toContain("Email address confirmed: No");
    const invitation = within(screen.getByRole("table", { name: "Invitations" })).getByRole("row", { name: /dana@example.org/ });
    expect(invitation.textContent).toContain("Used to enroll");
    // an enrolled patient is not invited again
    expect(screen.getByText("The patient has portal access, so no invitation can be sent.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Send invitation" })).toBeNull();
    await expectAccessible();
  });

  it("offers only the portal actions that apply to the account as it stands", async () => {
    setToken("tok-1");
    const answers = [
      portal(),
      enrolled(),
      enrolled({ locked: true, second_factors: ["totp"] }),
      enrolled({ status: "suspended" }),
      portal({ portal_status: "terminated", account: { ...enrolled().account!, status: "terminated" } }),
      { ...enrolled(), merged_into: "c".repeat(32) },
    ];
    const offered: string[][] = [];
    for (const answer of answers) {
      fakeApi({
        "GET /v1/me": { status: 200, body: staffMe() },
        [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
        [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
        [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
        [`GET /v1/staff/patients/${PID}`]: { status: 200, body: answer },
      });
      const view = renderAt(`/staff/patients/${PID}`);
      const access = await screen.findByRole("region", { name: "Portal access" });
      offered.push(within(access).queryAllByRole("button").map((button) => button.textContent ?? ""));
      view.unmount();
    }
    expect(offered).toEqual([
      [],
      ["Suspend access", "End access"],
      ["Unlock sign-in", "Suspend access", "Remove second sign-in steps", "End access"],
      ["Reinstate access", "End access"],
      [],
      ["Move the account to the surviving record", "Suspend access", "End access"],
    ]);
  });

  it("asks before suspending, does nothing when cancelled, and says what the suspension did", async () => {
    setToken("tok-1");
    let suspended = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: () => ({
        status: 200,
        body: suspended ? enrolled({ status: "suspended" }) : enrolled(),
      }),
      [`POST /v1/staff/patients/${PID}/portal-access`]: () => {
        suspended = true;
        return { status: 200, body: { portal_status: "suspended", account_status: "suspended", sessions_ended: 2 } };
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Suspend access" }));
    const question = screen.getByRole("group", { name: /Suspend portal access for Dana M Rivera\?/ });
    expect(document.activeElement).toBe(question); // read out at once
    await user.click(within(question).getByRole("button", { name: "Cancel" }));
    expect(calls.some((call) => call.method === "POST")).toBe(false);
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Suspend access" })); // back where it was

    await user.selectOptions(screen.getByLabelText("Reason (kept in the audit trail)"), "The patient asked");
    await user.click(screen.getByRole("button", { name: "Suspend access" }));
    await user.click(screen.getByRole("button", { name: "Yes, suspend access" }));
    expect((await screen.findByRole("status")).textContent).toBe(
      "Portal access is suspended. Signed-in sessions ended: 2. The patient was told by email.",
    );
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ action: "suspend", reason: "patient_request" });
    // the page reads the patient again: the account is suspended now, so it can be reinstated
    expect(await screen.findByRole("button", { name: "Reinstate access" })).toBeTruthy();
    expect(screen.getByRole("region", { name: "Portal access" }).textContent).toContain("Portal status: Suspended");
  });

  it("unlocks at once (nothing to confirm) and says the API's refusal to end access in words", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: enrolled({ locked: true }) },
      [`POST /v1/staff/patients/${PID}/portal-access`]: (call) =>
        (call.body as { action: string }).action === "unlock"
          ? { status: 200, body: { portal_status: "active", account_status: "active", sessions_ended: 0 } }
          : {
              status: 409,
              body: apiError("conflict", "This patient's portal account is managed by the organization they enrolled with."),
            },
    });
    renderAt(`/staff/patients/${PID}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Unlock sign-in" }));
    expect((await screen.findByRole("status")).textContent).toBe("The account is unlocked: the patient can sign in again.");
    expect(calls.filter((call) => call.method === "POST").map((call) => call.body)).toEqual([{ action: "unlock", reason: "" }]);

    await user.click(screen.getByRole("button", { name: "End access" }));
    expect(screen.getByRole("group", { name: /End portal access for Dana M Rivera for good\?/ })).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Yes, end access" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "This patient's portal account is managed by the organization they enrolled with.",
    );
  });

  it("moves a merged record's account to the surviving record after asking", async () => {
    setToken("tok-1");
    const survivor = "c".repeat(32);
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: { ...enrolled(), merged_into: survivor } },
      [`POST /v1/staff/patients/${PID}/portal-access`]: {
        status: 200,
        body: { portal_status: "active", account_status: "active", sessions_ended: 1, patient_id: survivor },
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const user = userEvent.setup();
    expect((await screen.findByRole("link", { name: "Open the surviving record" })).getAttribute("href")).toBe(
      `/staff/patients/${survivor}`,
    );
    await user.click(screen.getByRole("button", { name: "Move the account to the surviving record" }));
    await user.click(screen.getByRole("button", { name: "Yes, move the account" }));
    expect((await screen.findByRole("status")).textContent).toContain("now opens the surviving record");
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ action: "follow_merge", reason: "" });
  });
});

describe("invitations", () => {
  it("invites the patient by email and shows the new invitation", async () => {
    setToken("tok-1");
    let invited = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: () => ({
        status: 200,
        body: invited ? portal({ portal_status: "invited", invitations: [pendingInvitation] }) : portal(),
      }),
      "POST /v1/staff/invitations": () => {
        invited = true;
        return { status: 201, body: { invitation_id: "inv-1", expires_at: "2026-11-27T10:00:00Z" } };
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const user = userEvent.setup();
    expect(await screen.findByText("No invitation has been sent.")).toBeTruthy();
    await user.type(screen.getByLabelText("Email address"), "dana@example.org");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect((await screen.findByRole("status")).textContent).toMatch(/^An invitation was sent to dana@example.org\. Its code works until Nov 27, 2026/);
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ patient_id: PID, email: "dana@example.org" });
    const row = await screen.findByRole("row", { name: /dana@example.org/ });
    expect(row.textContent).toContain("Pending");
  });

  it("shows the API's complaint about the address next to it", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
      "POST /v1/staff/invitations": {
        status: 400,
        body: apiError("validation_failed", "The request is not valid.", [
          { field: "email", issue: "Give an email address such as name@example.org." },
        ]),
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Email address"), "dana@");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(await screen.findByText("Give an email address such as name@example.org.")).toBeTruthy();
    expect(screen.getByLabelText("Email address").getAttribute("aria-invalid")).toBe("true");
  });

  it("sends a pending invitation again, and revokes one after asking", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: {
        status: 200,
        body: portal({ portal_status: "invited", invitations: [pendingInvitation] }),
      },
      "POST /v1/staff/invitations/inv-1/resend": {
        status: 201,
        body: { invitation_id: "inv-2", expires_at: "2026-12-11T10:00:00Z" },
      },
      "DELETE /v1/staff/invitations/inv-1": { status: 204 },
    });
    renderAt(`/staff/patients/${PID}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Send again: the invitation to dana@example.org" }));
    expect((await screen.findByRole("status")).textContent).toMatch(/^A new invitation was sent to dana@example.org; the earlier code no longer works/);

    await user.click(screen.getByRole("button", { name: "Revoke the invitation to dana@example.org" }));
    await user.click(within(screen.getByRole("group", { name: /Revoke the invitation sent to/ })).getByRole("button", { name: "Yes, revoke it" }));
    expect((await screen.findByRole("status")).textContent).toBe("The invitation is revoked: its code no longer works.");
    expect(calls.filter((call) => call.method !== "GET").map((call) => `${call.method} ${call.path}`)).toEqual([
      "POST /v1/staff/invitations/inv-1/resend",
      "DELETE /v1/staff/invitations/inv-1",
    ]);
  });

  it("says in words why an invitation cannot be revoked", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: { status: 200, body: { proxies: [] } },
      [`GET /v1/staff/patients/${PID}`]: {
        status: 200,
        body: portal({ portal_status: "invited", invitations: [pendingInvitation] }),
      },
      "DELETE /v1/staff/invitations/inv-1": {
        status: 409,
        body: apiError("conflict", "Only a pending invitation can be revoked."),
      },
    });
    renderAt(`/staff/patients/${PID}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Revoke the invitation to dana@example.org" }));
    await user.click(screen.getByRole("button", { name: "Yes, revoke it" }));
    expect((await screen.findByRole("alert")).textContent).toBe("Only a pending invitation can be revoked.");
  });
});
