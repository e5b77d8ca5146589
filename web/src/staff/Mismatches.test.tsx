import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { apiError } from "../test/fixtures";
import { expectAccessible } from "../test/axe";
import { fakeApi, renderAt } from "../test/render";
import { dana, staffMe } from "./fixtures";

configure({ asyncUtilTimeout: 5000 });

const held: Schemas["HeldMessage"] = {
  id: "UVVFU1R8UUxBQnxRLTE",
  sender: "QUEST|QLAB",
  control_id: "Q-1",
  message_type: "ORU^R01",
  received_at: "2026-12-05T09:00:00Z",
  differs: ["birth_date", "family_name"],
  patient: dana,
  message_patient: {
    family_name: "Jones",
    previous_family_names: [],
    given_names: ["Bob"],
    birth_date: "1990-05-05",
    sex: "male",
    identifiers: [{ authority: "MRN", value: "AMC-100001", type: "MR" }],
  },
};

const bob: Schemas["PatientSummary"] = {
  ...dana,
  patient_id: "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0",
  family_name: "Jones",
  given_names: ["Bob"],
  identifiers: [{ authority: "AMC-MRN", value: "BOB-1", type: "MR" }],
};

describe("possible mismatches", () => {
  it("shows both sides with what differs, and files it under the same patient once confirmed", async () => {
    setToken("tok-1");
    let decided = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/feed/mismatches": () => ({ status: 200, body: { mismatches: decided ? [] : [held] } }),
      "POST /v1/staff/feed/mismatches/UVVFU1R8UUxBQnxRLTE": () => {
        decided = true;
        return { status: 200, body: { id: held.id, status: "refiled" } };
      },
    });
    renderAt("/staff/mismatches");
    const table = await screen.findByRole("table", { name: "What the portal holds and what ORU^R01 Q-1 says" });
    expect(document.title).toBe("Possible mismatches | Patient portal");
    const family = within(table).getByRole("row", { name: /Family name/ });
    expect(family.textContent).toContain("Differs");
    expect(family.textContent).toContain("Rivera");
    expect(family.textContent).toContain("Jones");
    expect(within(table).getByRole("row", { name: /Date of birth/ }).textContent).toContain("Differs");
    expect(within(table).getByRole("row", { name: /Sex/ }).textContent).not.toContain("Differs");
    await expectAccessible();

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "It is the same patient: file ORU^R01 Q-1" }));
    expect(calls.some((c) => c.method === "POST")).toBe(false);
    await user.click(screen.getByRole("button", { name: "Yes, file it" }));
    expect((await screen.findByRole("status")).textContent).toContain("ORU^R01 Q-1 was sent to be filed");
    expect(calls.find((c) => c.method === "POST")?.body).toEqual({ decision: "same_patient" });
    expect(await screen.findByText("No message is waiting for a decision.")).toBeTruthy();
  });

  it("files it under another patient found by record number, and says when none has it", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/feed/mismatches": { status: 200, body: { mismatches: [held] } },
      "POST /v1/staff/patients/search": (call) =>
        (call.body as { mrn: string }).mrn === "BOB-1"
          ? { status: 200, body: { patients: [{ patient: bob, portal_status: "not_invited" }], truncated: false } }
          : { status: 200, body: { patients: [], truncated: false } },
      "POST /v1/staff/feed/mismatches/UVVFU1R8UUxBQnxRLTE": { status: 200, body: { id: held.id, status: "refiled" } },
    });
    renderAt("/staff/mismatches");
    const user = userEvent.setup();
    await user.click(await screen.findByText("It is another patient"));
    const mrn = screen.getByLabelText("The other patient's medical record number");
    await user.type(mrn, "NOPE");
    await user.click(screen.getByRole("button", { name: "Find the patient" }));
    expect(await screen.findByText("No patient of your organization has that record number.")).toBeTruthy();

    await user.clear(mrn);
    await user.type(mrn, "BOB-1");
    await user.click(screen.getByRole("button", { name: "Find the patient" }));
    expect(await screen.findByText(/File the records of ORU\^R01 Q-1 under Bob Jones\?/)).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Yes, file it under this patient" }));
    expect(await screen.findByRole("status")).toBeTruthy();
    expect(calls.filter((c) => c.method === "POST").at(-1)?.body).toEqual({
      decision: "another_patient",
      patient_id: bob.patient_id,
    });
  });

  it("leaves it unfiled, and shows the API's refusal in its words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/feed/mismatches": { status: 200, body: { mismatches: [held] } },
      "POST /v1/staff/feed/mismatches/UVVFU1R8UUxBQnxRLTE": {
        status: 409,
        body: apiError("conflict", "The message was decided meanwhile."),
      },
    });
    renderAt("/staff/mismatches");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Do not file ORU^R01 Q-1" }));
    await user.click(screen.getByRole("button", { name: "Yes, do not file it" }));
    expect((await screen.findByRole("alert")).textContent).toContain("The message was decided meanwhile.");
  });
});
