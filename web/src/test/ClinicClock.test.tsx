import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { me } from "./fixtures";
import { fakeApi, renderAt } from "./render";

// Node's environment (the web build has no Node types): TZ is the reader's zone, here not the clinic's.
declare const process: { env: Record<string, string | undefined> };
const readerZone = process.env.TZ;
afterEach(() => {
  if (readerZone === undefined) delete process.env.TZ;
  else process.env.TZ = readerZone;
});

const signed: Schemas["DocumentSummary"] = {
  document_id: "d-signed",
  version: 1,
  type: "signed-form",
  title: "Consent to treat",
  status: "final",
  authored_at: "2027-01-14T19:50:00-05:00",
  author: "Ada Lovelace",
  content_type: "application/pdf",
  size: 4000,
  released_at: "2027-01-15T00:50:00Z",
  revision: null,
  addendum_to: null,
  addendum_to_title: null,
};

describe("times with their clock named, for a reader in another zone than the clinic's", () => {
  it("says when a signed form was written on the clinic's clock, its offset named", async () => {
    process.env.TZ = "Europe/London"; // 19:50 in New York is 00:50 the next day here
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/documents": { status: 200, body: { documents: [signed], next_cursor: null } },
    });
    renderAt("/documents");
    expect(await screen.findByText(/Written Jan 14, 2027, 7:50 PM UTC-05:00/)).toBeTruthy();
  });

  it("says when a notification was received with the reader's zone named (the API gives no clinic zone)", async () => {
    process.env.TZ = "America/Los_Angeles";
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": {
        status: 200,
        body: {
          notifications: [
            {
              notification_id: "n1",
              template: "something_waiting",
              title: "Something new is waiting in your portal.",
              created_at: "2026-03-02T18:00:00Z",
              read_at: null,
            },
          ],
          unread_count: 1,
          next_cursor: null,
        },
      },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
    });
    renderAt("/");
    expect(await screen.findByText("Received Mar 2, 2026, 10:00 AM Pacific Standard Time")).toBeTruthy();
  });
});
