import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { apiError, me } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { expectAccessible } from "../test/axe";

const setup: Schemas["TotpSetup"] = {
  secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
  provisioning_uri: "otpauth://totp/Patient%20portal:ada?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Patient%20portal",
  digits: 6,
  period: 30,
};
const codes = ["aaaa-bbbb-cccc-dddd", "eeee-ffff-gggg-hhhh"];

function withFactors(...factors: Schemas["AccountView"]["second_factors"]): Schemas["Me"] {
  const body = me();
  body.account.second_factors = factors;
  return body;
}

async function region(name: string) {
  return within(await screen.findByRole("region", { name }));
}

describe("setting up an authenticator app", () => {
  it("shows a QR code and the key, confirms with a code and the password, and shows the recovery codes once", async () => {
    setToken("tok-1");
    let factors: Schemas["AccountView"]["second_factors"] = [];
    const calls = fakeApi({
      "GET /v1/me": () => ({ status: 200, body: withFactors(...factors) }),
      "POST /v1/me/second-factors/totp": { status: 201, body: setup },
      "POST /v1/me/second-factors/totp/confirm": ({ body }) => {
        if ((body as { code: string }).code !== "123456") {
          return { status: 400, body: apiError("validation_failed", "That code is not correct.", [{ field: "code" }]) };
        }
        factors = ["totp"];
        return { status: 200, body: { enabled: true, recovery_codes: codes } };
      },
    });
    renderAt("/account/authenticator");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Start setting up" }));
    expect(await screen.findByRole("img", { name: /QR code that adds your portal account/ })).toBeTruthy();
    expect(screen.getByText("JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP")).toBeTruthy();

    await user.type(screen.getByLabelText("Code the app shows now"), "000000");
    await user.type(screen.getByLabelText("Your current password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Turn on the authenticator app" }));
    await waitFor(() => expect(document.getElementById("field-code-error")?.textContent).toBe("That code is not correct."));

    await user.clear(screen.getByLabelText("Code the app shows now"));
    await user.type(screen.getByLabelText("Code the app shows now"), "123456");
    await user.click(screen.getByRole("button", { name: "Turn on the authenticator app" }));
    expect(await screen.findByText("aaaa-bbbb-cccc-dddd")).toBeTruthy();
    expect(calls.filter((call) => call.path.endsWith("/confirm")).at(-1)?.body).toEqual({
      code: "123456",
      password: "correct horse",
    });
    const done = screen.getByRole("button", { name: "Continue" });
    expect((done as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByLabelText("I have saved these codes somewhere safe"));
    await user.click(done);
    await waitFor(() => expect(window.location.pathname).toBe("/account/security"));
    expect(await screen.findByText(/On: signing in asks for a code from your authenticator app/)).toBeTruthy();
  }, 20_000); // a long journey of typing: room for a busy machine
});

describe("the sign-in security page", () => {
  it("turns the authenticator app off with the password", async () => {
    setToken("tok-1");
    let factors: Schemas["AccountView"]["second_factors"] = ["totp"];
    const calls = fakeApi({
      "GET /v1/me": () => ({ status: 200, body: withFactors(...factors) }),
      "DELETE /v1/me/second-factors/totp": () => {
        factors = [];
        return { status: 204 };
      },
    });
    renderAt("/account/security");
    const app = await region("Authenticator app");
    const user = userEvent.setup();
    await user.type(app.getByLabelText("Your current password"), "correct horse");
    await user.click(app.getByRole("button", { name: "Turn off the authenticator app" }));
    expect(await screen.findByText("The authenticator app is turned off.")).toBeTruthy();
    expect(await screen.findByRole("link", { name: "Set up an authenticator app" })).toBeTruthy();
    expect(calls.find((call) => call.method === "DELETE")?.body).toEqual({ password: "correct horse" });
    await expectAccessible();
    await expectAccessible();
  });

  it("turns codes by email on, showing the first recovery codes once", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: withFactors() },
      "PUT /v1/me/second-factors/email": { status: 200, body: { enabled: true, recovery_codes: codes } },
    });
    renderAt("/account/security");
    const email = await region("Codes by email");
    const user = userEvent.setup();
    await user.type(email.getByLabelText("Your current password"), "correct horse");
    await user.click(email.getByRole("button", { name: "Turn on codes by email" }));
    expect(await screen.findByText("eeee-ffff-gggg-hhhh")).toBeTruthy();
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({ enabled: true, password: "correct horse" });
  });

  it("makes new recovery codes, shown once, and a wrong password is said next to its field", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: withFactors("totp") },
      "POST /v1/me/second-factors/recovery-codes": ({ body }) =>
        (body as { password: string }).password === "correct horse"
          ? { status: 201, body: { recovery_codes: codes } }
          : { status: 400, body: apiError("validation_failed", "Your password is not correct.", [{ field: "password" }]) },
    });
    renderAt("/account/security");
    const recovery = await region("Recovery codes");
    const user = userEvent.setup();
    const password = recovery.getByLabelText("Your current password");
    await user.type(password, "wrong");
    await user.click(recovery.getByRole("button", { name: "Make new recovery codes" }));
    await waitFor(() => expect(password.getAttribute("aria-invalid")).toBe("true"));
    expect(recovery.getByText("Your password is not correct.")).toBeTruthy();

    await user.clear(password);
    await user.type(password, "correct horse");
    await user.click(recovery.getByRole("button", { name: "Make new recovery codes" }));
    expect(await screen.findByText("aaaa-bbbb-cccc-dddd")).toBeTruthy();
    await user.click(screen.getByLabelText("I have saved these codes somewhere safe"));
    await user.click(screen.getByRole("button", { name: "Continue" }));
    expect(await screen.findByText(/The old ones no longer work/)).toBeTruthy();
    expect(screen.queryByText("aaaa-bbbb-cccc-dddd")).toBeNull();
  });
});
