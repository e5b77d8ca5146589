import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { setToken } from "../session";
import { apiError, documentsPage, me, resultSummary } from "./fixtures";
import {
  expectAccessible,
  fileLink,
  glucoseResult,
  glucoseTrends,
  homeConnection,
  meWith,
  point,
  saratoga,
} from "./recordsFixtures";
import type { Schemas } from "../api/client";
import { fakeApi, renderAt } from "./render";

/**
 * window.open replaced: the window it gives, and whether it was opened before the API answered
 * (the click must open it, or browsers block it as a pop-up).
 */
function stubWindowOpen(answer: "window" | "blocked" = "window") {
  const opened = { opener: window as Window | null, location: { href: "" }, close: vi.fn(), closed: false };
  const open = vi.fn(() => (answer === "window" ? (opened as unknown as Window) : null));
  vi.stubGlobal("open", open);
  return { open, opened };
}

describe("opening files", () => {
  it("asks for a document's link with the session's token, then opens it", async () => {
    setToken("tok-1");
    const { open, opened } = stubWindowOpen();
    let openedFirst = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/documents": { status: 200, body: documentsPage },
      "GET /v1/patients/p-1/documents/d-1/content-link": () => {
        openedFirst = open.mock.calls.length === 1;
        return { status: 200, body: fileLink };
      },
    });
    renderAt("/documents");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Open Discharge summary" }));
    // A new window, opened in the click (before the API's answer), that cannot reach back to this tab
    await waitFor(() => expect(opened.location.href).toBe(fileLink.url));
    expect(openedFirst).toBe(true);
    expect(open).toHaveBeenCalledWith("", "_blank");
    expect(opened.opener).toBeNull();
    expect(opened.close).not.toHaveBeenCalled();
    // This tab stays on the page: the link is in no history entry of the portal's
    expect(window.location.pathname).toBe("/documents");
    const asked = calls.find((call) => call.path.endsWith("/content-link"));
    expect(asked?.headers.get("Authorization")).toBe("Bearer tok-1");
    // the link is used, never kept
    expect(window.sessionStorage.getItem("portal.session")).toBe("tok-1");
    expect(JSON.stringify({ ...window.sessionStorage })).not.toContain("X-Amz");
  });

  it("says in words when the file is refused, beside its button", async () => {
    setToken("tok-1");
    const { opened } = stubWindowOpen();
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/documents": { status: 200, body: documentsPage },
      "GET /v1/patients/p-1/documents/d-1/content-link": {
        status: 404,
        body: apiError("not_found", "No such document."),
      },
    });
    renderAt("/documents");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Open Discharge summary" }));
    expect((await screen.findByRole("alert")).textContent).toBe("No such document.");
    // the blank window opened for it is closed again, and the reason is on the page
    expect(opened.close).toHaveBeenCalled();
    expect(opened.location.href).toBe("");
  });

  it("says so when the browser blocks the new window, and asks for no link", async () => {
    setToken("tok-1");
    stubWindowOpen("blocked");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/documents": { status: 200, body: documentsPage },
    });
    renderAt("/documents");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Open Discharge summary" }));
    expect((await screen.findByRole("alert")).textContent).toMatch(/Allow pop-ups for this portal/);
    expect(calls.some((call) => call.path.endsWith("/content-link"))).toBe(false);
  });

  it("opens a file a result carries, by its position in the report", async () => {
    setToken("tok-1");
    const { opened } = stubWindowOpen();
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results/r-3": { status: 200, body: glucoseResult },
      "GET /v1/patients/p-1/results/r-3/trends": { status: 200, body: { trends: [], complete: true } },
      "GET /v1/patients/p-1/results/r-3/files/1/link": { status: 200, body: fileLink },
    });
    renderAt("/results/r-3");
    const row = within(await screen.findByRole("table", { name: "Values" })).getByRole("row", { name: /Lab report/ });
    await userEvent.setup().click(within(row).getByRole("button", { name: "Open Lab report" }));
    await waitFor(() => expect(opened.location.href).toBe(fileLink.url));
  });
});

describe("a test over time", () => {
  it("draws the values with the normal range, and gives them as a table", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results/r-3": { status: 200, body: glucoseResult },
      "GET /v1/patients/p-1/results/r-3/trends": { status: 200, body: glucoseTrends },
    });
    renderAt("/results/r-3");
    expect(await screen.findByRole("heading", { name: "Over time" })).toBeTruthy();
    const chart = screen.getByRole("img", {
      name: "Glucose in mg/dL: 3 values from Mar 1, 2026 to Mar 3, 2026; latest 130 mg/dL. 2 values are flagged as abnormal.",
    });
    expect(chart.textContent).toContain("Normal range 70-99");
    for (const value of ["85", "101", "130"]) expect(chart.textContent).toContain(value);
    // the range is shaded: a band between 70 and 99, and the flagged values are squares, not only red
    expect(chart.querySelectorAll("rect[fill='#b50909']")).toHaveLength(2);
    expect(chart.querySelectorAll("circle")).toHaveLength(1);
    expect(screen.getByText("Squares mark flagged values; circles mark the others.")).toBeTruthy();

    const table = screen.getByRole("table", { name: "Glucose: every value" });
    const rows = within(table).getAllByRole("row").slice(1);
    expect(rows.map((row) => row.textContent)).toEqual([
      expect.stringContaining("85 mg/dL70-99No flag"),
      expect.stringContaining("101 mg/dL70-99Above the normal range"),
      expect.stringContaining("130 mg/dL70-99Above the normal range"),
    ]);
    await expectAccessible();
  });

  it("draws nothing for a test with one value, and says so", async () => {
    setToken("tok-1");
    const [first] = glucoseTrends.trends;
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results/r-3": { status: 200, body: glucoseResult },
      "GET /v1/patients/p-1/results/r-3/trends": {
        status: 200,
        body: { trends: [{ ...first!, points: first!.points.slice(-1) }], complete: false },
      },
    });
    renderAt("/results/r-3");
    expect(await screen.findByText("There are no earlier values of these tests to compare with yet.")).toBeTruthy();
    expect(screen.getByText("Only your most recent results are included, and this one: older values are left out.")).toBeTruthy();
    expect(screen.queryByRole("img")).toBeNull();
  });

  it("never draws a value of another unit on the line, and lists it as not charted", async () => {
    setToken("tok-1");
    const [glucose] = glucoseTrends.trends;
    // one mmol/L value, the newest, sent where the line's are (the API puts them apart; the chart
    // must hold even if it did not) and one among the other units
    const trend: Schemas["Trend"] = {
      ...glucose!,
      points: [
        ...glucose!.points,
        point("r-4", "2026-03-04T08:00:00Z", "5.5", [], { units: "mmol/L", reference_range: "3.9-5.5" }),
      ],
      other_units: [point("r-0", "2026-02-28T08:00:00Z", "6.1", [], { units: "mmol/L", reference_range: "3.9-5.5" })],
    };
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results/r-3": { status: 200, body: glucoseResult },
      "GET /v1/patients/p-1/results/r-3/trends": { status: 200, body: { trends: [trend], complete: true } },
    });
    renderAt("/results/r-3");
    const chart = await screen.findByRole("img", {
      name: /^Glucose in mg\/dL: 3 values .* latest 130 mg\/dL\. .* 2 values in other units are not drawn; the table lists them\.$/,
    });
    // the line and its points are the three mg/dL values only, on an axis in mg/dL
    const [line, ...more] = chart.querySelectorAll("polyline");
    expect(more).toHaveLength(0);
    expect(line!.getAttribute("points")!.split(" ")).toHaveLength(3);
    expect(chart.querySelectorAll("circle, rect[fill='#b50909']")).toHaveLength(3);
    const drawnText = [...chart.querySelectorAll("text")].map((text) => text.textContent);
    expect(drawnText).toContain("mg/dL");
    expect(drawnText.some((text) => /mmol|5\.5|6\.1/.test(text ?? ""))).toBe(false);
    // the table has all five, in the order observed, the mmol/L ones said not to be on the chart
    const table = screen.getByRole("table", { name: "Glucose: every value" });
    expect(within(table).getAllByRole("row").slice(1).map((row) => row.textContent)).toEqual([
      expect.stringContaining("6.1 mmol/LNot charted: different unit3.9-5.5"),
      expect.stringContaining("85 mg/dL70-99"),
      expect.stringContaining("101 mg/dL70-99"),
      expect.stringContaining("130 mg/dL70-99"),
      expect.stringContaining("5.5 mmol/LNot charted: different unit3.9-5.5"),
    ]);
    await expectAccessible();
  });

  it("does not join a value older than the results read to the rest", async () => {
    setToken("tok-1");
    const [glucose] = glucoseTrends.trends;
    const trend: Schemas["Trend"] = {
      ...glucose!,
      points: [point("r-3", "2024-03-03T08:00:00Z", "92", [], { outside_window: true }), ...glucose!.points.slice(0, 2)],
    };
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results/r-3": { status: 200, body: glucoseResult },
      "GET /v1/patients/p-1/results/r-3/trends": { status: 200, body: { trends: [trend], complete: false } },
    });
    renderAt("/results/r-3");
    const chart = await screen.findByRole("img", { name: /values in between are left out/ });
    const lines = [...chart.querySelectorAll("polyline")].map((line) => line.getAttribute("points")!.split(" ").length);
    expect(lines).toEqual([2]);
    expect(chart.querySelectorAll("circle, rect[fill='#b50909']")).toHaveLength(3);
    expect(screen.getByText(/A point on its own is this result's value/)).toBeTruthy();
    expect(screen.getByText("Only your most recent results are included, and this one: older values are left out.")).toBeTruthy();
  });

  it("does not ask for trends of a result with no number to chart", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results/r-3": { status: 200, body: { ...glucoseResult, has_numeric_values: false } },
    });
    renderAt("/results/r-3");
    expect(await screen.findByRole("table", { name: "Values" })).toBeTruthy();
    await waitFor(() => expect(calls.filter((call) => call.path.startsWith("/v1/patients")).length).toBe(1));
    expect(calls.some((call) => call.path.endsWith("/trends"))).toBe(false);
    expect(screen.queryByRole("heading", { name: "Over time" })).toBeNull();
  });

  it("shows the result even when its trends are refused", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results/r-3": { status: 200, body: glucoseResult },
      "GET /v1/patients/p-1/results/r-3/trends": { status: 404, body: apiError("not_found", "No such result.") },
    });
    renderAt("/results/r-3");
    expect(await screen.findByRole("heading", { name: "Glucose" })).toBeTruthy();
    expect((await screen.findByRole("alert")).textContent).toBe("No such result.");
  });
});

describe("which record", () => {
  it("shows a connected organization's record by the id its connection gives, and keeps it on links", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: meWith(homeConnection, saratoga) },
      "GET /v1/patients/p-2/results": {
        status: 200,
        body: { results: [resultSummary("r-9", "Lipid panel")], next_cursor: null },
      },
    });
    renderAt("/results?record=p-2");
    const link = await screen.findByRole("link", { name: "Lipid panel" });
    expect(screen.getByText("Showing your record at Saratoga Hospital.")).toBeTruthy();
    expect(link.getAttribute("href")).toBe("/results/r-9?record=p-2");
    expect(calls.some((call) => call.path.startsWith("/v1/patients/p-1"))).toBe(false);
  });

  it("refuses a record that is none of the patient's without asking the API for it", async () => {
    setToken("tok-1");
    const calls = fakeApi({ "GET /v1/me": { status: 200, body: meWith(homeConnection) } });
    renderAt("/documents?record=p-someone-else");
    expect((await screen.findByRole("alert")).textContent).toMatch(/not one of yours/);
    expect(screen.getByRole("link", { name: "Choose one of your records" })).toBeTruthy();
    expect(calls.map((call) => call.path)).toEqual(["/v1/me"]);
  });
});

describe("the chart's scales", () => {
  it("reads reference ranges as labs write them", async () => {
    const { rangeBounds } = await import("../records/TrendChart");
    expect(rangeBounds("70-99")).toEqual({ low: 70, high: 99 });
    expect(rangeBounds("3.5 - 5.1")).toEqual({ low: 3.5, high: 5.1 });
    expect(rangeBounds("<5.7")).toEqual({ low: null, high: 5.7 });
    expect(rangeBounds(">=40")).toEqual({ low: 40, high: null });
    expect(rangeBounds("negative")).toBeNull();
  });

  it("compares units as the API does: case and spaces aside", async () => {
    const { sameUnits } = await import("../records/TrendChart");
    expect(sameUnits("mg/dL", "mg / dl")).toBe(true);
    expect(sameUnits("mg/dL", "mmol/L")).toBe(false);
    expect(sameUnits(null, "")).toBe(true);
    expect(sameUnits(null, "mg/dL")).toBe(false);
  });

  it("steps the value axis in round numbers", async () => {
    const { niceTicks } = await import("../records/TrendChart");
    expect(niceTicks(3.7, 6.7)).toEqual([4, 5, 6]);
    expect(niceTicks(62, 142)).toEqual([80, 100, 120, 140]);
    expect(niceTicks(0.1, 0.9)).toEqual([0.2, 0.4, 0.6, 0.8]);
  });
});
