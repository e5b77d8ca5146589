import { describe, expect, it } from "vitest";
import { formErrors } from "../api/errors";
import { apiError } from "./fixtures";

const FIELDS = ["username", "password", "date_of_birth"];

describe("formErrors", () => {
  it("puts each issue next to the field it names, and the message above", () => {
    const body = apiError("validation_failed", "The request is not valid.", [
      { field: "password", issue: "Too short." },
      { field: "date_of_birth", issue: "Not a date." },
    ]);
    expect(formErrors(body, FIELDS, "fallback")).toEqual({
      fields: { password: "Too short.", date_of_birth: "Not a date." },
      general: ["The request is not valid."],
    });
  });

  it("uses the message for a field named without an issue, and says it once", () => {
    const body = apiError("conflict", "That user name is taken.", [{ field: "username" }]);
    expect(formErrors(body, FIELDS, "fallback")).toEqual({
      fields: { username: "That user name is taken." },
      general: [],
    });
  });

  it("keeps above the form what names no field the form shows", () => {
    const body = apiError("validation_failed", "The request is not valid.", [
      { field: "accepted_terms_version", issue: "Not the current version." },
      { retry_after_seconds: 30 },
    ]);
    expect(formErrors(body, FIELDS, "fallback")).toEqual({
      fields: {},
      general: ["The request is not valid.", "Not the current version."],
    });
  });

  it("says a message once when a detail carries it as its words", () => {
    const message = "This link has been used already.";
    const shown = apiError("validation_failed", message, [{ field: "password", issue: message }]);
    expect(formErrors(shown, FIELDS, "fallback")).toEqual({ fields: { password: message }, general: [] });
    const hidden = apiError("validation_failed", message, [{ field: "token", issue: message }]);
    expect(formErrors(hidden, FIELDS, "fallback")).toEqual({ fields: {}, general: [message] });
  });

    it("says the fallback for an answer that is not the API's error", () => {
    expect(formErrors("<html>", FIELDS, "Try again.")).toEqual({ fields: {}, general: ["Try again."] });
  });
});
