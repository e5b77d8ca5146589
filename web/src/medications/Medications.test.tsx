import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { RID, lisinopril, medication, oxycodone, refillRequest } from "./fixtures";

configure({ asyncUtilTimeout: 5000 });

const noRequests = { refill_requests: [], next_cursor: null };

function item(name: string): HTMLElement {
  return screen.getByRole("listitem", { name });
}

describe("the medications page", () => {
  it("lists each medication with how to take it, and offers a refill only where one can be asked for online", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/medications": { status: 200, body: { medications: [lisinopril, oxycodone] } },
      "GET /v1/patients/p-1/refill-requests": { status: 200, body: noRequests },
    });
    renderAt("/medications");
    expect(await screen.findByRole("heading", { level: 1, name: "Medications" })).toBeTruthy();
    expect(document.title).toBe("Medications | Patient portal");
    await screen.findByRole("listitem", { name: "Lisinopril 10 mg tablet" });
    // the intro reads as the other pages' intros do, not in the large serif lead style
    expect(screen.getByText("The medications your clinic's records list for you. Ask for a refill here when you are running low; your care team decides, and we email you when there is an update.").className).not.toContain("usa-intro");

    const lis = item("Lisinopril 10 mg tablet");
    expect(lis.textContent).toContain("Take 1 tablet by mouth once a day");
    expect(lis.textContent).toContain("Dr. Maya Chen");
    expect(lis.textContent).toContain("3 refills");
    expect(lis.textContent).toContain("Jun 1, 2027");
    const refill = within(lis).getByRole("link", { name: "Request a refill of Lisinopril 10 mg tablet" });
    expect(refill.getAttribute("href")).toBe("/medications/m-lis/refill");

    const oxy = item("Oxycodone 5 mg tablet");
    expect(oxy.textContent).toContain(
      "This is a controlled substance (Schedule II). Refills can't be requested online: call your care team.",
    );
    expect(oxy.textContent).toContain("No refills");
    expect(within(oxy).queryByRole("link", { name: /Request a refill/ })).toBeNull();
    expect(screen.getByText("You have not asked for a refill yet.")).toBeTruthy();
    expect(screen.getByRole("navigation", { name: "Portal pages" }).textContent).toContain("Medications");
    await expectAccessible();
  });

  it("says in plain words why each other medication cannot be refilled online", async () => {
    setToken("tok-1");
    const cannot = (id: string, name: string, reason: string, extra = {}) =>
      medication(id, name, extra, { can_request: false, reason: reason as never });
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/medications": {
        status: 200,
        body: {
          medications: [
            cannot("m-1", "Amoxicillin", "expired", { expires_on: "2026-01-31" }),
            cannot("m-2", "Atorvastatin", "no_refills", { refills_allowed: 0 }),
            cannot("m-3", "Warfarin", "not_refillable_online"),
            cannot("m-4", "Tramadol", "controlled_substance"),
            cannot("m-5", "Prednisone", "not_active", { status: "stopped" }),
            cannot("m-6", "Vitamin D", "reported_by_patient"),
            cannot("m-7", "Metformin", "request_pending"),
            cannot("m-8", "Vitamin B12", "not_a_prescription"),
            cannot("m-9", "Losartan", "patient_not_identified"),
          ],
        },
      },
      "GET /v1/patients/p-1/refill-requests": { status: 200, body: noRequests },
    });
    renderAt("/medications");
    await screen.findByRole("listitem", { name: "Amoxicillin" });
    expect(item("Amoxicillin").textContent).toContain(
      "This prescription expired on Jan 31, 2026. Refills can't be requested online: call your care team for a new prescription.",
    );
    expect(item("Atorvastatin").textContent).toContain("This prescription has no refills. Call your care team if you need more.");
    expect(item("Warfarin").textContent).toContain("Your prescriber asked that refills of this medication be arranged by phone");
    expect(item("Tramadol").textContent).toContain(
      "This is a controlled substance. Refills can't be requested online: call your care team.",
    );
    expect(item("Prednisone").textContent).toContain("This prescription is not active");
    expect(item("Prednisone").textContent).toContain("Stopped");
    expect(item("Vitamin D").textContent).toContain("You told us you take this medication; it was not prescribed here.");
    expect(item("Metformin").textContent).toContain("your care team has not decided yet");
    expect(item("Vitamin B12").textContent).toContain("This is not a prescription to refill");
    expect(item("Losartan").textContent).toContain(
      "Your care team's systems can't yet match your portal account to your chart, so refills can't be requested online.",
    );
    expect(screen.queryByRole("link", { name: /Request a refill/ })).toBeNull();
    expect(
      screen.queryByText(/controlled_substance|no_refills|request_pending|not_a_prescription|patient_not_identified/),
    ).toBeNull();
  });

  it("links a medication with a request waiting to that request", async () => {
    setToken("tok-1");
    const waiting = medication("m-lis", "Lisinopril 10 mg tablet", {}, {
      can_request: false,
      reason: "request_pending",
      pending_request_id: RID,
    });
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/medications": { status: 200, body: { medications: [waiting] } },
      "GET /v1/patients/p-1/refill-requests": { status: 200, body: { refill_requests: [refillRequest()], next_cursor: null } },
      [`GET /v1/patients/p-1/refill-requests/${RID}`]: { status: 200, body: refillRequest() },
    });
    renderAt("/medications");
    const lis = await screen.findByRole("listitem", { name: "Lisinopril 10 mg tablet" });
    await userEvent.setup().click(within(lis).getByRole("link", { name: "See your refill request" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Refill request" })).toBeTruthy();
    expect(window.location.pathname).toBe(`/medications/refill-requests/${RID}`);
    expect(screen.getByText("Waiting for your care team")).toBeTruthy();
    expect(screen.getByText("Running low: two days left.")).toBeTruthy();
    expect(screen.queryByRole("status")).toBeNull(); // "sent" is said only on arrival from the form
  });

  it("lists the refill requests with their outcome, and a denial's reason", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/medications": { status: 200, body: { medications: [lisinopril] } },
      "GET /v1/patients/p-1/refill-requests": {
        status: 200,
        body: {
          refill_requests: [
            refillRequest({
              request_id: "r-2",
              status: "denied",
              decided_at: "2026-12-05T14:30:00Z",
              decision_reason: "Please book a blood test first.",
            }),
            refillRequest({ request_id: "r-1", status: "approved", decided_at: "2026-11-20T10:00:00Z" }),
          ],
          next_cursor: null,
        },
      },
    });
    renderAt("/medications");
    const section = await screen.findByRole("region", { name: "Your refill requests" });
    const [denied, approved] = await within(section).findAllByRole("listitem");
    expect(denied!.textContent).toContain("Denied");
    expect(denied!.textContent).toMatch(/Denied Dec 5, 2026, \d+:30 [AP]M\./);
    expect(denied!.textContent).toContain("Reason: Please book a blood test first.");
    expect(denied!.textContent).toContain("Pharmacy: Main Street Pharmacy");
    expect(approved!.textContent).toMatch(/Approved Nov 20, 2026/);
    expect(within(approved!).getByRole("link", { name: "Lisinopril 10 mg tablet" }).getAttribute("href")).toBe(
      "/medications/refill-requests/r-1",
    );
    await expectAccessible();
  });

  it("says it is loading, then that the record lists no medications", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/medications": { status: 200, body: { medications: [] } },
      "GET /v1/patients/p-1/refill-requests": { status: 200, body: noRequests },
    });
    // hold the medications' answer until the page has said it is loading
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const answer = globalThis.fetch;
    vi.stubGlobal("fetch", async (request: Request) => {
      if (new URL(request.url).pathname.endsWith("/medications")) await held;
      return answer(request);
    });
    renderAt("/medications");
    const list = await screen.findByRole("region", { name: "Your medications" });
    expect(within(list).getByText("Loading…")).toBeTruthy();
    release();
    expect(await within(list).findByText("Your record lists no medications.")).toBeTruthy();
  });

  it("says when the list cannot be had, in the API's words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/medications": {
        status: 503,
        body: apiError("service_unavailable", "The medication list is unavailable: try again shortly."),
      },
      "GET /v1/patients/p-1/refill-requests": { status: 200, body: noRequests },
    });
    renderAt("/medications");
    expect((await screen.findByRole("alert")).textContent).toBe("The medication list is unavailable: try again shortly.");
  });
});
