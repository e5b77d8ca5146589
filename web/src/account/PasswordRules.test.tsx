import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { terms } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { passwordRules } from "./passwordRules";
import { expectAccessible } from "../test/axe";

const met = (password: string, context = {}) =>
  Object.fromEntries(passwordRules(password, context).map((rule) => [rule.key.split(".").at(-1), rule.met]));

describe("the password rules (as the API enforces them)", () => {
  it("counts characters, not bytes, from 8 to 128", () => {
    expect(met("seven77")).toEqual({ ruleMin: false, ruleMax: true });
    expect(met("éèêëàâäö")).toEqual({ ruleMin: true, ruleMax: true });
    expect(met("x".repeat(129))).toEqual({ ruleMin: true, ruleMax: false });
  });

  it("refuses the user name inside, ignoring case, once the name has 3 characters", () => {
    expect(met("My-ADA-password", { username: "Ada" }).ruleNoUsername).toBe(false);
    expect(met("a long pass", { username: "al" }).ruleNoUsername).toBeUndefined();
  });

  it("refuses the email address or its local part, ignoring case and spaces around", () => {
    expect(met(" Ada.Lovelace ", { email: "ada.lovelace@example.org" }).ruleNoEmail).toBe(false);
    expect(met("ADA.LOVELACE@EXAMPLE.ORG", { email: "ada.lovelace@example.org" }).ruleNoEmail).toBe(false);
    expect(met("ada.lovelace 1843", { email: "ada.lovelace@example.org" }).ruleNoEmail).toBe(true);
  });
});

describe("the enrollment's password field", () => {
  it("shows the rules live, with the user name and email typed in the same form", async () => {
    fakeApi({ "GET /v1/terms": { status: 200, body: terms } });
    renderAt("/enroll?code=INV-1");
    await screen.findByText("Use the portal kindly.");
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Choose a user name"), "lovelace");
    await user.type(screen.getByLabelText("Email address"), "ada@example.org");
    const rule = (text: string) => screen.getByText(text).closest("li")?.dataset.met;
    await user.type(screen.getByLabelText("Choose a password"), "lovelace 1843");
    expect(rule("Not contain your user name")).toBe("false");
    expect(rule("Be at least 8 characters long")).toBe("true");
    await user.clear(screen.getByLabelText("Choose a password"));
    await user.type(screen.getByLabelText("Choose a password"), "ada");
    expect(rule("Not be your email address")).toBe("false"); // the address's local part
    await user.type(screen.getByLabelText("Choose a password"), "!");
    expect(rule("Not be your email address")).toBe("true");
    expect(rule("Be at least 8 characters long")).toBe("false");
    await user.clear(screen.getByLabelText("Choose a password"));
    await user.type(screen.getByLabelText("Choose a password"), "harbour lights");
    expect(rule("Not contain your user name")).toBe("true");
  });
});

describe("the terms page, for reading", () => {
  it("shows the current terms and when they were accepted, with nothing to accept", async () => {
    const { setToken } = await import("../session");
    const { me } = await import("../test/fixtures");
    setToken("tok-1");
    fakeApi({ "GET /v1/me": { status: 200, body: me() }, "GET /v1/terms": { status: 200, body: terms } });
    renderAt("/account/terms");
    expect(await screen.findByText("Use the portal kindly.")).toBeTruthy();
    expect(screen.getByText("You accepted version 2026-01 on Jan 1, 2026.")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Accept and continue" })).toBeNull();
    await expectAccessible();
  });
});
