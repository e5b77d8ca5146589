import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, challenge, emptyInbox, me, openedSession } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { ada, consentRequest, emmaShared } from "./fixtures";
import { leave } from "./leave";

const BACK = "http://localhost:8765/callback?code=c-1&state=s1";

function leaving() {
  return vi.spyOn(leave, "to").mockImplementation(() => undefined);
}

afterEach(() => vi.restoreAllMocks());

describe("connecting a health app", () => {
  it("sends a visitor to sign in (with the second factor) and back to the app's request", async () => {
    fakeApi({
      "POST /v1/sessions": { status: 201, body: challenge },
      "POST /v1/sessions/mfa": { status: 201, body: openedSession },
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
      "GET /v1/app-authorizations/requests/req-1": { status: 200, body: consentRequest() },
    });
    renderAt("/apps/authorize?request=req-1");
    const user = userEvent.setup();
    await screen.findByLabelText("User name");
    // the sign-in page says why the visitor is there before asking for anything
    expect(screen.getByText(/An app is asking to connect to your health record\. Sign in to continue/)).toBeTruthy();
    await user.type(screen.getByLabelText("User name"), "ada");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await user.type(await screen.findByLabelText("Code from your authenticator app"), "123456");
    await user.click(screen.getByRole("button", { name: "Continue" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Connect Health Tracker Demo to your record?" })).toBeTruthy();
    expect(window.location.pathname + window.location.search).toBe("/apps/authorize?request=req-1");
  });

  it("says nothing of an app on a sign-in that was not sent by one", async () => {
    fakeApi({});
    renderAt("/sign-in?next=%2Fresults");
    await screen.findByLabelText("User name");
    expect(screen.queryByText(/An app is asking/)).toBeNull();
  });

  it("keeps the way back to the app's request across terms owed after signing in", async () => {
    let accepted = false;
    fakeApi({
      "POST /v1/sessions": { status: 201, body: challenge },
      "POST /v1/sessions/mfa": { status: 201, body: { ...openedSession, must: "terms" } },
      "GET /v1/me": () => ({ status: 200, body: me(accepted ? null : "terms") }),
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
      "GET /v1/terms": { status: 200, body: { version: "2026-01", terms_of_use: "Be kind.", consent: "I agree.", summary: null } },
      "POST /v1/me/terms-acceptances": () => {
        accepted = true;
        return { status: 201, body: { accepted_version: "2026-01", accepted_at: "2026-03-02T10:00:00Z" } };
      },
      "GET /v1/app-authorizations/requests/req-1": { status: 200, body: consentRequest() },
    });
    renderAt("/apps/authorize?request=req-1");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("User name"), "ada");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    await user.type(await screen.findByLabelText("Code from your authenticator app"), "123456");
    await user.click(screen.getByRole("button", { name: "Continue" }));

    await user.click(await screen.findByLabelText(/I have read and accept/));
    await user.click(screen.getByRole("button", { name: "Accept and continue" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Connect Health Tracker Demo to your record?" })).toBeTruthy();
    expect(window.location.pathname + window.location.search).toBe("/apps/authorize?request=req-1");
  });

  it("shows the app, what it asks in plain words and the warning; shares only what stays checked", async () => {
    setToken("tok-1");
    const to = leaving();
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/app-authorizations/requests/req-1": { status: 200, body: consentRequest() },
      "POST /v1/app-authorizations/requests/req-1/approve": { status: 200, body: { redirect_to: BACK } },
    });
    renderAt("/apps/authorize?request=req-1");
    await screen.findByRole("heading", { level: 1, name: "Connect Health Tracker Demo to your record?" });
    expect(document.title).toBe("Connect Health Tracker Demo to your record? | Patient portal");
    // (the consent page is not one of Connected apps' pages, though its address is under it)
    expect((await screen.findByRole("link", { name: "Connected apps" })).getAttribute("aria-current")).toBeNull();
    expect(screen.getByText("Charts your results over time.")).toBeTruthy();
    expect(screen.getByRole("link", { name: /privacy policy of Health Tracker Demo/ }).getAttribute("href")).toBe(
      "https://tracker.example/privacy",
    );
    expect(screen.getByRole("heading", { name: "Before you share" }).parentElement!.textContent).toMatch(
      /may no longer be protected by HIPAA, the federal health-privacy law/,
    );
    // patients are not told the app's kind (an admin's word)
    expect(screen.queryByText(/public/i)).toBeNull();
    expect(screen.getByText("The app will read: Your record at Albany Medical.")).toBeTruthy();
    expect(screen.getByText("The app can keep reading until you revoke it.")).toBeTruthy();
    const what = screen.getByRole("group", { name: "What the app may read" });
    expect(within(what).getAllByRole("checkbox").map((box) => box.parentElement!.textContent)).toEqual([
      "Your name, birth date and contact details",
      "Test results and vital signs",
      "Lab reports",
      "Clinical documents",
      "Allergies",
      "Health problems",
      "Immunizations",
      "Medications",
      "Visits",
      "Appointments",
      "Who provided your care and where your data came from",
    ]);
    await expectAccessible();

    const user = userEvent.setup();
    await user.click(within(what).getByLabelText("Immunizations"));
    await user.click(within(what).getByLabelText("Who provided your care and where your data came from"));
    await user.click(screen.getByRole("button", { name: "Allow" }));
    await vi.waitFor(() => expect(to).toHaveBeenCalledWith(BACK));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      patient_id: "p-1",
      resource_types: [
        "Patient",
        "Observation",
        "DiagnosticReport",
        "DocumentReference",
        "AllergyIntolerance",
        "Condition",
        "MedicationRequest",
        "Encounter",
        "Appointment",
      ],
    });
  });

  it("asks whose record for a parent, and offers only what the parent's access covers", async () => {
    setToken("tok-1");
    const to = leaving();
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/app-authorizations/requests/req-1": {
        status: 200,
        body: consentRequest({ patients: [ada, emmaShared], offline: false, openid: false }),
      },
      "POST /v1/app-authorizations/requests/req-1/approve": { status: 200, body: { redirect_to: BACK } },
    });
    renderAt("/apps/authorize?request=req-1");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Allow" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Choose whose record to share.");
    expect(to).not.toHaveBeenCalled();

    const whose = screen.getByRole("group", { name: "Whose record" });
    await user.click(within(whose).getByLabelText("Emma Lovelace’s record at Albany Medical (you act for them)"));
    const what = screen.getByRole("group", { name: "What the app may read" });
    expect(within(what).getAllByRole("checkbox")).toHaveLength(4);
    // Emma's record is spoken of as hers, not "your"
    expect(within(what).getByLabelText("Emma Lovelace’s name, birth date and contact details")).toBeTruthy();
    expect(within(what).getByLabelText("Who provided Emma Lovelace’s care and where their data came from")).toBeTruthy();
    await user.click(within(whose).getByLabelText("Your record at Albany Medical"));
    expect(within(what).getByLabelText("Your name, birth date and contact details")).toBeTruthy();
    await user.click(within(whose).getByLabelText("Emma Lovelace’s record at Albany Medical (you act for them)"));
    expect(screen.getByText(/your access does not cover it\): Clinical documents, Allergies/)).toBeTruthy();
    expect(screen.getByText(/only for a short while/)).toBeTruthy();
    expect(screen.queryByText(/learn who connected it/)).toBeNull();
    await user.click(screen.getByRole("button", { name: "Allow" }));
    await vi.waitFor(() => expect(to).toHaveBeenCalledWith(BACK));
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({
      patient_id: "p-emma",
      resource_types: ["Patient", "Observation", "DiagnosticReport", "Practitioner", "Organization", "Provenance"],
    });
  });

  it("titles the request with the patient's name when the one record offered is someone the account acts for", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/app-authorizations/requests/req-1": { status: 200, body: consentRequest({ patients: [emmaShared] }) },
    });
    renderAt("/apps/authorize?request=req-1");
    await screen.findByRole("heading", { level: 1, name: "Connect Health Tracker Demo to Emma Lovelace’s record?" });
    expect(screen.getByText("Health Tracker Demo asks to read Emma Lovelace’s health record at this portal.")).toBeTruthy();
    expect(screen.getByLabelText("Emma Lovelace’s name, birth date and contact details")).toBeTruthy();
    expect(screen.queryByText(/your record\?|Your name/)).toBeNull();
  });

  it("says to share something when everything is unchecked, and denies on Deny", async () => {
    setToken("tok-1");
    const to = leaving();
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/app-authorizations/requests/req-1": {
        status: 200,
        body: consentRequest({ resource_types: ["Patient", "Observation"] }),
      },
      "POST /v1/app-authorizations/requests/req-1/deny": {
        status: 200,
        body: { redirect_to: "http://localhost:8765/callback?error=access_denied&state=s1" },
      },
    });
    renderAt("/apps/authorize?request=req-1");
    const user = userEvent.setup();
    await user.click(await screen.findByLabelText("Your name, birth date and contact details"));
    await user.click(screen.getByLabelText("Test results and vital signs"));
    await user.click(screen.getByRole("button", { name: "Allow" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Choose at least one kind of information");
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await user.click(screen.getByRole("button", { name: "Deny" }));
    await vi.waitFor(() => expect(to).toHaveBeenCalledWith("http://localhost:8765/callback?error=access_denied&state=s1"));
  });

  it("tells the patient to start again from the app when the request is gone", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/app-authorizations/requests/old": {
        status: 404,
        body: apiError("not_found", "This request has expired or was already used."),
      },
    });
    renderAt("/apps/authorize?request=old");
    expect(await screen.findByRole("heading", { name: "The app could not be connected" })).toBeTruthy();
    expect(screen.getByText("This request has expired or was already used.")).toBeTruthy();
    expect(screen.getByText("Go back to the app and connect again from there.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Allow" })).toBeNull();
  });

  it("explains a problem the authorization server named, with nothing to click, signed in or not", async () => {
    fakeApi({});
    renderAt("/apps/authorize?problem=invalid_request");
    expect(await screen.findByRole("heading", { name: "The app could not be connected" })).toBeTruthy();
    expect(screen.getByText(/did not register with this portal, so you were not sent there/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Allow|Deny/ })).toBeNull();
    await expectAccessible();
  });

  it("says plainly when the app is not one the portal knows, and when the problem has no name it knows", async () => {
    fakeApi({});
    const { unmount } = renderAt("/apps/authorize?problem=invalid_client");
    expect(await screen.findByText(/does not know the app that sent you here/)).toBeTruthy();
    unmount();
    renderAt("/apps/authorize?problem=server_error");
    expect(await screen.findByText("The app’s request could not be read.")).toBeTruthy();
  });
});
