import { configure, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { staffMe } from "./fixtures";

// The staff pages are a chunk of their own, imported on first use.
configure({ asyncUtilTimeout: 5000 });

async function fillIn(user: ReturnType<typeof userEvent.setup>, birthDate = "1979-11-02") {
  await user.type(await screen.findByLabelText("Given name (first name)", { exact: false }), "Sam");
  await user.type(screen.getByLabelText("Family name (last name)", { exact: false }), " O'Connor ");
  await user.type(screen.getByLabelText("Their own date of birth", { exact: false }), birthDate);
  await user.type(screen.getByLabelText("Email address", { exact: false }), "sam@example.org");
}

describe("invite someone without a record", () => {
  it("is found from the patient search and sends the invitation, naming the person in the body only", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "POST /v1/staff/proxy-invitations": {
        status: 201,
        body: { invitation_id: "0123456789abcdef", expires_at: "2026-03-09T15:00:00Z" },
      },
    });
    renderAt("/staff/patients");
    const user = userEvent.setup();
    await user.click(
      await screen.findByRole("link", { name: "Invite a parent, guardian or agent who has no record here" }),
    );
    expect(await screen.findByRole("heading", { level: 1, name: "Invite someone without a record" })).toBeTruthy();
    expect(document.title).toBe("Invite someone without a record | Patient portal");

    await fillIn(user);
    await user.click(screen.getByRole("button", { name: "Send invitation" }));

    const said = await screen.findByRole("status");
    expect(said.textContent).toContain("Invitation sent.");
    expect(said.textContent).toContain("Mar 9, 2026");
    const sent = calls.find((call) => call.path === "/v1/staff/proxy-invitations");
    expect(sent?.body).toEqual({
      email: "sam@example.org",
      given_name: "Sam",
      family_name: "O'Connor",
      birth_date: "1979-11-02",
    });
    expect(window.location.pathname).toBe("/staff/proxy-invitations/new");
    expect(window.location.search).toBe("");
    // AND the form is empty again for the next person
    expect((screen.getByLabelText("Given name (first name)", { exact: false }) as HTMLInputElement).value).toBe("");
    await expectAccessible();
  });

  it("shows the API's complaint next to the field it names", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "POST /v1/staff/proxy-invitations": {
        status: 400,
        body: apiError("validation_failed", "A date of birth is a past date written YYYY-MM-DD.", [
          { field: "birth_date" },
        ]),
      },
    });
    renderAt("/staff/proxy-invitations/new");
    const user = userEvent.setup();
    await fillIn(user, "2999-01-01");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));

    const field = await screen.findByLabelText("Their own date of birth", { exact: false });
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(await screen.findByText("A date of birth is a past date written YYYY-MM-DD.")).toBeTruthy();
    expect(screen.queryByRole("status")).toBeNull();
    await expectAccessible();
  });

  it("sent empty, says what each field needs next to it, in words, and calls nothing", async () => {
    setToken("tok-1");
    const calls = fakeApi({ "GET /v1/me": { status: 200, body: staffMe() } });
    renderAt("/staff/proxy-invitations/new");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Send invitation" }));

    for (const label of ["Given name (first name)", "Family name (last name)", "Their own date of birth", "Email address"]) {
      const field = screen.getByLabelText(label, { exact: false });
      expect(field.getAttribute("aria-invalid")).toBe("true");
    }
    expect(screen.getAllByText("Fill in this field.")).toHaveLength(4);
    expect(document.body.textContent).not.toContain("not valid");
    expect(document.body.textContent).not.toContain("Value error");
    expect(calls.some((call) => call.path === "/v1/staff/proxy-invitations")).toBe(false);

    // AND an email without its "@" is named as such, before anything is sent
    await fillIn(user);
    const email = screen.getByLabelText("Email address", { exact: false });
    await user.clear(email);
    await user.type(email, "sam");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(await screen.findByText("Enter an email address like name@example.org.")).toBeTruthy();
    expect(screen.queryByText("Fill in this field.")).toBeNull();
    await expectAccessible();
  });

  it("keeps the API's general 'not valid' out when its fields say what is wrong", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "POST /v1/staff/proxy-invitations": {
        status: 400,
        body: apiError("validation_failed", "The request body is not valid.", [
          { field: "family_name", issue: "too long" },
        ]),
      },
    });
    renderAt("/staff/proxy-invitations/new");
    const user = userEvent.setup();
    await fillIn(user);
    await user.click(screen.getByRole("button", { name: "Send invitation" }));

    expect(await screen.findByText("Too long.")).toBeTruthy();
    expect(screen.queryByText("The request body is not valid.")).toBeNull();
  });

  it("tells a patient's account this page is for staff", async () => {
    setToken("tok-1");
    const patient = staffMe();
    fakeApi({ "GET /v1/me": { status: 200, body: { ...patient, account: { ...patient.account, role: "patient" } } } });
    renderAt("/staff/proxy-invitations/new");
    expect(await screen.findByRole("alert")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Send invitation" })).toBeNull();
  });
});
