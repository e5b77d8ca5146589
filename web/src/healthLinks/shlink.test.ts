import { describe, expect, it } from "vitest";
import { readSummary } from "./ips";
import { sampleBundle, sampleJwe, sampleKey } from "./fixtures";
import { decryptJwe, expired, needsPasscode, readShlink } from "./shlink";

function shlinkOf(payload: object): string {
  const json = new TextEncoder().encode(JSON.stringify(payload));
  const base64 = btoa(String.fromCharCode(...json));
  return "shlink:/" + base64.replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

describe("reading a SMART Health Link", () => {
  it("opens the JWE joserfc made with the link's key, to the summary it holds", async () => {
    const plain = await decryptJwe(sampleJwe, sampleKey);
    expect(JSON.parse(plain)).toEqual(sampleBundle);
  });

  it("refuses another key", async () => {
    const other = sampleKey.slice(0, 42) + (sampleKey.endsWith("A") ? "B" : "A");
    await expect(decryptJwe(sampleJwe, other)).rejects.toBeTruthy();
  });

  it("reads the payload from a viewer's fragment, with its passcode flag and expiry", () => {
    const payload = { url: "https://portal.example/shl/abc", key: sampleKey, exp: 1_000, flag: "P", label: "For Dr Rivera" };
    const read = readShlink("#" + shlinkOf(payload));
    expect(read).toEqual(payload);
    expect(needsPasscode(read!)).toBe(true);
    expect(expired(read!, 999_000)).toBe(false);
    expect(expired(read!, 1_000_000)).toBe(true);
    expect(readShlink("#nothing-here")).toBeNull();
    expect(readShlink(shlinkOf({ url: "x", key: "short" }))).toBeNull();
  });

  it("says the summary in plain words", () => {
    const summary = readSummary(sampleBundle)!;
    expect(summary.patientName).toBe("Emma Stone");
    expect(summary.allergies).toEqual([{ what: "Peanut", detail: "Hives", when: "" }]);
    expect(summary.problems[0]?.what).toBe("Asthma");
    expect(summary.medications[0]).toEqual({ what: "Albuterol inhaler", detail: "2 puffs as needed", when: "" });
    expect(summary.immunizations[0]?.what).toBe("Influenza vaccine");
    expect(summary.results.map((r) => `${r.what} ${r.detail}`)).toEqual(["Glucose 85 mg/dL"]);
    expect(summary.vitalSigns.map((r) => `${r.what} ${r.detail}`)).toEqual(["Heart rate 88 /min"]);
  });
});
