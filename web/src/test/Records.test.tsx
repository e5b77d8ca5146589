import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError, correctedResult, documentsPage, inbox, me, resultSummary } from "./fixtures";
import { fakeApi, renderAt } from "./render";

describe("results", () => {
  it("lists the patient's results a page at a time, by the cursor the API gives", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results": (call) =>
        new URLSearchParams(call.search).get("cursor") === "c2"
          ? { status: 200, body: { results: [resultSummary("r-2", "Lipid panel")], next_cursor: null } }
          : {
              status: 200,
              body: {
                results: [resultSummary("r-1", "Metabolic panel", { abnormal: true, critical: true })],
                next_cursor: "c2",
              },
            },
    });
    renderAt("/results");
    expect(await screen.findByRole("link", { name: "Metabolic panel" })).toBeTruthy();
    expect(screen.getByText("Has a critical value")).toBeTruthy();
    expect(document.title).toBe("Test results | Patient portal");
    const user = userEvent.setup();

    await user.click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByRole("link", { name: "Lipid panel" })).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Metabolic panel" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Next page" })).toBeNull();

    await user.click(screen.getByRole("button", { name: "Previous page" }));
    expect(await screen.findByRole("link", { name: "Metabolic panel" })).toBeTruthy();
    const searches = calls.filter((call) => call.path === "/v1/patients/p-1/results").map((call) => call.search);
    expect(searches.slice(0, 2)).toEqual(["?limit=20", "?limit=20&cursor=c2"]);
  });

  it("asks the API for one category when the patient picks it", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results": { status: 200, body: { results: [], next_cursor: null } },
    });
    renderAt("/results");
    expect(await screen.findByText("You have no results here yet.")).toBeTruthy();
    await userEvent.setup().selectOptions(screen.getByLabelText("Show"), "Imaging");
    await screen.findByText("You have no results here yet.");
    expect(calls.at(-1)?.search).toBe("?limit=20&category=imaging");
  });

  it("shows a result's values with units, ranges and flags in words, and its earlier version", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results/r-1": { status: 200, body: correctedResult },
    });
    renderAt("/results/r-1");
    expect(await screen.findByRole("heading", { name: "Metabolic panel" })).toBeTruthy();
    // the tab title names no test: a title outlives the page in the browser's history
    expect(document.title).toBe("Test result | Patient portal");
    expect(screen.getByText("Report status: Corrected")).toBeTruthy();
    const current = screen.getByRole("table", { name: "Values" });
    const potassium = within(current).getByRole("row", { name: /Potassium/ });
    expect(potassium.textContent).toContain("6.9 mmol/L");
    expect(potassium.textContent).toContain("3.5-5.1");
    expect(potassium.textContent).toContain("Critical: needs attention, Far above the normal range");
    expect(within(current).getByRole("row", { name: /Sodium/ }).textContent).toContain("No flag");

    await userEvent.setup().click(screen.getByText("Version 1: Final, filed", { exact: false }));
    const earlier = screen.getByRole("table", { name: "Values in version 1" });
    const before = within(earlier).getByRole("row", { name: /Potassium/ });
    expect(before.textContent).toContain("5.6 mmol/L");
    expect(before.textContent).toContain("Above the normal range");
  });

  it("says in words when the API refuses a result", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results/r-9": {
        status: 404,
        body: apiError("not_found", "There is no such result."),
      },
    });
    renderAt("/results/r-9");
    expect((await screen.findByRole("alert")).textContent).toBe("There is no such result.");
    expect(screen.getByRole("link", { name: "Back to your test results" })).toBeTruthy();
  });

  it("says so when the portal cannot be reached", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/results": () => {
        throw new TypeError("Failed to fetch");
      },
    });
    renderAt("/results");
    expect((await screen.findByRole("alert")).textContent).toMatch(/could not be reached/);
  });
});

describe("documents", () => {
  it("lists the patient's documents", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/documents": { status: 200, body: documentsPage },
    });
    renderAt("/documents");
    expect(await screen.findByText(/by Dr. Grace Hopper/)).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Documents" })).toBeTruthy();
    expect(document.title).toBe("Documents | Patient portal");
  });

  it("is reached from the home page", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: inbox },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
      "GET /v1/patients/p-1/documents": { status: 200, body: documentsPage },
    });
    renderAt("/");
    const pages = await screen.findByRole("navigation", { name: "Portal pages" });
    await userEvent.setup().click(within(pages).getByRole("link", { name: "Documents" }));
    expect(await screen.findByText(/by Dr. Grace Hopper/)).toBeTruthy();
    expect(window.location.pathname).toBe("/documents");
  });
});
