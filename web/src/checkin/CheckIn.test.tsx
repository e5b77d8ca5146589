import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError, me } from "../test/fixtures";
import { type Call, fakeApi, renderAt } from "../test/render";
import { APPOINTMENT, checkIn, formToSign, signedForm } from "./fixtures";
import type { CheckIn } from "./types";

const PATH = `/v1/patients/p-1/appointments/${APPOINTMENT}/check-in`;
const PAGE = `/appointments/${APPOINTMENT}/check-in`;
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

afterEach(() => vi.restoreAllMocks());

/** jsdom draws nothing: a canvas context that notes the lines drawn, and a PNG for toDataURL. */
function fakeCanvas() {
  const lines: [number, number][] = [];
  const context = {
    fillRect: vi.fn(),
    beginPath: vi.fn(),
    moveTo: vi.fn(),
    lineTo: (x: number, y: number) => lines.push([x, y]),
    stroke: vi.fn(),
  };
  vi.spyOn(HTMLCanvasElement.prototype, "getContext").mockImplementation(() => context as never);
  vi.spyOn(HTMLCanvasElement.prototype, "toDataURL").mockImplementation(() => `data:image/png;base64,${PNG}`);
  return lines;
}

function start(current: CheckIn, extra: Record<string, (call: Call) => { status: number; body?: unknown }> = {}) {
  setToken("tok-1");
  return fakeApi({
    "GET /v1/me": { status: 200, body: me() },
    [`GET ${PATH}`]: { status: 200, body: current },
    ...extra,
  });
}

describe("the check-in wizard", () => {
  it("says when check-in opens, on the clinic's clock, and offers nothing to change", async () => {
    start(checkIn({ state: "not_open" }));
    renderAt(PAGE);
    expect(await screen.findByRole("heading", { level: 1, name: "Check in for your visit" })).toBeTruthy();
    expect(document.title).toBe("Check in for your visit | Patient portal");
    expect(await screen.findByText("Check-in opens on Tuesday, January 12, 2027 at 9:30 AM (the clinic's time). Come back then.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "These details are right" })).toBeNull();
    await expectAccessible();
  });

  it("says when it has closed", async () => {
    start(checkIn({ state: "closed" }));
    renderAt(PAGE);
    expect(await screen.findByText(/Check-in for this visit closed on Friday, January 15, 2027 at 9:30 AM/)).toBeTruthy();
    expect(screen.getByText("No forms signed.")).toBeTruthy();
  });

  it("says so in words while it loads, and the API's refusal of another patient's visit", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: me() },
      [`GET ${PATH}`]: { status: 404, body: apiError("not_found", "No such appointment.") },
    });
    renderAt(PAGE);
    expect(await screen.findByText("Loading your check-in…")).toBeTruthy();
    expect(await screen.findByText("No such appointment.")).toBeTruthy();
  });

  it("shows the details and sends changes to staff, with a refusal next to the field it names", async () => {
    let tries = 0;
    const calls = start(checkIn(), {
      [`POST ${PATH}/details`]: () =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "The details are not valid.", [
                { field: "changes.insurance.member_id", issue: "must not be empty" },
              ]),
            }
          : {
              status: 200,
              body: checkIn({
                details: { ...checkIn().details, change_requested: true, confirmed_at: "2027-01-13T08:00:00-05:00" },
                steps: { details: true, questionnaire: false, forms: false },
              }),
            },
    });
    renderAt(PAGE);
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 2, name: "Step 1 of 3: Your details" })).toBeTruthy();
    for (const shown of ["Ada Lovelace", "Apr 1, 1990", "12 Elm St, Albany NY 12207", "518-555-0100", "Empire Health", "Member ID: EH123456"]) {
      expect(screen.getByText(shown)).toBeTruthy();
    }
    await user.click(screen.getByRole("button", { name: "Something changed" }));
    expect(screen.getByText(/Your changes go to the clinic's staff/)).toBeTruthy();
    await user.type(screen.getByLabelText("New phone number (optional)"), "518-555-0199");
    await user.type(screen.getByLabelText("Insurance company (optional)"), "Blue Plan");
    await user.click(screen.getByRole("button", { name: "Send the changes to the clinic" }));
    const memberId = screen.getByLabelText("Insurance member ID (optional)");
    expect(await screen.findByText("Must not be empty.")).toBeTruthy();
    expect(memberId.getAttribute("aria-invalid")).toBe("true");

    await user.type(memberId, "BP-1");
    await user.click(screen.getByRole("button", { name: "Send the changes to the clinic" }));
    expect(await screen.findByRole("heading", { level: 2, name: "Step 2 of 3: Questions" })).toBeTruthy();
    const sent = calls.filter((c) => c.method === "POST").at(-1)!;
    expect(sent.body).toEqual({
      confirmed: true,
      changes: {
        address: null,
        phone: "518-555-0199",
        email: null,
        insurance: { payer: "Blue Plan", member_id: "BP-1", group_number: "" },
        note: "",
      },
    });
    expect(sent.headers.get("Idempotency-Key")).toBeTruthy();
    expect(window.location.pathname + window.location.search).toBe(PAGE); // the step is not in the address
  });

  it("answers each kind of question, with the API's refusal next to the question it names", async () => {
    let tries = 0;
    const answered = checkIn({ steps: { details: true, questionnaire: true, forms: false } });
    const calls = start(checkIn({ steps: { details: true, questionnaire: false, forms: false } }), {
      [`POST ${PATH}/answers`]: () =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "Some answers are not valid.", [
                { field: "answers.1.pain", issue: "must be a whole number from 0 to 10" },
              ]),
            }
          : { status: 200, body: answered },
    });
    renderAt(PAGE);
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 2, name: "Step 2 of 3: Questions" })).toBeTruthy();
    await user.type(screen.getByLabelText("What is the reason for your visit? (required)"), "Knee pain");
    const allergies = screen.getByRole("group", { name: "Have your allergies changed? (required)" });
    await user.click(within(allergies).getByLabelText("No"));
    await user.type(screen.getByLabelText("Pain today, from 0 to 10"), "a lot");
    fireEvent.change(screen.getByLabelText("Since when?"), { target: { value: "2027-01-02" } });
    await user.click(screen.getByLabelText("By bus"));
    await user.type(screen.getByLabelText("Anything else?"), "Stairs hurt");
    await expectAccessible();
    await user.click(screen.getByRole("button", { name: "Save the answers" }));

    const pain = screen.getByLabelText("Pain today, from 0 to 10");
    expect(await screen.findByText("Must be a whole number from 0 to 10.")).toBeTruthy();
    expect(pain.getAttribute("aria-invalid")).toBe("true");
    expect(calls.at(-1)!.body).toEqual({
      answers: [
        { link_id: "reason", value: "Knee pain" },
        { link_id: "allergies", value: false },
        { link_id: "1.pain", value: "a lot" },
        { link_id: "since", value: "2027-01-02" },
        { link_id: "arrive", value: "bus" },
        { link_id: "more", value: "Stairs hurt" },
      ],
    });

    await user.clear(pain);
    await user.type(pain, "4");
    await user.click(screen.getByRole("button", { name: "Save the answers" }));
    expect(await screen.findByRole("heading", { level: 2, name: "Step 3 of 3: Forms" })).toBeTruthy();
    expect((calls.at(-1)!.body as { answers: { link_id: string; value: unknown }[] }).answers[2]).toEqual({ link_id: "1.pain", value: 4 });
  });

  it("signs a form with a signature drawn by pointer events, exported as PNG", async () => {
    const lines = fakeCanvas();
    const consent = formToSign("f-consent", "Consent to treat");
    const privacy = formToSign("f-privacy", "Notice of privacy practices", { kind: "privacy_notice", version: 3, sha256: "9".repeat(64) });
    let current = checkIn({ forms: [consent, privacy], steps: { details: true, questionnaire: true, forms: false } });
    const calls = start(current, {
      [`GET ${PATH}`]: () => ({ status: 200, body: current }),
      [`POST ${PATH}/forms/f-consent/sign`]: () => {
        current = { ...current, forms: [{ ...consent, signed: signedForm("f-consent", "Consent to treat") }, privacy] };
        return { status: 201, body: signedForm("f-consent", "Consent to treat") };
      },
    });
    renderAt(PAGE);
    const user = userEvent.setup();
    expect(await screen.findByRole("heading", { level: 3, name: "Consent to treat" })).toBeTruthy();
    const text = screen.getByRole("region", { name: "Text of Consent to treat" });
    expect(text.textContent).toContain("Consent to treat second paragraph.");
    expect(text.getAttribute("tabindex")).toBe("0"); // scrolled by the keyboard too

    // Without the box ticked and a name, the form says what is missing next to each field.
    await user.click(screen.getByRole("button", { name: "Sign Consent to treat" }));
    expect(await screen.findByText("Tick the box to say you have read the form.")).toBeTruthy();
    expect(screen.getByText("Type your full name to sign.")).toBeTruthy();
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    const pad = screen.getByRole("img", { name: "Draw your signature (optional)" });
    fireEvent.pointerDown(pad, { pointerId: 1, clientX: 10, clientY: 20 });
    fireEvent.pointerMove(pad, { pointerId: 1, clientX: 60, clientY: 40 });
    fireEvent.pointerMove(pad, { pointerId: 1, clientX: 120, clientY: 30 });
    fireEvent.pointerUp(pad, { pointerId: 1, clientX: 120, clientY: 30 });
    expect(lines).toEqual([
      [60, 40],
      [120, 30],
    ]);
    expect(await screen.findByText("A drawn signature will be added.")).toBeTruthy();

    await user.click(screen.getByLabelText("I have read Consent to treat"));
    await user.type(screen.getByLabelText("Your full name"), "Ada Lovelace");
    await user.click(screen.getByRole("button", { name: "Sign Consent to treat" }));

    // The next form comes up; the first is listed as signed.
    expect(await screen.findByRole("heading", { level: 3, name: "Notice of privacy practices" })).toBeTruthy();
    expect(screen.getByText(/Consent to treat: signed on Wednesday, January 13, 2027 at 8:05 AM/)).toBeTruthy();
    const sign = calls.find((c) => c.method === "POST")!;
    expect(sign.body).toEqual({
      version: 1,
      sha256: "1".repeat(64),
      typed_name: "Ada Lovelace",
      signature_png: PNG,
      agree: true,
    });
    expect(sign.headers.get("Idempotency-Key")).toBeTruthy();
  });

  it("signs with the typed name alone (no drawing), and clearing a drawing sends none", async () => {
    fakeCanvas();
    const privacy = formToSign("f-privacy", "Notice of privacy practices", { version: 3, sha256: "9".repeat(64) });
    const calls = start(checkIn({ forms: [privacy], steps: { details: true, questionnaire: true, forms: false } }), {
      [`POST ${PATH}/forms/f-privacy/sign`]: () => ({ status: 409, body: apiError("conflict", "This form changed; read it again.") }),
    });
    renderAt(PAGE);
    const user = userEvent.setup();
    const pad = await screen.findByRole("img", { name: "Draw your signature (optional)" });
    fireEvent.pointerDown(pad, { pointerId: 1, clientX: 10, clientY: 20 });
    fireEvent.pointerMove(pad, { pointerId: 1, clientX: 60, clientY: 40 });
    fireEvent.pointerUp(pad, { pointerId: 1 });
    await user.click(screen.getByRole("button", { name: "Clear the drawing" }));
    expect(screen.getByText("Nothing drawn.")).toBeTruthy();

    await user.click(screen.getByLabelText("I have read Notice of privacy practices"));
    await user.type(screen.getByLabelText("Your full name"), "Ada Lovelace");
    await user.keyboard("{Enter}"); // the keyboard alone signs
    expect(await screen.findByText("This form changed; read it again.")).toBeTruthy();
    const sign = calls.find((c) => c.method === "POST")!;
    expect(sign.body).toMatchObject({ version: 3, sha256: "9".repeat(64), signature_png: null });
    // the changed form is asked for again
    await waitFor(() => expect(calls.filter((c) => c.method === "GET" && c.path === PATH).length).toBe(2));
  });

  it("finishes the check-in once every step is done, and the API's missing steps are said", async () => {
    const consent = formToSign("f-consent", "Consent to treat", { signed: signedForm("f-consent", "Consent to treat") });
    let tries = 0;
    start(checkIn({ forms: [consent], steps: { details: true, questionnaire: true, forms: true } }), {
      [`POST ${PATH}/complete`]: () =>
        tries++ === 0
          ? { status: 409, body: apiError("conflict", "Check-in is not finished: your details.") }
          : {
              status: 200,
              body: checkIn({
                state: "completed",
                completed_at: "2027-01-14T20:00:00-05:00",
                forms: [consent],
                steps: { details: true, questionnaire: true, forms: true },
              }),
            },
    });
    renderAt(PAGE);
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Finish check-in" }));
    expect(await screen.findByText("Check-in is not finished: your details.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Finish check-in" }));
    expect(await screen.findByRole("heading", { name: "You are checked in" })).toBeTruthy();
    expect(screen.getByText("You checked in on Thursday, January 14, 2027 at 8:00 PM (the clinic's time). Thank you.")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Open the signed Consent to treat (PDF)" })).toBeTruthy();
    await expectAccessible();
  });

  it("opens a signed PDF through its five-minute link", async () => {
    const consent = formToSign("f-consent", "Consent to treat", { signed: signedForm("f-consent", "Consent to treat") });
    const opened = { location: { href: "" }, opener: {}, close: vi.fn() };
    vi.spyOn(window, "open").mockImplementation(() => opened as never);
    start(checkIn({ state: "completed", completed_at: "2027-01-14T20:00:00-05:00", forms: [consent] }), {
      "GET /v1/patients/p-1/signed-forms/doc-f-consent": () => ({
        status: 200,
        body: { ...signedForm("f-consent", "Consent to treat"), download_url: "https://files.example/doc.pdf?X-Amz-Expires=300" },
      }),
    });
    renderAt(PAGE);
    expect(await screen.findByText(/Signed by Ada Lovelace on Wednesday, January 13, 2027 at 8:05 AM/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Open the signed Consent to treat (PDF)" }));
    await waitFor(() => expect(opened.location.href).toBe("https://files.example/doc.pdf?X-Amz-Expires=300"));
  });
});
