import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import type { HealthLinkView, SharedHealthLink } from "./calls";

function link(id: string, changes: Partial<HealthLinkView> = {}): HealthLinkView {
  return {
    link_id: id,
    label: "For Dr Rivera",
    created_at: "2026-03-01T10:00:00Z",
    expires_at: "2026-03-31T10:00:00Z",
    passcode: false,
    status: "active",
    made_by: "you",
    use_count: 0,
    last_used_at: null,
    remaining_attempts: 10,
    revoked_at: null,
    ...changes,
  };
}

function shared(id: string, changes: Partial<HealthLinkView> = {}): SharedHealthLink {
  return {
    ...link(id, changes),
    shlink: "shlink:/eyJ1cmwiOiJ4In0",
    viewer_url: "http://localhost/shl#shlink:/eyJ1cmwiOiJ4In0",
    qr_svg: '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>',
  };
}

describe("share my record", () => {
  it("makes a link with a passcode and shows its QR code and the link to copy", async () => {
    setToken("tok-1");
    let made = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-links": () => ({
        status: 200,
        body: { links: made ? [link("l-1", { passcode: true })] : [] },
      }),
      "POST /v1/patients/p-1/health-links": () => {
        made = true;
        return { status: 201, body: shared("l-1", { passcode: true }) };
      },
    });
    renderAt("/share");
    expect(await screen.findByText("You have not made any links.")).toBeTruthy();
    expect(document.title).toBe("Share my record | Patient portal");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Name of the link/), "For Dr Rivera");
    await user.selectOptions(screen.getByLabelText("The link works for"), "7");
    await user.type(screen.getByLabelText(/Passcode/), "blue-heron-7");
    await user.click(screen.getByRole("button", { name: "Make the link" }));
    expect((await screen.findByRole("status")).textContent).toContain("Your link is ready");
    const post = calls.find((call) => call.method === "POST");
    expect(post?.body).toEqual({ label: "For Dr Rivera", expires_in_days: 7, passcode: "blue-heron-7" });
    expect(post?.headers.get("Idempotency-Key")).toBeNull(); // (a kept answer would hold the key)
    const shown = screen.getByRole("region", { name: "Your link: For Dr Rivera" });
    expect(within(shown).getByRole("img", { name: "QR code of the link to your summary" })).toBeTruthy();
    expect((within(shown).getByLabelText("Link") as HTMLInputElement).value).toBe(
      "http://localhost/shl#shlink:/eyJ1cmwiOiJ4In0",
    );
    expect(within(shown).getByText("The passcode is not in the link: tell it to them yourself.")).toBeTruthy();
    await screen.findByRole("heading", { name: "For Dr Rivera", level: 3 });
    await expectAccessible();
  });

  it("says a too short passcode before sending anything", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-links": { status: 200, body: { links: [] } },
    });
    renderAt("/share");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/Passcode/), "abc");
    await user.click(screen.getByRole("button", { name: "Make the link" }));
    expect(await screen.findByText("A passcode has 6 to 40 characters.")).toBeTruthy();
    expect(calls.some((call) => call.method === "POST")).toBe(false);
  });

  it("lists each link's status and who opened it", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-links": {
        status: 200,
        body: {
          links: [
            link("l-1", { use_count: 1 }),
            link("l-2", { label: "", status: "locked", made_by: "proxy" }),
            link("l-3", { label: "Old", status: "expired" }),
            link("l-4", { label: "By Ana", status: "access_ended", made_by: "proxy" }),
            link("l-5", { label: "Stopped one", status: "revoked", revoked_at: "2026-03-05T10:00:00Z" }),
          ],
        },
      },
      "GET /v1/patients/p-1/health-links/l-1/uses": {
        status: 200,
        body: {
          uses: [
            { at: "2026-03-02T15:00:00Z", recipient: "Dr. Rivera", outcome: "opened" },
            { at: "2026-03-02T14:59:00Z", recipient: "Dr. Rivera", outcome: "wrong_passcode" },
          ],
          use_count: 2,
        },
      },
    });
    renderAt("/share");
    const first = (await screen.findByRole("heading", { name: "For Dr Rivera" })).closest("li")!;
    expect(first.textContent).toContain("Works");
    expect(first.textContent).toContain("Works until");
    // opened once: the wrong passcode is listed below, not counted as an opening
    expect(first.textContent).toContain("Opened1 time");
    const locked = screen.getByRole("heading", { name: "Link without a name" }).closest("li")!;
    expect(locked.textContent).toContain("Locked after too many wrong passcodes");
    const expired = screen.getByRole("heading", { name: "Old" }).closest("li")!;
    expect(expired.textContent).toContain("Expired on Mar 31, 2026");
    const stopped = screen.getByRole("heading", { name: "Stopped one" }).closest("li")!;
    expect(stopped.textContent).toContain("Stopped on Mar 5, 2026");
    for (const ended of [locked, expired, stopped]) expect(ended.textContent).not.toContain("Works until");
    expect(locked.textContent).toContain("by someone who acts for you");
    expect(within(locked).queryByRole("button", { name: /Stop sharing/ })).toBeNull();
    const ended = screen.getByRole("heading", { name: "By Ana" }).closest("li")!;
    expect(ended.textContent).toContain("Stopped: the access it was made under ended");
    expect(within(ended).queryByRole("button", { name: /Show the QR code/ })).toBeNull();
    await userEvent.setup().click(within(first).getByRole("button", { name: /Who opened it/ }));
    expect(await within(first).findByText(/Opened by Dr. Rivera on/)).toBeTruthy();
    expect(within(first).getByText(/A wrong passcode from Dr. Rivera on/)).toBeTruthy();
  });

  it("stops a link only after the patient confirms", async () => {
    setToken("tok-1");
    let stopped = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/health-links": () => ({
        status: 200,
        body: { links: [link("l-1", stopped ? { status: "revoked" } : {})] },
      }),
      "POST /v1/patients/p-1/health-links/l-1/revoke": () => {
        stopped = true;
        return { status: 204 };
      },
    });
    renderAt("/share");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: /^Stop sharing/ }));
    expect(calls.some((call) => call.method === "POST")).toBe(false);
    await user.click(screen.getByRole("button", { name: "Yes, stop it" }));
    expect((await screen.findByRole("status")).textContent).toBe('The link "For Dr Rivera" no longer works.');
    await waitFor(() => expect(screen.getByText("Stopped")).toBeTruthy());
  });
});
