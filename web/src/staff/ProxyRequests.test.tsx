import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { emmaRecord, grant, staffRequest } from "../proxies/fixtures";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { PID, atOnceChoices, portal, staffMe } from "./fixtures";

const link = (name: string) => ({ status: 200, body: { url: `http://storage.test/${name}`, expires_at: "2026-03-02T10:05:00Z" } });

describe("staff: proxy access requests", () => {
  it("pages through the queue to review and the decided ones", async () => {
    setToken("tok-s");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/proxy-requests": (call) => {
        const query = new URLSearchParams(call.search);
        if (query.get("queue") === "done") return { status: 200, body: { requests: [], next_cursor: null } };
        return query.get("cursor") === "c2"
          ? { status: 200, body: { requests: [staffRequest("q-2")], next_cursor: null } }
          : { status: 200, body: { requests: [staffRequest("q-1")], next_cursor: "c2" } };
      },
    });
    renderAt("/staff/proxy-requests");
    const user = userEvent.setup();
    const row = (await screen.findByRole("link", { name: "Emma Lovelace" })).closest("tr")!;
    expect(document.title).toBe("Proxy access requests | Patient portal");
    expect(row.textContent).toContain("Parent of a child under 12");
    expect(row.textContent).toContain("Ada Lovelace");
    expect(row.textContent).toContain("Sent, waiting for the clinic");
    await expectAccessible();
    await user.click(screen.getByRole("button", { name: "Next page" }));
    await waitFor(() =>
      expect(screen.getByRole("link", { name: "Emma Lovelace" }).getAttribute("href")).toBe("/staff/proxy-requests/q-2"),
    );
    await user.selectOptions(screen.getByLabelText("Show"), "Decided");
    expect(await screen.findByText("No requests have been decided yet.")).toBeTruthy();
    expect(calls.filter((call) => call.path === "/v1/staff/proxy-requests").map((call) => call.search)).toEqual([
      "?queue=to_do",
      "?queue=to_do&cursor=c2",
      "?queue=done",
    ]);
  });

  it("shows the documents beside the request, matches the record by MRN and approves", async () => {
    setToken("tok-s");
    let state = staffRequest("q-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/proxy-requests/q-1": () => ({ status: 200, body: state }),
      "GET /v1/staff/proxy-requests/q-1/documents/d-1/link": link("birth.pdf"),
      "GET /v1/staff/proxy-requests/q-1/signed-form/link": link("form.pdf"),
      "POST /v1/staff/proxy-requests/q-1/match": () => {
        state = { ...state, matched_patient: emmaRecord, patient_age: 6 };
        return { status: 200, body: state };
      },
      "POST /v1/staff/proxy-requests/q-1/approve": () => {
        state = { ...state, status: "approved", decided_at: "2026-03-03T10:00:00Z" };
        return { status: 200, body: { request: state, grant: grant("g-1", { status: "active", patient_id: "p-emma" }) } };
      },
    });
    renderAt("/staff/proxy-requests/q-1");
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 1, name: "Proxy access request" })).toBeTruthy();
    // each file is fetched (and audited) only when staff open it
    expect(calls.some((call) => call.path.endsWith("/link"))).toBe(false);
    await expectAccessible(); // (before a frame opens: axe in jsdom cannot enter one)
    await user.click(screen.getByRole("button", { name: /^Show\s*Birth certificate: birth\.pdf/ }));
    const frame = await screen.findByTitle("Birth certificate: birth.pdf");
    expect(frame.getAttribute("src")).toBe("http://storage.test/birth.pdf");
    expect(screen.getByRole("link", { name: "Open Birth certificate: birth.pdf in a new tab" }).getAttribute("target")).toBe("_blank");
    expect(screen.getByText("Not matched to a record yet.")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Approve the request" }) as HTMLButtonElement).disabled).toBe(true);

    await user.type(screen.getByLabelText("Medical record number"), "AMC-200002");
    await user.click(screen.getByRole("button", { name: "Match this record" }));
    expect((await screen.findByRole("status")).textContent).toBe("The request is matched to the record.");
    expect(screen.getByText("6 years")).toBeTruthy();
    expect(calls.find((call) => call.path.endsWith("/match"))?.body).toEqual({ mrn: "AMC-200002" });

    // a minor's grant: the patient does not consent (the choice is not offered)
    expect(screen.queryByLabelText(/must consent first/)).toBeNull();
    await user.click(screen.getByRole("button", { name: "Approve the request" }));
    expect((await screen.findByRole("status")).textContent).toBe("Approved: the requester's access has started.");
    expect(calls.find((call) => call.path.endsWith("/approve"))?.body).toEqual({
      access: "full",
      areas: ["results", "documents", "health_summary", "messages", "appointments", "medications"],
      patient_can_consent: false,
    });
    expect(screen.queryByRole("button", { name: "Deny the request" })).toBeNull();
  });

  it("warns when the child is 12 or older, and denies with a reason the API may refuse", async () => {
    setToken("tok-s");
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/proxy-requests/q-1": {
        status: 200,
        body: staffRequest("q-1", { matched_patient: emmaRecord, patient_age: 13 }),
      },
      "POST /v1/staff/proxy-requests/q-1/deny": () =>
        ++tries === 1
          ? { status: 400, body: apiError("validation_failed", "Please check the reason.", [{ field: "reason", issue: "too long" }]) }
          : { status: 200, body: staffRequest("q-1", { status: "denied", decision_reason: "Child is 13." }) },
    });
    renderAt("/staff/proxy-requests/q-1");
    const user = userEvent.setup();
    expect((await screen.findAllByText(/This patient is 12 to 17/)).length).toBeGreaterThan(0);
    await user.click(screen.getByRole("button", { name: "Deny the request" }));
    expect(screen.getByLabelText("Reason").getAttribute("aria-invalid")).toBe("true");
    await user.type(screen.getByLabelText("Reason"), "Child is 13.");
    await user.click(screen.getByRole("button", { name: "Deny the request" }));
    expect(await screen.findByText("Too long.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Deny the request" }));
    expect((await screen.findByRole("status")).textContent).toBe("The request was denied.");
    expect(calls.filter((call) => call.path.endsWith("/deny")).at(-1)?.body).toEqual({ reason: "Child is 13." });
  });
});

describe("staff: a patient's proxies", () => {
  it("lists them, ends one with a reason, and renews another", async () => {
    setToken("tok-s");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/patients/${PID}`]: { status: 200, body: portal() },
      [`GET /v1/staff/patients/${PID}/release-preferences`]: { status: 200, body: atOnceChoices },
      [`GET /v1/staff/patients/${PID}/emails`]: { status: 200, body: { emails: [] } },
      [`GET /v1/staff/patients/${PID}/proxies`]: {
        status: 200,
        body: {
          proxies: [
            grant("g-1", { proxy_name: "Sam Lovelace" }),
            grant("g-2", { proxy_name: "Old Friend", status: "terminated", end_reason: "Court order ended", ended_at: "2026-02-01T10:00:00Z" }),
          ],
        },
      },
      [`POST /v1/staff/proxy-grants/${PID}/g-1/end`]: { status: 200, body: grant("g-1", { status: "terminated" }) },
      [`POST /v1/staff/proxy-grants/${PID}/g-1/renew`]: { status: 200, body: grant("g-1") },
    });
    renderAt(`/staff/patients/${PID}`);
    const user = userEvent.setup();
    const section = await screen.findByRole("region", { name: "Proxies" });
    const sam = (await within(section).findByRole("heading", { name: "Sam Lovelace" })).closest("li")!;
    expect(sam.textContent).toContain("Sees: Test results, Appointments.");
    const old = within(section).getByRole("heading", { name: "Old Friend" }).closest("li")!;
    expect(old.textContent).toContain("Court order ended");
    expect(within(old).queryByRole("button")).toBeNull();

    await user.click(within(sam).getByRole("button", { name: "Renew for Sam Lovelace" }));
    expect((await screen.findByRole("status")).textContent).toBe("Access renewed for Sam Lovelace.");
    expect(calls.find((call) => call.path.endsWith("/renew"))?.body).toEqual({});
    // a renewal adds a year: it goes with a key, so a retry of it is not a second year
    expect(calls.find((call) => call.path.endsWith("/renew"))?.headers.get("Idempotency-Key")).toBeTruthy();

    await user.click(within(sam).getByRole("button", { name: "End access for Sam Lovelace" }));
    await user.type(within(sam).getByLabelText("Why access ends for Sam Lovelace"), "Asked by the family");
    await user.click(within(sam).getByRole("button", { name: "End access" }));
    expect((await screen.findByRole("status")).textContent).toBe("Access ended for Sam Lovelace.");
    expect(calls.find((call) => call.path.endsWith("/end"))?.body).toEqual({ reason: "Asked by the family" });
  });
});
