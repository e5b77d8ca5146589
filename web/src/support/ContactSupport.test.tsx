import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { type Call, fakeApi, renderAt } from "../test/render";

configure({ asyncUtilTimeout: 5000 });

const organizations: Schemas["SupportOrganizations"] = {
  organizations: [
    { organization_id: "albany-medical-center", name: "Albany Medical Center" },
    { organization_id: "st-peters", name: "St. Peter's Hospital" },
  ],
};

const received: Schemas["SupportRequestReceived"] = {
  request_id: "0123456789abcdef0123456789abcdef",
  reference: "SR-01234567",
  status: "new",
  acknowledgement_emailed: true,
};

async function fillIn(user: ReturnType<typeof userEvent.setup>) {
  await user.selectOptions(await screen.findByLabelText("Clinic"), "St. Peter's Hospital");
  await user.selectOptions(screen.getByLabelText("What is it about?"), "A billing question");
  await user.type(screen.getByLabelText("How can we help?"), "I was billed twice for one visit.");
  await user.type(screen.getByLabelText("Email address"), "ana@example.org");
}

const keyOf = (call: Call) => call.headers.get("Idempotency-Key");

describe("contact support", () => {
  it("lets a signed-out visitor send a request and shows its reference number", async () => {
    setToken(null);
    const calls = fakeApi({
      "GET /v1/support-requests/organizations": { status: 200, body: organizations },
      "POST /v1/support-requests": { status: 201, body: received },
    });
    renderAt("/support");
    expect(screen.getByRole("heading", { level: 1, name: "Contact support" })).toBeTruthy();
    expect(document.title).toBe("Contact support | Patient portal");
    await expectAccessible();

    const user = userEvent.setup();
    await fillIn(user);
    await user.click(screen.getByRole("button", { name: "Send to support" }));

    const status = await screen.findByRole("status");
    expect(status.textContent).toContain("Your reference number is SR-01234567.");
    expect(status.textContent).toContain("We also emailed you a confirmation.");
    const post = calls.find((call) => call.method === "POST")!;
    expect(post.body).toEqual({
      organization_id: "st-peters",
      topic: "billing",
      description: "I was billed twice for one visit.",
      name: null,
      email: "ana@example.org",
      phone: null,
    });
    expect(keyOf(post)).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(post.headers.has("Authorization")).toBe(false);
    expect(post.search).toBe(""); // nothing of what was written goes in the address
  });

  it("sends a retry with the same Idempotency-Key, and a changed request with a new one", async () => {
    setToken(null);
    let posts = 0;
    const calls = fakeApi({
      "GET /v1/support-requests/organizations": { status: 200, body: organizations },
      "POST /v1/support-requests": () =>
        ++posts === 1
          ? { status: 503, body: apiError("service_unavailable", "The support requests store is unavailable.") }
          : { status: 201, body: received },
    });
    renderAt("/support");
    const user = userEvent.setup();
    await fillIn(user);
    await user.click(screen.getByRole("button", { name: "Send to support" }));
    expect((await screen.findByRole("alert")).textContent).toContain("The support requests store is unavailable.");

    await user.click(screen.getByRole("button", { name: "Send to support" })); // the same form, again
    await screen.findByText(/Your reference number is SR-01234567/);
    const [first, retry] = calls.filter((call) => call.method === "POST");
    expect(keyOf(retry!)).toBe(keyOf(first!));

    await user.click(screen.getByRole("button", { name: "Send another request" }));
    await fillIn(user);
    await user.click(screen.getByRole("button", { name: "Send to support" }));
    await screen.findByText(/Your reference number is SR-01234567/);
    const third = calls.filter((call) => call.method === "POST")[2]!;
    expect(keyOf(third)).not.toBe(keyOf(first!));
  });

  it("asks for a way to reach the person before sending, and shows the API's refusal next to its field", async () => {
    setToken(null);
    const calls = fakeApi({
      "GET /v1/support-requests/organizations": { status: 200, body: organizations },
      "POST /v1/support-requests": {
        status: 400,
        body: apiError("validation_failed", "Some answers need another look.", [
          { field: "phone", issue: "must be a phone number: 7 to 15 digits" },
        ]),
      },
    });
    renderAt("/support");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("How can we help?"), "Help");
    await user.click(screen.getByRole("button", { name: "Send to support" }));
    const email = screen.getByLabelText("Email address");
    expect(email.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Give an email address or a phone number, so that support can reach you.")).toBeTruthy();
    expect(calls.filter((call) => call.method === "POST")).toHaveLength(0);

    await user.type(screen.getByLabelText("Phone number"), "call me");
    await user.click(screen.getByRole("button", { name: "Send to support" }));
    expect(await screen.findByText("Must be a phone number: 7 to 15 digits.")).toBeTruthy();
    expect(screen.getByLabelText("Phone number").getAttribute("aria-invalid")).toBe("true");
  });

  it("says so in words when no clinic takes requests", async () => {
    setToken(null);
    fakeApi({ "GET /v1/support-requests/organizations": { status: 200, body: { organizations: [] } } });
    renderAt("/support");
    expect(await screen.findByText("No clinic takes support requests here yet. Call your clinic instead.")).toBeTruthy();
  });

  it("is linked from the sign-in page and the footer of every page", async () => {
    setToken(null);
    fakeApi({});
    renderAt("/sign-in");
    const main = screen.getByRole("main");
    expect(within(main).getByRole("link", { name: "Contact support" }).getAttribute("href")).toBe("/support");
    expect(within(screen.getByRole("contentinfo")).getByRole("link", { name: "Contact support" })).toBeTruthy();
  });
});
