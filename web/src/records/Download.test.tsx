import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { emma, meActingFor } from "../proxies/fixtures";
import { setToken } from "../session";
import { apiError, me } from "../test/fixtures";
import { expectAccessible } from "../test/recordsFixtures";
import { fakeApi, renderAt } from "../test/render";
import { sizeText } from "./Download";

type RecordExport = Schemas["RecordExport"];

const areas: RecordExport["areas"] = ["results", "documents", "health_summary", "medications", "appointments"];
const building: RecordExport = {
  export_id: "e-2",
  status: "building",
  requested_at: "2026-03-05T12:00:00Z",
  ready_at: null,
  expires_at: null,
  areas,
  files: [],
};
const ready: RecordExport = {
  ...building,
  export_id: "e-1",
  status: "ready",
  requested_at: "2026-03-04T12:00:00Z",
  ready_at: "2026-03-04T12:01:00Z",
  expires_at: "2099-03-11T12:01:00Z",
};
const withFiles: RecordExport = {
  ...ready,
  files: [
    {
      kind: "fhir_bundle",
      name: "health-record-2026-03-04.json",
      content_type: "application/fhir+json",
      size: 52_000,
      url: "https://files.example/record.json?X-Amz-Expires=300",
    },
    {
      kind: "pdf_summary",
      name: "health-summary-2026-03-04.pdf",
      content_type: "application/pdf",
      size: 2_400_000,
      url: "https://files.example/summary.pdf?X-Amz-Expires=300",
    },
  ],
};

describe("download my record", () => {
  it("says what the download holds, makes one, and shows it being prepared until it is ready", async () => {
    setToken("tok-1");
    let listed: RecordExport[] = [];
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/exports": () => ({ status: 200, body: { exports: listed } }),
      "POST /v1/patients/p-1/exports": () => {
        listed = [building];
        return { status: 202, body: building };
      },
    });
    renderAt("/records/download");
    expect(await screen.findByRole("heading", { level: 1, name: "Download my record" })).toBeTruthy();
    expect(screen.getByText(/A file for health apps \(FHIR, JSON\)/)).toBeTruthy();
    expect(screen.getByText(/A summary you can read and print \(PDF\)/)).toBeTruthy();
    expect(await screen.findByText("You have not made a download yet.")).toBeTruthy();
    await expectAccessible();

    await userEvent.setup().click(screen.getByRole("button", { name: "Make a download" }));

    expect(await screen.findByText("Being prepared. This page updates when it is ready.")).toBeTruthy();
    // One at a time: while one is being prepared the button waits
    expect((screen.getByRole("button", { name: "Make a download" }) as HTMLButtonElement).disabled).toBe(true);
    expect(calls.filter((c) => c.method === "POST").map((c) => c.path)).toEqual(["/v1/patients/p-1/exports"]);
  });

  it("gets the links of a ready download only when asked, and says when one failed", async () => {
    setToken("tok-1");
    const failed: RecordExport = { ...building, export_id: "e-0", status: "failed" };
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/exports": { status: 200, body: { exports: [ready, failed] } },
      "GET /v1/patients/p-1/exports/e-1": { status: 200, body: withFiles },
    });
    renderAt("/records/download");
    const button = await screen.findByRole("button", { name: "Get the files" });
    expect(screen.getByText("This download could not be made. Please make a new one.")).toBeTruthy();
    expect(calls.some((c) => c.path === "/v1/patients/p-1/exports/e-1")).toBe(false);

    await userEvent.setup().click(button);

    const bundle = await screen.findByRole("link", { name: "Health record for apps (FHIR JSON)" });
    expect(bundle.getAttribute("href")).toBe("https://files.example/record.json?X-Amz-Expires=300");
    expect(bundle.getAttribute("download")).toBe("health-record-2026-03-04.json");
    const pdf = screen.getByRole("link", { name: "Summary (PDF)" });
    expect(within(pdf.parentElement!).getByText("(2.3 MB)")).toBeTruthy();
    await expectAccessible();
  });

  it("makes a proxy's download of the record they act for, in their words", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: meActingFor([emma]) },
      "GET /v1/patients/p-emma/exports": { status: 200, body: { exports: [] } },
      "POST /v1/patients/p-emma/exports": { status: 202, body: building },
    });
    renderAt("/records/download?record=p-emma");
    expect(await screen.findByText(/what the portal shows you of Emma's record/)).toBeTruthy();
    // The menu's link keeps the record the proxy is viewing
    const menu = await screen.findByRole("navigation", { name: "Portal pages" });
    const link = within(menu).getByRole("link", { name: "Download my record" });
    expect(link.getAttribute("href")).toBe("/records/download?record=p-emma");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Make a download" }));
    await waitFor(() => expect(calls.some((c) => c.method === "POST" && c.path === "/v1/patients/p-emma/exports")).toBe(true));
  });

  it("says why a download could not be asked for", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/patients/p-1/exports": { status: 200, body: { exports: [] } },
      "POST /v1/patients/p-1/exports": { status: 503, body: apiError("unavailable", "The service is unavailable.") },
    });
    renderAt("/records/download");
    await userEvent.setup().click(await screen.findByRole("button", { name: "Make a download" }));
    expect(await screen.findByText("The service is unavailable.")).toBeTruthy();
  });

  it("says sizes as a person reads them", () => {
    expect(sizeText(300)).toBe("1 KB");
    expect(sizeText(52_000)).toBe("51 KB");
    expect(sizeText(2_400_000)).toBe("2.3 MB");
  });
});
