import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { emma, meActingFor } from "./fixtures";

const noMedications = { status: 200, body: { medications: [] } };
const noRefills = { status: 200, body: { refill_requests: [], next_cursor: null } };
const noThreads = { status: 200, body: { threads: [], next_cursor: null } };

describe("the record pages' words while acting for someone", () => {
  it("names the patient instead of saying 'your', and keeps 'your' on the own record", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([emma]) },
      "GET /v1/patients/p-emma/medications": noMedications,
      "GET /v1/patients/p-emma/refill-requests": noRefills,
      "GET /v1/patients/p-emma/threads": noThreads,
    });
    renderAt("/medications?record=p-emma");
    expect(await screen.findByText("Emma's record lists no medications.")).toBeTruthy();
    expect(screen.queryByText("Your record lists no medications.")).toBeNull();
  });

  it("writes to the patient's care team in the patient's name", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([emma]) },
      "GET /v1/patients/p-emma/threads": noThreads,
    });
    renderAt("/messages?record=p-emma");
    expect(await screen.findByText(/^Write to Emma's care team about non-urgent questions\./)).toBeTruthy();
  });

  it("says 'your' on the patient's own record", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/medications": noMedications,
      "GET /v1/patients/p-1/refill-requests": noRefills,
    });
    renderAt("/medications");
    expect(await screen.findByText("Your record lists no medications.")).toBeTruthy();
  });
});
