import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { RID, staffRefillRequest } from "../medications/fixtures";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { staffMe } from "./fixtures";

// The staff pages are a chunk of their own, imported on first use.
configure({ asyncUtilTimeout: 5000 });

const OLDER = "fedcba9876543210fedcba9876543210";
const empty = { refill_requests: [], next_cursor: null };

describe("the refill requests queue", () => {
  it("lists the waiting requests with the patient, medication, when asked and pharmacy, and filters by status", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/refill-requests": (call) => ({
        status: 200,
        body: call.search.includes("status=denied")
          ? empty
          : {
              refill_requests: [
                staffRefillRequest({ request_id: OLDER, requested_at: "2026-12-01T09:00:00Z" }),
                staffRefillRequest({
                  medication: { medication_id: "m-met", name: "Metformin 500 mg tablet" },
                  patient: { patient_id: "p-2", name: "Ana Núñez", birth_date: "1975-02-03" },
                  pharmacy: { name: "Corner Drugs", phone: null, address: null },
                }),
              ],
              next_cursor: null,
            },
      }),
    });
    renderAt("/staff/refill-requests");
    const table = await screen.findByRole("table", { name: "2 refill requests" });
    expect(document.title).toBe("Refill requests | Patient portal");
    const rows = within(table).getAllByRole("row");
    expect(rows[1]!.textContent).toContain("Lisinopril 10 mg tablet");
    expect(rows[1]!.textContent).toContain("Dana M Rivera");
    expect(rows[1]!.textContent).toContain("Born Apr 12, 1980");
    expect(rows[1]!.textContent).toContain("Dec 1, 2026");
    expect(rows[1]!.textContent).toContain("Main Street Pharmacy");
    expect(rows[2]!.textContent).toContain("Corner Drugs");
    expect(
      within(rows[1]!).getByRole("link", { name: "Lisinopril 10 mg tablet for Dana M Rivera" }).getAttribute("href"),
    ).toBe(`/staff/refill-requests/${OLDER}`);
    expect(calls.find((call) => call.path === "/v1/staff/refill-requests")?.search).toContain("status=requested");
    expect(within(screen.getByRole("navigation", { name: "Portal pages" })).getByRole("link", { name: "Refill requests" })).toBeTruthy();
    await expectAccessible();

    await userEvent.setup().selectOptions(screen.getByLabelText("Show"), "Denied");
    expect(await screen.findByText("No denied refill requests to show.")).toBeTruthy();
    expect(calls.at(-1)?.search).toContain("status=denied");
  });

  it("says so when nothing waits, and says a refusal in words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/refill-requests": { status: 200, body: empty },
    });
    const { unmount } = renderAt("/staff/refill-requests");
    expect(await screen.findByText("No refill request is waiting.")).toBeTruthy();
    unmount();

    setToken("tok-2");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/refill-requests": { status: 503, body: apiError("service_unavailable", "The queue is unavailable.") },
    });
    renderAt("/staff/refill-requests");
    expect((await screen.findByRole("alert")).textContent).toBe("The queue is unavailable.");
  });
});

describe("a refill request for staff", () => {
  it("shows the patient and the prescription, and approves the refill once", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/refill-requests/${RID}`]: { status: 200, body: staffRefillRequest() },
      "GET /v1/staff/refill-requests": { status: 200, body: empty },
      [`POST /v1/staff/refill-requests/${RID}/decision`]: {
        status: 200,
        body: staffRefillRequest({ status: "approved", decided_at: "2026-12-05T10:00:00Z", decided_by: "Sam Staff" }),
      },
    });
    renderAt(`/staff/refill-requests/${RID}`);
    expect(await screen.findByText("Lisinopril 10 mg tablet")).toBeTruthy();
    expect(screen.getByRole("heading", { level: 1, name: "Refill request" })).toBeTruthy();
    expect(document.title).toBe("Refill request | Patient portal"); // no name, no medication
    expect(screen.getByText("Dana M Rivera")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Open the patient's page" }).getAttribute("href")).toBe("/staff/patients/p-1");
    expect(screen.getByText("Running low: two days left.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "518-555-0199" }).getAttribute("href")).toBe("tel:518-555-0199");
    expect(screen.getByText("3 refills")).toBeTruthy();
    expect(screen.getByText("Jun 1, 2027")).toBeTruthy();
    await expectAccessible();

    await userEvent.setup().click(screen.getByRole("button", { name: "Approve the refill" }));
    expect((await screen.findByRole("status")).textContent).toBe("The refill is approved. The patient is told.");
    expect(screen.getByText("Approved")).toBeTruthy();
    expect(screen.getByText("Sam Staff")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Approve the refill" })).toBeNull();
    const [post] = calls.filter((call) => call.method === "POST");
    expect(post!.body).toEqual({ decision: "approved", reason: null });
    expect(post!.headers.get("Idempotency-Key")).toBeTruthy();
  });

  it("asks for a reason before denying, then denies with it", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/refill-requests/${RID}`]: { status: 200, body: staffRefillRequest() },
      "GET /v1/staff/refill-requests": { status: 200, body: empty },
      [`POST /v1/staff/refill-requests/${RID}/decision`]: (call) => ({
        status: 200,
        body: staffRefillRequest({
          status: "denied",
          decided_at: "2026-12-05T10:00:00Z",
          decided_by: "Sam Staff",
          decision_reason: (call.body as { reason: string }).reason,
        }),
      }),
    });
    renderAt(`/staff/refill-requests/${RID}`);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Deny the refill" }));
    expect(screen.getByText("Give the reason: the patient reads it.")).toBeTruthy();
    expect(screen.getByLabelText("Reason for denying").getAttribute("aria-invalid")).toBe("true");
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await user.type(screen.getByLabelText("Reason for denying"), "Please book a blood test first.");
    await user.click(screen.getByRole("button", { name: "Deny the refill" }));
    expect((await screen.findByRole("status")).textContent).toBe("The refill is denied. The patient is told, with your reason.");
    expect(screen.getByText("Please book a blood test first.")).toBeTruthy();
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({
      decision: "denied",
      reason: "Please book a blood test first.",
    });
  });

  it("says in plain words that someone else already decided, and shows their decision", async () => {
    setToken("tok-1");
    let decided = false;
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/refill-requests/${RID}`]: () => ({
        status: 200,
        body: decided
          ? staffRefillRequest({ status: "approved", decided_at: "2026-12-05T09:00:00Z", decided_by: "Lee Nurse" })
          : staffRefillRequest(),
      }),
      [`POST /v1/staff/refill-requests/${RID}/decision`]: () => {
        decided = true;
        return { status: 409, body: apiError("conflict", "This refill request is already decided.") };
      },
    });
    renderAt(`/staff/refill-requests/${RID}`);
    await userEvent.setup().click(await screen.findByRole("button", { name: "Approve the refill" }));
    expect((await screen.findByRole("alert")).textContent).toContain(
      "Someone has already decided this request; its outcome is shown below.",
    );
    expect(await screen.findByText("Lee Nurse")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Approve the refill" })).toBeNull();
  });

  it("says a request of another organization is not found", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/refill-requests/${RID}`]: { status: 404, body: apiError("not_found", "No such refill request.") },
    });
    renderAt(`/staff/refill-requests/${RID}`);
    expect((await screen.findByRole("alert")).textContent).toBe("No such refill request.");
  });
});
