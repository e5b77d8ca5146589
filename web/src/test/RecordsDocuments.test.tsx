import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { expectAccessible } from "./axe";
import { apiError, me } from "./fixtures";
import { fileLink } from "./recordsFixtures";
import { fakeApi, renderAt } from "./render";

// Documents in the API's shapes: a note, its addendum, and a replaced operative report.
const note: Schemas["DocumentSummary"] = {
  document_id: "d-note",
  version: 1,
  type: "note",
  title: "Progress note",
  status: "final",
  authored_at: "2026-11-25",
  author: "Dr. Grace Okoro",
  content_type: "text/plain; charset=utf-8",
  size: 120,
  released_at: "2026-11-25T10:00:00Z",
  revision: null,
  addendum_to: null,
  addendum_to_title: null,
};
const addendum: Schemas["DocumentSummary"] = {
  ...note,
  document_id: "d-addendum",
  title: "Progress note",
  authored_at: "2026-11-26",
  addendum_to: "d-note",
  addendum_to_title: "Progress note",
};
const replaced: Schemas["DocumentSummary"] = {
  ...note,
  document_id: "d-op",
  type: "report",
  title: "Operative report",
  version: 2,
  content_type: "application/pdf",
  revision: "replacement",
};
const page: Schemas["DocumentsPage"] = { documents: [addendum, replaced, note], next_cursor: null };
const replacedDetail: Schemas["DocumentDetail"] = {
  ...replaced,
  addenda: [],
  earlier_versions: [
    {
      version: 1,
      status: "final",
      filed_at: "2026-11-25T10:00:00Z",
      authored_at: "2026-11-25",
      title: "Operative report",
      content_type: "application/pdf",
      size: 4000,
    },
  ],
};

function stubWindowOpen() {
  const opened = { opener: window as Window | null, location: { href: "" }, close: vi.fn(), closed: false };
  vi.stubGlobal(
    "open",
    vi.fn(() => opened as unknown as Window),
  );
  return opened;
}

describe("documents: addenda, replacements and earlier versions", () => {
  it("labels an addendum with what it adds to, and a replaced document as such", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/documents": { status: 200, body: page },
    });
    renderAt("/documents");
    // each document's item, found by its link (the page's navigation has items too)
    const [first, second, third] = (await screen.findAllByRole("link", { name: /^Details of / })).map(
      (link) => link.closest("li") as HTMLElement,
    );
    expect(within(first!).getByText("Addendum to Progress note")).toBeTruthy();
    expect(within(second!).getByText("Replaces an earlier version")).toBeTruthy();
    expect(within(third!).queryByText(/Addendum|Replaces|Updated/)).toBeNull();
    expect(within(second!).getByRole("link", { name: "Details of Operative report" }).getAttribute("href")).toBe(
      "/documents/d-op",
    );
    await expectAccessible();
  });

  it("says an addendum adds to an earlier document when that one is not shown", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/documents": {
        status: 200,
        body: { documents: [{ ...addendum, addendum_to_title: null }], next_cursor: null },
      },
    });
    renderAt("/documents");
    expect(await screen.findByText("Addendum to an earlier document")).toBeTruthy();
  });

  it("shows a replaced document with its earlier version, which opens on its own", async () => {
    setToken("tok-1");
    const opened = stubWindowOpen();
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/documents/d-op": { status: 200, body: replacedDetail },
      "GET /v1/patients/p-1/documents/d-op/versions/1/content-link": { status: 200, body: fileLink },
    });
    renderAt("/documents/d-op");
    expect(await screen.findByRole("heading", { level: 1, name: "Operative report" })).toBeTruthy();
    // the tab's title names the kind of page, never the document
    expect(document.title).toBe("Document | Patient portal");
    expect(screen.getByText("Replaces an earlier version")).toBeTruthy();
    expect(screen.getByText("Version 2")).toBeTruthy();
    const earlier = screen.getByRole("region", { name: "Earlier versions" });
    expect(within(earlier).getByText(/Version 1: Final, filed Nov 25, 2026/)).toBeTruthy();
    await userEvent.setup().click(within(earlier).getByRole("button", { name: "Open version 1 of Operative report" }));
    await waitFor(() => expect(opened.location.href).toBe(fileLink.url));
    expect(calls.some((call) => call.path.endsWith("/documents/d-op/content-link"))).toBe(false);
    await expectAccessible();
  });

  it("lists a document's addenda on its page, each with its own file", async () => {
    setToken("tok-1");
    stubWindowOpen();
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/documents/d-note": {
        status: 200,
        body: { ...note, addenda: [addendum], earlier_versions: [] },
      },
      "GET /v1/patients/p-1/documents/d-addendum/content-link": { status: 200, body: fileLink },
    });
    renderAt("/documents/d-note");
    const addenda = await screen.findByRole("region", { name: "Addenda to this document" });
    expect(within(addenda).getByRole("link", { name: "Addendum to Progress note" }).getAttribute("href")).toBe(
      "/documents/d-addendum",
    );
    await userEvent.setup().click(within(addenda).getByRole("button", { name: "Open Addendum to Progress note" }));
    await waitFor(() => expect(calls.some((call) => call.path.endsWith("/d-addendum/content-link"))).toBe(true));
    expect(screen.queryByRole("region", { name: "Earlier versions" })).toBeNull();
  });

  it("says in words that a withdrawn document is not there, with the way back", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/documents/d-gone": { status: 404, body: apiError("not_found", "No such document.") },
    });
    renderAt("/documents/d-gone");
    expect((await screen.findByRole("alert")).textContent).toBe("No such document.");
    expect(screen.getByRole("heading", { level: 1, name: "Document" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Back to documents" }).getAttribute("href")).toBe("/documents");
  });
});
