import { QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { newQueryClient } from "../App";
import { RID, staffAppointmentRequest } from "../appointments/fixtures";
import { FormsStep } from "../checkin/FormsStep";
import { checkIn, formToSign } from "../checkin/fixtures";
import { staffRefillRequest } from "../medications/fixtures";
import { message, PATIENT, thread } from "../messages/fixtures";
import type { RecordView } from "../records/PatientPage";
import { setToken } from "../session";
import { staffMe } from "../staff/fixtures";
import { expectAccessible } from "./axe";
import { me } from "./fixtures";
import { fakeApi, renderAt } from "./render";

// What someone acting for a patient did is shown as theirs, never as the patient's own
// (docs/api.md, "What someone acting for a patient sees").

const LUIS: Schemas["ActingPerson"] = { name: "Luis Rivera", relationship: "parent", label: "Luis Rivera (parent)" };

describe("what a proxy did, as others see it", () => {
  it("the patient's conversation says which messages the proxy sent, and the proxy reads theirs as their own", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      [`GET /v1/patients/${PATIENT}/messages/t-1`]: {
        status: 200,
        body: thread("t-1", {
          messages: [
            message("m-1", { author: "Luis Rivera (parent) for Ada Lovelace", sent_by: LUIS }),
            message("m-2", { author: "Luis Rivera (parent) for Ada Lovelace", sent_by: LUIS, yours: true }),
            message("m-3", { yours: true }),
          ],
        }),
      },
      [`POST /v1/patients/${PATIENT}/messages/t-1/read`]: { status: 204 },
    });
    renderAt("/messages/t-1");
    const list = await screen.findByRole("list", { name: "3 messages, oldest first" });
    const [byLuis, asLuis, hers] = within(list).getAllByRole("article");
    expect(byLuis!.textContent).toContain("Luis Rivera (parent) for Ada Lovelace");
    expect(byLuis!.textContent).toContain("Sent by Luis Rivera (parent)");
    expect(asLuis!.textContent).toContain("Sent by you");
    expect(hers!.textContent).toContain("Ada Lovelace");
    expect(hers!.textContent).not.toContain("Sent by");
    await expectAccessible();
  });

  it("staff's appointment request queue and page say who asked", async () => {
    setToken("tok-1");
    const asked = staffAppointmentRequest({ requested_by: LUIS });
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/appointment-requests": { status: 200, body: { appointment_requests: [asked], next_cursor: null } },
      [`GET /v1/staff/appointment-requests/${RID}`]: { status: 200, body: asked },
    });
    const { unmount } = renderAt("/staff/appointment-requests");
    const table = await screen.findByRole("table");
    expect(within(table).getAllByRole("row")[1]!.textContent).toContain("Requested by Luis Rivera (parent)");
    unmount();
    renderAt(`/staff/appointment-requests/${RID}`);
    expect(await screen.findByText("Requested by Luis Rivera (parent)")).toBeTruthy();
  });

  it("staff's refill queue says who asked, and says nothing of a patient's own request", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/refill-requests": {
        status: 200,
        body: {
          refill_requests: [staffRefillRequest({ requested_by: LUIS }), staffRefillRequest({ request_id: "f".repeat(32) })],
          next_cursor: null,
        },
      },
    });
    renderAt("/staff/refill-requests");
    const table = await screen.findByRole("table", { name: "2 refill requests" });
    const rows = within(table).getAllByRole("row");
    expect(rows[1]!.textContent).toContain("Requested by Luis Rivera (parent)");
    expect(rows[2]!.textContent).not.toContain("Requested by");
  });

  it("check-in tells the proxy to sign with their own name, the one their access names them by", async () => {
    setToken("tok-1");
    const grant: Schemas["ActingFor"] = {
      grant_id: "g-1",
      patient_id: "p-2",
      organization_id: "org-1",
      organization_name: "Albany Medical Center",
      name: "Emma",
      relationship: "parent",
      proxy_name: "Luis Rivera",
      access: "full",
      areas: ["appointments"],
      visible_until: null,
      ends_at: null,
      unread_messages: 0,
    };
    fakeApi({ "GET /v1/me": { status: 200, body: { ...me(), patient: null, acting_for: [grant] } } });
    const record: RecordView = {
      patientId: "p-2",
      token: "tok-1",
      own: false,
      organization: "org-1",
      to: (path) => path,
      proxy: grant,
      readOnly: false,
      says: (own) => own,
    };
    const noop = async () => {};
    render(
      <QueryClientProvider client={newQueryClient()}>
        <FormsStep
          record={record}
          checkIn={checkIn({ forms: [formToSign("f-consent", "Consent to treat")] })}
          onBack={() => {}}
          onChanged={noop}
          onCompleted={() => {}}
        />
      </QueryClientProvider>,
    );
    expect(
      await screen.findByText(
        "You sign as yourself, not as the patient: type your own full name as your access names you (Luis Rivera). Typing it signs the form.",
      ),
    ).toBeTruthy();
    expect(screen.getByLabelText(/full name/i)).toBeTruthy();
  });
});
