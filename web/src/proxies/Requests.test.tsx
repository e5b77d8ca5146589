import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { grant, document as proxyDocument, request } from "./fixtures";

const form = { version: "2026-01", title: "Proxy Access Request and Authorization Form", text: "I ask for access.\n\nI agree." };
const upload = {
  document: proxyDocument("d-1", { status: "waiting" }),
  upload: { url: "http://storage.test/proxy-documents", fields: { key: "server-made", policy: "cG9saWN5" } },
  expires_at: "2026-03-01T10:05:00Z",
  max_bytes: 10485760,
};
const PNG = "iVBORw0KGgo=";
beforeEach(() => {
  // jsdom draws nothing: a context that takes the strokes, and a PNG for toDataURL
  const pen = { fillRect: vi.fn(), beginPath: vi.fn(), moveTo: vi.fn(), lineTo: vi.fn(), stroke: vi.fn() };
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockImplementation(() => pen as never);
  vi.spyOn(HTMLCanvasElement.prototype, "toDataURL").mockImplementation(() => `data:image/png;base64,${PNG}`);
});
afterEach(() => vi.restoreAllMocks());
const pdf = (name: string) => new File([new Uint8Array(64)], name, { type: "application/pdf" });

describe("asking for access to someone's record", () => {
  it("lists the requests made with their status in words", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/proxy-requests": {
        status: 200,
        body: { requests: [request("q-1", { status: "submitted" }), request("q-2", { status: "denied" })] },
      },
      "GET /v1/me/proxy-grants": { status: 200, body: { grants: [] } },
    });
    renderAt("/proxy-requests");
    const link = await screen.findAllByRole("link", { name: "Access to Emma Lovelace's record" });
    expect(link[0]!.getAttribute("href")).toBe("/proxy-requests/q-1");
    expect(document.title).toBe("Access for someone else | Patient portal");
    expect(screen.getByText("Sent, waiting for the clinic")).toBeTruthy();
    expect(screen.getByText("Not approved")).toBeTruthy();
    // the status and the date read as two things, not "Not approvedStarted"
    expect(screen.getByText("Not approved").parentElement!.textContent).toMatch(/Not approved Started /);
    expect(screen.getByRole("link", { name: "Ask for access to someone's record" }).getAttribute("href")).toBe(
      "/proxy-requests/new",
    );
    await expectAccessible();
  });

  it("lists the account's access to others' records, ended ones with when", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/proxy-requests": { status: 200, body: { requests: [] } },
      "GET /v1/me/proxy-grants": {
        status: 200,
        body: {
          grants: [
            grant("g-emma", { patient_id: "p-emma", patient_name: "Emma", relationship: "parent", areas: ["appointments"] }),
            grant("g-ada", { patient_name: "Ada", status: "revoked", ended_at: "2026-02-01T10:00:00Z" }),
          ],
        },
      },
    });
    renderAt("/proxy-requests");
    const mine = await screen.findByRole("region", { name: "Your access to others' records" });
    const emmaCard = (await within(mine).findByRole("heading", { name: "Emma" })).closest("li")!;
    expect(emmaCard.textContent).toContain("You have access");
    expect(emmaCard.textContent).toContain("Parent of a child under 12");
    expect(emmaCard.textContent).toContain("Until Jan 5, 2027");
    expect(within(emmaCard).getByRole("link", { name: "Open Emma's record" }).getAttribute("href")).toBe(
      "/appointments?record=p-emma",
    );
    const ada = within(mine).getByRole("heading", { name: "Ada" }).closest("li")!;
    expect(ada.textContent).toContain("Ended by the patient on Feb 1, 2026");
    expect(ada.textContent).not.toContain("Until");
    expect(within(ada).queryByRole("link")).toBeNull();
  });

  it("explains the age rule, sends the person and the relationship, and shows the API's refusal in its words", async () => {
    setToken("tok-1");
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/support-requests/organizations": {
        status: 200,
        body: { organizations: [{ organization_id: "org-1", name: "Albany Medical Center" }] },
      },
      "POST /v1/proxy-requests": () =>
        ++tries === 1
          ? {
              status: 400,
              body: apiError(
                "validation_failed",
                "Parents and guardians of a minor can have portal access only until the child turns 12. Please contact the office about access for an older child.",
                [{ field: "patient.birth_date" }],
              ),
            }
          : { status: 201, body: request("q-9") },
      "GET /v1/proxy-requests/q-9": { status: 200, body: request("q-9") },
    });
    renderAt("/proxy-requests/new");
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 1, name: "Ask for access to someone's record" })).toBeTruthy();
    expect(screen.getByText(/only until the child turns 12/)).toBeTruthy();
    await user.type(screen.getByLabelText("Their first name"), "Emma");
    await user.type(screen.getByLabelText("Their last name"), "Lovelace");
    fireEvent.change(screen.getByLabelText("Their date of birth"), { target: { value: "2010-06-01" } });
    await user.click(screen.getByLabelText(/Parent of a child under 12/));
    // a parent's request covers what the rules allow: no choice of areas
    expect(screen.queryByRole("group", { name: "What they can see" })).toBeNull();
    await user.type(screen.getByLabelText("Your full name"), "Ada Lovelace");
    await user.click(screen.getByRole("button", { name: "Continue to documents" }));
    const said = await screen.findByText(/only until the child turns 12\. Please contact the office/, {
      selector: ".usa-error-message",
    });
    expect(said).toBeTruthy();
    expect(screen.getByLabelText("Their date of birth").getAttribute("aria-invalid")).toBe("true");

    fireEvent.change(screen.getByLabelText("Their date of birth"), { target: { value: "2019-06-01" } });
    await user.click(screen.getByRole("button", { name: "Continue to documents" }));
    expect(await screen.findByRole("heading", { level: 1, name: "Access to Emma Lovelace's record" })).toBeTruthy();
    expect(window.location.pathname).toBe("/proxy-requests/q-9");
    // the corrected request is a new body, so a new key: the refused one is not replayed
    const [refused, created] = calls.filter((call) => call.method === "POST").map((call) => call.headers.get("Idempotency-Key"));
    expect(refused && created && refused !== created).toBe(true);
    expect(calls.filter((call) => call.method === "POST").at(-1)?.body).toEqual({
      organization_id: "org-1",
      patient: { given_name: "Emma", family_name: "Lovelace", birth_date: "2019-06-01" },
      relationship: "parent",
      requester_name: "Ada Lovelace",
    });
  });

  it("asks an adult's agent what access and which areas", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/support-requests/organizations": {
        status: 200,
        body: { organizations: [{ organization_id: "org-1", name: "Albany Medical Center" }] },
      },
      "POST /v1/proxy-requests": { status: 201, body: request("q-9", { relationship: "health_care_agent" }) },
      "GET /v1/proxy-requests/q-9": { status: 200, body: request("q-9", { relationship: "health_care_agent" }) },
    });
    renderAt("/proxy-requests/new");
    const user = userEvent.setup();
    // the clinic by its name, not its id
    expect(await screen.findByRole("option", { name: "Albany Medical Center" })).toBeTruthy();
    expect(screen.queryByRole("option", { name: "org-1" })).toBeNull();
    await user.type(await screen.findByLabelText("Their first name"), "Grace");
    await user.type(screen.getByLabelText("Their last name"), "Hopper");
    fireEvent.change(screen.getByLabelText("Their date of birth"), { target: { value: "1940-12-09" } });
    await user.click(screen.getByLabelText(/Health care agent/));
    await user.click(screen.getByLabelText("Messages"));
    await user.click(screen.getByLabelText(/Read and act/));
    await user.type(screen.getByLabelText("Your full name"), "Ada Lovelace");
    await user.click(screen.getByRole("button", { name: "Continue to documents" }));
    expect(await screen.findByText(/one of: Health care proxy form/)).toBeTruthy();
    expect(calls.find((call) => call.method === "POST")?.body).toMatchObject({
      relationship: "health_care_agent",
      access: "full",
      areas: ["results", "documents", "health_summary", "appointments", "medications"],
    });
  });

  it("uploads a document (announced, stored, checked), says a refused one in words, then signs and sends", async () => {
    setToken("tok-1");
    let stored = [] as ReturnType<typeof proxyDocument>[];
    let checks = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/proxy-requests/q-1": () => ({ status: 200, body: request("q-1", { documents: stored }) }),
      "POST /v1/proxy-requests/q-1/documents": { status: 201, body: upload },
      "POST /proxy-documents": { status: 204 },
      "POST /v1/proxy-requests/q-1/documents/d-1/check": () => {
        const refused = { status: "refused" as const, problem: "This file is not a PDF, JPEG or PNG.", file_name: "fake.pdf" };
        if (++checks === 1) {
          // the request lists the refused file too, with its reason
          stored = [proxyDocument("d-0", refused)];
          return { status: 200, body: proxyDocument("d-1", refused) };
        }
        stored = [proxyDocument("d-0", refused), proxyDocument("d-1")];
        return { status: 200, body: stored[1] };
      },
      "GET /v1/proxy-requests/form": { status: 200, body: form },
      "POST /v1/proxy-requests/q-1/sign": {
        status: 200,
        body: request("q-1", { status: "submitted", documents: stored, submitted_at: "2026-03-02T10:00:00Z" }),
      },
    });
    renderAt("/proxy-requests/q-1");
    const user = userEvent.setup();
    expect(await screen.findByText(/one of: Birth certificate or Court order or Other document/)).toBeTruthy();
    // on to the form without the documents: it says which are missing, once, and stays
    await user.click(screen.getByRole("button", { name: "Continue to the form" }));
    expect((await screen.findByRole("alert")).textContent).toBe(
      "Upload these before you go on to the form: Birth certificate or Court order or Other document.",
    );
    expect(screen.queryByRole("heading", { name: form.title })).toBeNull();
    await user.upload(screen.getByLabelText("Choose a file"), pdf("fake.pdf"));
    expect(await screen.findByText("This file is not a PDF, JPEG or PNG.")).toBeTruthy();
    // listed once (from the request), not again from the upload
    await waitFor(() => expect(screen.getAllByText("fake.pdf")).toHaveLength(1));
    await user.click(screen.getByRole("button", { name: "Continue to the form" }));
    expect(screen.queryByRole("heading", { name: form.title })).toBeNull(); // a refused file counts for nothing
    await user.upload(screen.getByLabelText("Choose a file"), pdf("birth.pdf"));
    await waitFor(() => expect(screen.getByText("birth.pdf").parentElement?.textContent).toContain("ready"));
    const storage = calls.find((call) => call.path === "/proxy-documents")!.body as FormData;
    expect([...storage.keys()]).toEqual(["key", "policy", "file"]);
    expect(calls.find((call) => call.path === "/v1/proxy-requests/q-1/documents")?.body).toEqual({
      kind: "birth_certificate",
      file_name: "fake.pdf",
      content_type: "application/pdf",
      size: 64,
    });

    await user.click(screen.getByRole("button", { name: "Continue to the form" }));
    expect(await screen.findByRole("heading", { name: form.title })).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Sign and send the request" }));
    expect(screen.getByText("Check the box to agree to the form.")).toBeTruthy();
    expect(screen.getByLabelText("Type your full name to sign").getAttribute("aria-invalid")).toBe("true");
    expect(calls.some((call) => call.path.endsWith("/sign"))).toBe(false);
    await expectAccessible();

    await user.click(screen.getByLabelText("I have read this form and I agree to it"));
    await user.type(screen.getByLabelText("Type your full name to sign"), "Ada Lovelace");
    const pad = screen.getByRole("img", { name: "Draw your signature (optional)" });
    fireEvent.pointerDown(pad, { pointerId: 1, clientX: 10, clientY: 20 });
    fireEvent.pointerMove(pad, { pointerId: 1, clientX: 60, clientY: 40 });
    fireEvent.pointerUp(pad, { pointerId: 1, clientX: 60, clientY: 40 });
    await user.click(screen.getByRole("button", { name: "Sign and send the request" }));
    expect(await screen.findByText(/The clinic will review your request/)).toBeTruthy();
    expect(calls.find((call) => call.path.endsWith("/sign"))?.body).toEqual({
      typed_name: "Ada Lovelace",
      signature_png: PNG,
      agreed: true,
      form_version: "2026-01",
    });
  });

  it("says what happens next once sent, and withdraws", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/proxy-requests/q-1": { status: 200, body: request("q-1", { status: "submitted" }) },
      "POST /v1/proxy-requests/q-1/withdraw": {
        status: 200,
        body: request("q-1", { status: "withdrawn", decided_at: "2026-03-03T15:00:00Z" }),
      },
    });
    renderAt("/proxy-requests/q-1");
    const user = userEvent.setup();
    expect(await screen.findByText(/The clinic will review your request/)).toBeTruthy();
    expect(screen.queryByLabelText("Choose a file")).toBeNull();
    // it cannot be undone, so it asks first; Escape and "Keep the request" close the question unsent
    await user.click(screen.getByRole("button", { name: "Withdraw this request" }));
    expect(screen.getByText(/Withdraw this request\? This cannot be undone/)).toBeTruthy();
    await user.keyboard("{Escape}");
    expect(screen.queryByText(/This cannot be undone/)).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Withdraw this request" }));
    await user.click(screen.getByRole("button", { name: "Withdraw this request" }));
    await user.click(screen.getByRole("button", { name: "Keep the request" }));
    expect(calls.filter((call) => call.method === "POST")).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Withdraw this request" }));
    await user.click(screen.getByRole("button", { name: "Yes, withdraw it" }));
    expect((await screen.findByRole("status")).textContent).toBe("Your request was withdrawn.");
    expect(screen.getByText("You withdrew this request.")).toBeTruthy();
    // withdrawing was the requester's step: no "Decided" date
    expect(screen.getByText("Withdrawn on")).toBeTruthy();
    expect(screen.queryByText("Decided")).toBeNull();
    expect(calls.filter((call) => call.method === "POST")).toHaveLength(1);
  });
});
