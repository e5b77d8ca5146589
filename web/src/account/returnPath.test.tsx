import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { emptyInbox, me, openedSession } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { safeReturnPath, signInThenBack } from "./returnPath";

describe("coming back after signing in", () => {
  it("follows only a path of this portal", () => {
    expect(safeReturnPath("/apps/authorize?request=r-1")).toBe("/apps/authorize?request=r-1");
    for (const elsewhere of ["//evil.example/x", "/\\evil.example", "https://evil.example", "evil", "", null, "/a\nb"]) {
      expect(safeReturnPath(elsewhere)).toBeNull();
    }
    expect(signInThenBack("/apps/authorize?request=r-1")).toBe("/sign-in?next=%2Fapps%2Fauthorize%3Frequest%3Dr-1");
  });

  it("goes home instead of to another site a link named", async () => {
    fakeApi({
      "POST /v1/sessions": { status: 201, body: openedSession },
      "GET /v1/me": { status: 200, body: me() },
      "GET /v1/me/notifications": { status: 200, body: emptyInbox },
      "GET /v1/patients/p-1/upcoming-releases": { status: 200, body: { upcoming: [] } },
    });
    renderAt(`/sign-in?next=${encodeURIComponent("//evil.example/sign-in")}`);
    const user = userEvent.setup();
    await user.type(screen.getByLabelText("User name"), "ada");
    await user.type(screen.getByLabelText("Password"), "correct horse");
    await user.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText("Signed in as ada")).toBeTruthy();
    expect(window.location.pathname).toBe("/");
  });
});
