import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, me } from "../test/fixtures";
import { type Call, fakeApi, renderAt } from "../test/render";
import { RID, lisinopril, oxycodone, refillRequest } from "./fixtures";

configure({ asyncUtilTimeout: 5000 });

const keyOf = (call: Call) => call.headers.get("Idempotency-Key");
const posts = (calls: Call[]) => calls.filter((call) => call.method === "POST");

function patientApi(extra: Parameters<typeof fakeApi>[0] = {}) {
  return fakeApi({
    "GET /v1/me": { status: 200, body: me() },
    "GET /v1/patients/p-1/medications": { status: 200, body: { medications: [lisinopril, oxycodone] } },
    "GET /v1/patients/p-1/refill-requests": { status: 200, body: { refill_requests: [], next_cursor: null } },
    ...extra,
  });
}

async function fillIn(user: ReturnType<typeof userEvent.setup>) {
  await user.type(await screen.findByLabelText("Pharmacy name"), "Main Street Pharmacy");
  await user.type(screen.getByLabelText("Pharmacy phone number (optional)"), "518-555-0199");
  await user.type(screen.getByLabelText("Pharmacy address (optional)"), "12 Main St, Albany NY");
  await user.type(screen.getByLabelText("Note for your care team (optional)"), "Running low: two days left.");
}

describe("requesting a refill", () => {
  it("sends one request for a double click, then shows it as sent and waiting", async () => {
    setToken("tok-1");
    const calls = patientApi({
      "POST /v1/patients/p-1/refill-requests": { status: 201, body: refillRequest() },
      [`GET /v1/patients/p-1/refill-requests/${RID}`]: { status: 200, body: refillRequest() },
    });
    renderAt("/medications");
    const user = userEvent.setup();
    const lis = await screen.findByRole("listitem", { name: "Lisinopril 10 mg tablet" });
    await user.click(within(lis).getByRole("link", { name: /Request a refill/ }));
    expect(await screen.findByRole("heading", { level: 1, name: "Request a refill" })).toBeTruthy();
    expect(document.title).toBe("Request a refill | Patient portal"); // no medication in the title
    expect(screen.getByText("Lisinopril 10 mg tablet")).toBeTruthy();
    await fillIn(user);
    await expectAccessible();
    await user.dblClick(screen.getByRole("button", { name: "Send the refill request" }));

    expect((await screen.findByRole("status")).textContent).toBe(
      "Your refill request is sent. Your care team will look at it, and we will email you when there is an update.",
    );
    expect(screen.getByRole("heading", { level: 1, name: "Refill request" })).toBeTruthy();
    expect(window.location.pathname).toBe(`/medications/refill-requests/${RID}`);
    expect(screen.getByText("Waiting for your care team")).toBeTruthy();
    expect(posts(calls)).toHaveLength(1);
    const [post] = posts(calls);
    expect(post!.body).toEqual({
      medication_id: "m-lis",
      pharmacy: { name: "Main Street Pharmacy", phone: "518-555-0199", address: "12 Main St, Albany NY" },
      note: "Running low: two days left.",
    });
    expect(keyOf(post!)).toMatch(/^[0-9a-f-]{32,36}$/);
    expect(post!.search).toBe("");
  });

  it("resends a failed request with the same Idempotency-Key, so it is made once", async () => {
    setToken("tok-1");
    let tries = 0;
    const calls = patientApi({
      "POST /v1/patients/p-1/refill-requests": () =>
        ++tries === 1
          ? { status: 503, body: apiError("service_unavailable", "Refill requests are unavailable: try again.") }
          : { status: 201, body: refillRequest() },
      [`GET /v1/patients/p-1/refill-requests/${RID}`]: { status: 200, body: refillRequest() },
    });
    renderAt("/medications/m-lis/refill");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Pharmacy name"), "Main Street Pharmacy");
    await user.click(screen.getByRole("button", { name: "Send the refill request" }));
    expect((await screen.findByRole("alert")).textContent).toContain("Refill requests are unavailable: try again.");
    await user.click(screen.getByRole("button", { name: "Send the refill request" }));
    await screen.findByRole("heading", { level: 1, name: "Refill request" });
    const [first, retry] = posts(calls);
    expect(keyOf(retry!)).toBe(keyOf(first!));
    expect(first!.body).toEqual({
      medication_id: "m-lis",
      pharmacy: { name: "Main Street Pharmacy", phone: null, address: null },
      note: "",
    });
  });

  it("asks for the pharmacy's name before sending, and puts the API's refusal next to the field it names", async () => {
    setToken("tok-1");
    const calls = patientApi({
      "POST /v1/patients/p-1/refill-requests": {
        status: 400,
        body: apiError("validation_failed", "Some answers need another look.", [
          { field: "pharmacy.phone", issue: "is not in the expected form" },
        ]),
      },
    });
    renderAt("/medications/m-lis/refill");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Send the refill request" }));
    expect(screen.getByLabelText("Pharmacy name").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Fill in this field.")).toBeTruthy();
    expect(posts(calls)).toHaveLength(0);

    await user.type(screen.getByLabelText("Pharmacy name"), "Main Street Pharmacy");
    await user.type(screen.getByLabelText("Pharmacy phone number (optional)"), "call me");
    await user.click(screen.getByRole("button", { name: "Send the refill request" }));
    expect(await screen.findByText("Is not in the expected form.")).toBeTruthy();
    expect(screen.getByLabelText("Pharmacy phone number (optional)").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByLabelText("Pharmacy name").getAttribute("aria-invalid")).toBeNull();
  });

  it("shows the API's explanation when it refuses the refill (409), without its code, and no form to resend", async () => {
    setToken("tok-1");
    patientApi({
      "POST /v1/patients/p-1/refill-requests": {
        status: 409,
        body: apiError(
          "conflict",
          "This medication is a controlled substance (Schedule II); refills cannot be requested online. Please call your care team.",
          [{ field: "medication_id", issue: "controlled_substance" }],
        ),
      },
    });
    renderAt("/medications/m-lis/refill");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Pharmacy name"), "Main Street Pharmacy");
    await user.click(screen.getByRole("button", { name: "Send the refill request" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain(
      "This medication is a controlled substance (Schedule II); refills cannot be requested online. Please call your care team.",
    );
    expect(screen.queryByText(/controlled_substance/i)).toBeNull();
    expect(screen.queryByRole("button", { name: "Send the refill request" })).toBeNull();
    expect(screen.getByRole("link", { name: "Back to medications" }).getAttribute("href")).toBe("/medications");
  });

  it("shows why instead of the form for a medication that cannot be refilled online, and says so for one not on the list", async () => {
    setToken("tok-1");
    patientApi();
    const { unmount } = renderAt("/medications/m-oxy/refill");
    expect(
      await screen.findByText(
        "This is a controlled substance (Schedule II). Refills can't be requested online: call your care team.",
      ),
    ).toBeTruthy();
    expect(screen.queryByLabelText("Pharmacy name")).toBeNull();
    unmount();

    renderAt("/medications/m-unknown/refill");
    expect((await screen.findByRole("alert")).textContent).toBe("This medication is not on your list.");
  });
});

describe("a refill request's page", () => {
  it("shows a denial with its reason and what to do next", async () => {
    setToken("tok-1");
    const denied = refillRequest({
      status: "denied",
      decided_at: "2026-12-05T14:30:00Z",
      decision_reason: "Please book a blood test first.",
    });
    patientApi({ [`GET /v1/patients/p-1/refill-requests/${RID}`]: { status: 200, body: denied } });
    renderAt(`/medications/refill-requests/${RID}`);
    expect(await screen.findByText("Please book a blood test first.")).toBeTruthy();
    expect(screen.getByText("Denied")).toBeTruthy();
    expect(screen.getByText(/Dec 5, 2026/)).toBeTruthy();
    expect(screen.getByText("Your care team did not approve this refill. Call your care team if you have questions.")).toBeTruthy();
    expect(document.title).toBe("Refill request | Patient portal");
    await expectAccessible();
  });

  it("says another patient's or an unknown request is not found, in the API's words", async () => {
    setToken("tok-1");
    patientApi({
      [`GET /v1/patients/p-1/refill-requests/${RID}`]: { status: 404, body: apiError("not_found", "No such refill request.") },
    });
    renderAt(`/medications/refill-requests/${RID}`);
    expect((await screen.findByRole("alert")).textContent).toBe("No such refill request.");
  });
});
