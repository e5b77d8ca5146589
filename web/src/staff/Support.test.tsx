import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { fakeApi, renderAt } from "../test/render";
import { staffMe } from "./fixtures";

configure({ asyncUtilTimeout: 5000 });

const RID = "0123456789abcdef0123456789abcdef";
const OLDER = "fedcba9876543210fedcba9876543210";

function summary(
  request_id: string,
  received_at: string,
  extra: Partial<Schemas["SupportRequestSummary"]> = {},
): Schemas["SupportRequestSummary"] {
  return {
    request_id,
    reference: `SR-${request_id.slice(0, 8).toUpperCase()}`,
    topic: "sign_in",
    status: "new",
    received_at,
    updated_at: received_at,
    signed_in: false,
    ...extra,
  };
}

const detail: Schemas["SupportRequestDetail"] = {
  ...summary(RID, "2026-12-04T15:00:00Z"),
  description: "I cannot sign in since I changed phones.",
  name: "Ana Núñez",
  email: "ana@example.org",
  phone: "+1 518 555 0100",
  answers: [],
};

describe("support requests for staff", () => {
  it("lists the organization's requests newest first and filters them by status", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      "GET /v1/staff/support-requests": (call) => ({
        status: 200,
        body: call.search.includes("status=closed")
          ? { requests: [], next_cursor: null }
          : {
              requests: [summary(RID, "2026-12-04T15:00:00Z"), summary(OLDER, "2026-12-01T09:00:00Z", { topic: "billing", status: "answered" })],
              next_cursor: null,
            },
      }),
    });
    renderAt("/staff/support");
    const table = await screen.findByRole("table", { name: "2 support requests" });
    const rows = within(table).getAllByRole("row");
    expect(rows[1]!.textContent).toContain("SR-01234567");
    expect(rows[1]!.textContent).toContain("Dec 4, 2026");
    expect(rows[1]!.textContent).toContain("Help signing in");
    expect(rows[2]!.textContent).toContain("A billing question");
    expect(rows[2]!.textContent).toContain("Answered");
    expect(within(rows[1]!).getByRole("link", { name: "SR-01234567" }).getAttribute("href")).toBe(`/staff/support/${RID}`);
    expect(document.title).toBe("Support requests | Patient portal");
    expect(screen.getByRole("link", { name: "Support requests" })).toBeTruthy(); // in the staff navigation
    await expectAccessible();

    await userEvent.setup().selectOptions(screen.getByLabelText("Show"), "Closed");
    expect(await screen.findByText("No support requests to show.")).toBeTruthy();
    expect(calls.at(-1)?.search).toContain("status=closed");
  });

  it("shows one request with how to reach the person, records an answer and closes it", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: staffMe() },
      [`GET /v1/staff/support-requests/${RID}`]: { status: 200, body: detail },
      [`POST /v1/staff/support-requests/${RID}/answers`]: (call) => ({
        status: 200,
        body: {
          ...detail,
          status: "answered",
          answers: [{ answered_by: "acc-1", answered_at: "2026-12-04T16:00:00Z", text: (call.body as { text: string }).text }],
        },
      }),
      [`PUT /v1/staff/support-requests/${RID}/status`]: (call) => ({
        status: 200,
        body: { ...detail, status: (call.body as { status: "closed" }).status },
      }),
    });
    renderAt(`/staff/support/${RID}`);
    expect(await screen.findByRole("heading", { level: 1, name: "Support request SR-01234567" })).toBeTruthy();
    expect(document.title).toBe("Support request | Patient portal"); // no name in the title
    expect(screen.getByText("I cannot sign in since I changed phones.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "ana@example.org" }).getAttribute("href")).toBe("mailto:ana@example.org");
    expect(screen.getByText("No answer recorded yet.")).toBeTruthy();
    await expectAccessible();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Record your answer"), "Called back; reset her second step.");
    await user.click(screen.getByRole("button", { name: "Record the answer" }));
    expect((await screen.findByRole("status")).textContent).toBe("The answer is recorded and the request is marked answered.");
    expect(screen.getByText("Called back; reset her second step.")).toBeTruthy();
    const answered = calls.find((call) => call.method === "POST")!;
    expect(answered.body).toEqual({ text: "Called back; reset her second step." });
    expect(answered.headers.get("Idempotency-Key")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Close the request" }));
    expect((await screen.findByRole("status")).textContent).toBe("The request is now Closed.");
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({ status: "closed" });
  });
});
