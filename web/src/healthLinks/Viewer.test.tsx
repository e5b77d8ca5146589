import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { expectAccessible } from "../test/axe";
import { fakeApi, renderAt } from "../test/render";
import { sampleJwe, sampleKey } from "./fixtures";

function viewerAddress(payload: object): string {
  const json = new TextEncoder().encode(JSON.stringify(payload));
  const text = btoa(String.fromCharCode(...json)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return `/shl#shlink:/${text}`;
}

const FUTURE = Math.floor(Date.now() / 1000) + 86400;
const payload = { url: `${window.location.origin}/shl/m-1`, key: sampleKey, exp: FUTURE, label: "For Dr Rivera" };

describe("the SMART Health Link viewer", () => {
  it("opens a link without signing in, decrypts the summary in the browser and shows it", async () => {
    const calls = fakeApi({
      "POST /shl/m-1": { status: 200, body: { status: "finalized", files: [{ contentType: "application/fhir+json", embedded: sampleJwe }] } },
    });
    renderAt(viewerAddress(payload));
    expect(await screen.findByText("Shared as: For Dr Rivera")).toBeTruthy();
    const user = userEvent.setup();
    await user.type(screen.getByLabelText(/Your name or organization/), "Dr. Rivera");
    await user.click(screen.getByRole("button", { name: "Open the summary" }));
    expect(await screen.findByRole("heading", { name: "Health summary of Emma Stone", level: 1 })).toBeTruthy();
    expect(screen.getByRole("region", { name: "Allergies" }).textContent).toContain("Peanut: Hives");
    expect(screen.getByRole("region", { name: "Conditions" }).textContent).toContain("Asthma");
    expect(screen.getByRole("region", { name: "Medications" }).textContent).toContain("Albuterol inhaler");
    expect(screen.getByRole("region", { name: "Immunizations" }).textContent).toContain("Influenza vaccine");
    expect(screen.getByRole("region", { name: "Test results" }).textContent).toContain("Glucose: 85 mg/dL");
    // the key never left the page: the manifest request carries who asked, nothing else
    expect(calls[0]?.body).toEqual({ recipient: "Dr. Rivera", embeddedLengthMax: 5_000_000 });
    expect(calls[0]?.headers.get("Authorization")).toBeNull();
    await expectAccessible();
  });

  it("asks the passcode, says the tries left, and says when the link no longer works", async () => {
    let tries = 0;
    const calls = fakeApi({
      "POST /shl/m-1": () => {
        tries += 1;
        return tries === 1
          ? { status: 401, body: { error: { code: "passcode_refused", message: "x", details: [] }, remainingAttempts: 9 } }
          : { status: 404, body: { error: { code: "not_found", message: "x", details: [] } } };
      },
    });
    renderAt(viewerAddress({ ...payload, flag: "P" }));
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText(/Your name or organization/), "Dr. Rivera");
    await user.type(screen.getByLabelText("Passcode"), "wrong-one");
    await user.click(screen.getByRole("button", { name: "Open the summary" }));
    expect(await screen.findByText("The passcode is not right. 9 tries left.")).toBeTruthy();
    expect(calls[0]?.body).toEqual({ recipient: "Dr. Rivera", passcode: "wrong-one", embeddedLengthMax: 5_000_000 });
    await user.type(screen.getByLabelText("Passcode"), "another");
    await user.click(screen.getByRole("button", { name: "Open the summary" }));
    expect(await screen.findByText(/This link no longer works/)).toBeTruthy();
  });

  it("says so when the address holds no link", async () => {
    fakeApi({});
    renderAt("/shl");
    expect(await screen.findByText(/the address holds none/)).toBeTruthy();
  });

  it("says so when the link has expired, without asking the server", async () => {
    const calls = fakeApi({});
    renderAt(viewerAddress({ ...payload, exp: 1000 }));
    expect(await screen.findByText("This link has expired. Ask the person who shared it for a new one.")).toBeTruthy();
    expect(calls).toEqual([]);
  });
});
