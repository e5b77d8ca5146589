import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getToken, setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { emptyInbox, me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";

const MINUTE = 60 * 1000;

// The clock is faked (and still runs with real time, so the page's promises and Testing
// Library's waits work); the idle timeout in the fixture is 15 minutes.
beforeEach(() => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
});
afterEach(() => {
  vi.useRealTimers();
});

async function signedInHome() {
  setToken("tok-1");
  const calls = fakeApi({
    "GET /v1/me": { status: 200, body: me() },
    "GET /v1/me/notifications": { status: 200, body: emptyInbox },
    "DELETE /v1/sessions/current": { status: 204 },
  });
  renderAt("/");
  expect(await screen.findByText("Signed in as ada")).toBeTruthy();
  return calls;
}

describe("the idle timeout", () => {
  it("warns two minutes before the end, in a dialog that takes the focus; staying signed in makes a call", async () => {
    const calls = await signedInHome();
    const wasHere = screen.getByRole("button", { name: "Sign out" });
    wasHere.focus();
    act(() => vi.advanceTimersByTime(12 * MINUTE));
    expect(screen.queryByRole("alertdialog")).toBeNull();

    act(() => vi.advanceTimersByTime(1 * MINUTE + 1000));
    const dialog = await screen.findByRole("alertdialog", { name: "Are you still there?" });
    expect(dialog.textContent).toMatch(/you will be signed out at/);
    const stay = screen.getByRole("button", { name: "Stay signed in" });
    expect(document.activeElement).toBe(stay);

    const before = calls.filter((call) => call.path === "/v1/me").length;
    fireEvent.click(stay);
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(calls.filter((call) => call.path === "/v1/me").length).toBe(before + 1);
    expect(document.activeElement).toBe(wasHere); // back where the person was

    // The deadline moved on from that call: 13 more minutes pass without a warning or sign-out.
    act(() => vi.advanceTimersByTime(12 * MINUTE));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    expect(getToken()).toBe("tok-1");
  });

  it("signs out when the time passes and says why on the sign-in page", async () => {
    const calls = await signedInHome();
    act(() => vi.advanceTimersByTime(13 * MINUTE + 1000));
    expect(await screen.findByRole("alertdialog")).toBeTruthy();
    act(() => vi.advanceTimersByTime(2 * MINUTE));

    expect(await screen.findByText(/You were signed out after 15 minutes without activity/)).toBeTruthy();
    expect(window.location.pathname).toBe("/sign-in");
    expect(getToken()).toBeNull();
    expect(window.sessionStorage.getItem("portal.session")).toBeNull();
    expect(screen.queryByRole("alertdialog")).toBeNull();
    const ended = calls.find((call) => call.method === "DELETE");
    expect(ended?.headers.get("Authorization")).toBe("Bearer tok-1");
  });

  it("signs out at once from the dialog", async () => {
    const calls = await signedInHome();
    act(() => vi.advanceTimersByTime(13 * MINUTE + 1000));
    const dialog = await screen.findByRole("alertdialog");
    fireEvent.click(within(dialog).getByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(getToken()).toBeNull());
    expect(calls.some((call) => call.method === "DELETE")).toBe(true);
  });

  it("counts from the last call: activity before the warning pushes it back", async () => {
    await signedInHome();
    act(() => vi.advanceTimersByTime(10 * MINUTE));
    const { api } = await import("../api/client");
    await act(async () => {
      await api.GET("/v1/me");
    });
    act(() => vi.advanceTimersByTime(5 * MINUTE));
    expect(screen.queryByRole("alertdialog")).toBeNull();
    act(() => vi.advanceTimersByTime(8 * MINUTE + 1000));
    expect(await screen.findByRole("alertdialog")).toBeTruthy();
  });

  it("signs out when the tab comes back after the deadline, though no timer has run (a laptop slept)", async () => {
    const calls = await signedInHome();
    // The clock moves on while the timers stand still, as in a sleeping laptop or a throttled tab.
    vi.setSystemTime(Date.now() + 16 * MINUTE);
    expect(screen.getByText("Signed in as ada")).toBeTruthy();

    act(() => {
      document.dispatchEvent(new Event("visibilitychange"));
    });
    expect(await screen.findByText(/You were signed out after 15 minutes without activity/)).toBeTruthy();
    expect(screen.queryByText("Signed in as ada")).toBeNull();
    expect(getToken()).toBeNull();
    expect(calls.some((call) => call.method === "DELETE")).toBe(true);
  });

  it("warns when the tab gets the focus back within the last two minutes", async () => {
    await signedInHome();
    vi.setSystemTime(Date.now() + 14 * MINUTE);
    act(() => {
      window.dispatchEvent(new Event("focus"));
    });
    expect(await screen.findByRole("alertdialog", { name: "Are you still there?" })).toBeTruthy();
    expect(getToken()).toBe("tok-1");
  });

  it("reads the clock every 15 seconds too, for a tab whose timers ran late", async () => {
    await signedInHome();
    vi.setSystemTime(Date.now() + 16 * MINUTE);
    act(() => vi.advanceTimersByTime(15 * 1000));
    await waitFor(() => expect(getToken()).toBeNull());
  });

  it("keeps the page behind out of reach, stays signed in on Escape and gives the focus back", async () => {
    const calls = await signedInHome();
    const link = screen.getByRole("button", { name: "Sign out" });
    link.focus();
    act(() => vi.advanceTimersByTime(13 * MINUTE + 1000));
    const dialog = await screen.findByRole("alertdialog", { name: "Are you still there?" });
    expect(document.activeElement).toBe(within(dialog).getByRole("button", { name: "Stay signed in" }));
    // Everything but the dialog is inert: no keyboard, pointer or screen reader reaches it.
    expect(link.closest("[inert]")).not.toBeNull();
    expect(dialog.closest("[inert]")).toBeNull();
    await expectAccessible(dialog);

    const before = calls.filter((call) => call.path === "/v1/me").length;
    fireEvent.keyDown(dialog, { key: "Escape" });
    await waitFor(() => expect(screen.queryByRole("alertdialog")).toBeNull());
    expect(calls.filter((call) => call.path === "/v1/me").length).toBe(before + 1);
    expect(getToken()).toBe("tok-1");
    expect(link.closest("[inert]")).toBeNull();
    expect(document.activeElement).toBe(link);
  });
});
