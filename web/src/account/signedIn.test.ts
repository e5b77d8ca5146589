import { describe, expect, it } from "vitest";
import { mustPath } from "./signedIn";

describe("where a session that owes something goes first", () => {
  it("carries the page to come back to, so the app's request is not lost", () => {
    expect(mustPath("terms", "/apps/authorize?request=r-1")).toBe("/account/terms?next=%2Fapps%2Fauthorize%3Frequest%3Dr-1");
    expect(mustPath("second_factor_setup", "/apps/authorize?request=r-1")).toBe(
      "/account/authenticator?next=%2Fapps%2Fauthorize%3Frequest%3Dr-1",
    );
    expect(mustPath("terms")).toBe("/account/terms");
    expect(mustPath(null, "/apps/authorize?request=r-1")).toBeNull();
  });
});
