import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { terms } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";

describe("enrolling with a patient's invitation of someone they trust", () => {
  it("takes the code from the fragment and asks the invitee about themselves, saying whose answers they are", async () => {
    fakeApi({ "GET /v1/terms": { status: 200, body: terms } });
    renderAt("/enroll#code=ONE-TIME-CODE&from=patient");
    await waitFor(() => expect(window.location.hash).toBe(""));
    expect((screen.getByLabelText("Invitation code") as HTMLInputElement).value).toBe("ONE-TIME-CODE");
    expect(screen.getByText(/A patient invited you to see their record\./)).toBeTruthy();
    const birth = screen.getByLabelText("Your date of birth");
    expect(screen.getByLabelText("Your family name (last name)")).toBeTruthy();
    expect(screen.queryByLabelText("Date of birth")).toBeNull();
    const hint = document.getElementById(birth.getAttribute("aria-describedby")!.split(" ")[0]!)!;
    expect(hint.textContent).toContain("not checked against their record");
  });
});
