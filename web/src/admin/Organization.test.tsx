import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { adminMe } from "./fixtures";

const albany = {
  organization_id: "albany-medical-center",
  name: "Albany Medical Center",
  time_zone: "America/New_York",
  support_email: "",
};

describe("organization settings", () => {
  it("shows the organization's time zone and what it changes", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/organization": { status: 200, body: albany },
    });
    renderAt("/admin/organization");

    const field = (await screen.findByLabelText("Time zone")) as HTMLInputElement;
    expect(field.value).toBe("America/New_York");
    expect(screen.getByRole("heading", { level: 1, name: "Organization settings" })).toBeTruthy();
    expect(document.title).toBe("Organization settings | Patient portal");
    expect(screen.getByText(/Albany Medical Center/)).toBeTruthy();
    expect(screen.getByText(/read as that time in this zone/)).toBeTruthy();
    expect(screen.getByText(/In this time zone it is now/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Organization" })).toBeTruthy();
    await expectAccessible();
  }, 20_000); // axe goes through every zone the field offers: room for a busy machine

  it("saves a new zone and says it applies from now on", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/organization": { status: 200, body: albany },
      "PUT /v1/admin/organization": (call) => ({ status: 200, body: { ...albany, ...(call.body as object) } }),
    });
    renderAt("/admin/organization");
    const field = await screen.findByLabelText("Time zone");
    const user = userEvent.setup();

    await user.clear(field);
    await user.type(field, "America/Los_Angeles");
    await user.click(screen.getByRole("button", { name: "Save the time zone" }));

    expect((await screen.findByRole("status")).textContent).toBe(
      "The time zone is now America/Los_Angeles. It applies to messages filed from now on.",
    );
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({ time_zone: "America/Los_Angeles" });
  });

  it("says next to the field when the API does not know the zone, and when it is empty", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/organization": { status: 200, body: albany },
      "PUT /v1/admin/organization": {
        status: 400,
        body: apiError(
          "validation_failed",
          'That is not a time zone name: use one of the IANA database, such as "America/New_York".',
          [{ field: "time_zone", issue: "not a time zone name" }],
        ),
      },
    });
    renderAt("/admin/organization");
    const field = await screen.findByLabelText("Time zone");
    const user = userEvent.setup();

    await user.clear(field);
    await user.click(screen.getByRole("button", { name: "Save the time zone" }));
    expect(screen.getByText("Fill in this field.")).toBeTruthy();
    expect(calls.some((call) => call.method === "PUT")).toBe(false);

    await user.type(field, "Mars/Olympus_Mons");
    expect(screen.getByText("This browser does not know that time zone name.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Save the time zone" }));

    expect(await screen.findByText("Not a time zone name.")).toBeTruthy();
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText(/use one of the IANA database/)).toBeTruthy();
  });

  it("tells a staff member the page is for admins, without asking the API", async () => {
    setToken("tok-1");
    const calls = fakeApi({ "GET /v1/me": { status: 200, body: adminMe("staff") } });
    renderAt("/admin/organization");
    expect(await screen.findByText(/admins/i)).toBeTruthy();
    expect(calls.some((call) => call.path === "/v1/admin/organization")).toBe(false);
  });

  it("saves the support email address with the time zone as it is", async () => {
    setToken("tok-1");
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/organization": { status: 200, body: albany },
      "PUT /v1/admin/organization": (call) => ({ status: 200, body: { ...albany, ...(call.body as object) } }),
    });
    renderAt("/admin/organization");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Support email address"), "help@amc.example");
    await user.click(screen.getByRole("button", { name: "Save the support address" }));
    expect((await screen.findByRole("status")).textContent).toBe("Support requests are now announced at help@amc.example.");
    expect(calls.find((call) => call.method === "PUT")?.body).toEqual({
      time_zone: "America/New_York",
      support_email: "help@amc.example",
    });
  });
});
