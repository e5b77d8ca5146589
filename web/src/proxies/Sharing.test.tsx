import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { grant } from "./fixtures";

const waiting = grant("g-2", {
  proxy_name: "Jordan Reyes",
  relationship: "health_care_agent",
  status: "awaiting_consent",
  given_by: "staff",
  consented_at: null,
  access: "full",
  areas: ["messages"],
});
const revoked = grant("g-3", { proxy_name: "Old Friend", status: "revoked", ended_at: "2026-02-01T10:00:00Z" });

describe("who can see my record", () => {
  it("lists each person with what they see and until when, waiting requests and past ones apart", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/proxies": { status: 200, body: { proxies: [waiting, grant("g-1"), revoked] } },
    });
    renderAt("/sharing");
    const sam = (await screen.findByRole("heading", { name: "Sam Lovelace" })).closest("li")!;
    expect(document.title).toBe("Who can see my record | Patient portal");
    expect(sam.textContent).toContain("Someone you trust");
    expect(sam.textContent).toContain("Test results, Appointments");
    expect(sam.textContent).toContain("Read only");
    expect(sam.textContent).toContain("Until Jan 5, 2027");
    const asking = screen.getByRole("region", { name: "Asking for your consent" });
    expect(within(asking).getByRole("heading", { name: "Jordan Reyes" })).toBeTruthy();
    expect(within(asking).getByText("Health care agent (health care proxy)")).toBeTruthy();
    const past = screen.getByRole("region", { name: "Access that ended" });
    expect(within(past).getByText("You ended it")).toBeTruthy();
    expect(within(past).queryByRole("button")).toBeNull();
    // an ended card says when it ended, not the date it would have run to
    const old = within(past).getByRole("heading", { name: "Old Friend" }).closest("li")!;
    expect(old.textContent).toContain("Ended on");
    expect(old.textContent).not.toContain("Until");
    await expectAccessible();
  });

  it("agrees to a waiting request", async () => {
    setToken("tok-1");
    let agreed = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/proxies": () => ({
        status: 200,
        body: { proxies: [agreed ? { ...waiting, status: "active" } : waiting] },
      }),
      "POST /v1/patients/p-1/proxies/g-2/consent": () => {
        agreed = true;
        return { status: 200, body: { ...waiting, status: "active" } };
      },
    });
    renderAt("/sharing");
    const user = userEvent.setup();
    const card = (await screen.findByRole("heading", { name: "Jordan Reyes" })).closest("li")!;
    await user.click(within(card).getByRole("button", { name: /^Agree/ }));
    expect((await screen.findByRole("status")).textContent).toBe("Jordan Reyes can now see your record.");
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ agree: true });
    await waitFor(() => expect(screen.queryByRole("region", { name: "Asking for your consent" })).toBeNull());
  });

  it("revokes only after the patient confirms", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/proxies": { status: 200, body: { proxies: [grant("g-1")] } },
      "POST /v1/patients/p-1/proxies/g-1/revoke": { status: 200, body: grant("g-1", { status: "revoked" }) },
    });
    renderAt("/sharing");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "End access for Sam Lovelace" }));
    await user.keyboard("{Escape}");
    expect(screen.queryByRole("button", { name: "Yes, end access" })).toBeNull();
    await user.click(screen.getByRole("button", { name: "End access for Sam Lovelace" }));
    await user.click(screen.getByRole("button", { name: "Keep access" }));
    expect(calls.some((call) => call.method === "POST")).toBe(false);
    await user.click(screen.getByRole("button", { name: "End access for Sam Lovelace" }));
    await user.click(screen.getByRole("button", { name: "Yes, end access" }));
    expect((await screen.findByRole("status")).textContent).toBe("Sam Lovelace can no longer see your record.");
  });

  it("invites someone the patient trusts, and puts the API's refusal next to the field", async () => {
    setToken("tok-1");
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/proxies": { status: 200, body: { proxies: [] } },
      "POST /v1/patients/p-1/proxies": () =>
        ++tries === 1
          ? {
              status: 400,
              body: apiError("validation_failed", "Please check the fields.", [
                { field: "ends_at", issue: "must be after today" },
              ]),
            }
          : { status: 201, body: grant("g-9", { status: "invited", proxy_name: "Sam Lovelace" }) },
    });
    renderAt("/sharing");
    const user = userEvent.setup();
    expect(await screen.findByText("No one else can see your record.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(screen.getByLabelText("Their name").getAttribute("aria-invalid")).toBe("true");
    expect(calls.some((call) => call.method === "POST")).toBe(false);

    await user.type(screen.getByLabelText("Their name"), "Sam Lovelace");
    await user.type(screen.getByLabelText("Their email address"), "sam@example.org");
    await user.click(screen.getByLabelText("Documents"));
    await user.click(screen.getByLabelText("Medications"));
    await user.click(screen.getByLabelText(/Read and act/));
    await user.type(screen.getByLabelText("End date (optional)"), "2020-01-01");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect(await screen.findByText("Must be after today.")).toBeTruthy();

    await user.clear(screen.getByLabelText("End date (optional)"));
    await user.type(screen.getByLabelText("End date (optional)"), "2026-12-31");
    await user.click(screen.getByRole("button", { name: "Send invitation" }));
    expect((await screen.findByRole("status")).textContent).toBe("An invitation was sent to Sam Lovelace.");
    expect(calls.filter((call) => call.method === "POST").at(-1)?.body).toEqual({
      name: "Sam Lovelace",
      email: "sam@example.org",
      relationship: "trusted_person",
      access: "full",
      areas: ["results", "health_summary", "messages", "appointments"],
      ends_at: "2026-12-31",
    });
  });

  it("is not a proxy's page", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": {
        status: 200,
        body: (await import("./fixtures")).meActingFor([(await import("./fixtures")).emma]),
      },
    });
    renderAt("/sharing?record=p-emma");
    expect(await screen.findByText("Your access to this record does not include Who can see the record.")).toBeTruthy();
    expect(calls.some((call) => call.path.includes("/proxies"))).toBe(false);
  });
});
