import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { adminMe } from "../admin/fixtures";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { parseAddresses } from "./AppForm";
import { registered } from "./fixtures";

const confidential = registered("conf-1", { name: "Clinic Bridge", kind: "confidential", redirect_uris: ["https://bridge.example/cb"] });

describe("admin: health apps", () => {
  it("accepts https return addresses, and plain http only to this computer", () => {
    expect(parseAddresses("https://a.example/cb\n\n http://localhost:8765/callback \nhttp://127.0.0.1/cb")).toEqual({
      addresses: ["https://a.example/cb", "http://localhost:8765/callback", "http://127.0.0.1/cb"],
      unreadable: "",
    });
    expect(parseAddresses("https://a.example/cb\nhttp://a.example/cb").unreadable).toBe("http://a.example/cb");
    expect(parseAddresses("https://a.example/cb#x").unreadable).toBe("https://a.example/cb#x");
  });

  it("lists the registered apps with their return addresses and status", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/apps": {
        status: 200,
        body: { apps: [registered("demo-health-tracker"), { ...confidential, status: "disabled" }] },
      },
    });
    renderAt("/admin/apps");
    const table = await screen.findByRole("table", { name: "Registered apps" });
    expect(document.title).toBe("Health apps | Patient portal");
    const tracker = within(table).getByRole("row", { name: /Health Tracker Demo/ });
    expect(tracker.textContent).toContain("demo-health-tracker");
    expect(tracker.textContent).toContain("http://localhost:8765/callback");
    expect(tracker.textContent).toContain("Public");
    expect(within(tracker).queryByRole("button", { name: /New secret/ })).toBeNull();
    const bridge = within(table).getByRole("row", { name: /Clinic Bridge/ });
    expect(bridge.textContent).toContain("Disabled");
    expect(within(bridge).queryByRole("button")).toBeNull();
    await expectAccessible();
  });

  it("registers a confidential app and shows its secret once", async () => {
    setToken("tok-1");
    let apps = [registered("demo-health-tracker")];
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/apps": () => ({ status: 200, body: { apps } }),
      "POST /v1/admin/apps": ({ body }) => {
        if ((body as { name: string }).name === "Taken") {
          return { status: 409, body: apiError("conflict", "An app of that name is registered.", [{ field: "name" }]) };
        }
        apps = [...apps, confidential];
        return { status: 201, body: { ...confidential, client_secret: "s3cret-once" } };
      },
    });
    renderAt("/admin/apps");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Name"), "Taken");
    await user.type(screen.getByLabelText("Return addresses"), "http://bridge.example/cb");
    await user.click(screen.getByRole("button", { name: "Register the app" }));
    expect(await screen.findByText("Not an address the portal accepts: http://bridge.example/cb")).toBeTruthy();
    expect(calls.some((c) => c.method === "POST")).toBe(false);

    await user.clear(screen.getByLabelText("Return addresses"));
    await user.type(screen.getByLabelText("Return addresses"), "https://bridge.example/cb");
    await user.click(screen.getByRole("button", { name: "Register the app" }));
    expect(await screen.findByText("An app of that name is registered.")).toBeTruthy();

    await user.clear(screen.getByLabelText("Name"));
    await user.type(screen.getByLabelText("Name"), "Clinic Bridge");
    await user.type(screen.getByLabelText("Description"), "Sends your records to the clinic's partner.");
    await user.click(screen.getByLabelText(/Confidential/));
    await user.click(screen.getByRole("button", { name: "Register the app" }));
    const secret = await screen.findByRole("region", { name: "The secret of Clinic Bridge" });
    expect(within(secret).getByText("s3cret-once")).toBeTruthy();
    expect(secret.textContent).toContain("shown only this once");
    expect(calls.filter((c) => c.method === "POST").at(-1)?.body).toEqual({
      name: "Clinic Bridge",
      description: "Sends your records to the clinic's partner.",
      redirect_uris: ["https://bridge.example/cb"],
      logo_url: null,
      privacy_policy_url: null,
      kind: "confidential",
    });
    expect(await screen.findByRole("row", { name: /Clinic Bridge/ })).toBeTruthy();
    // the form is empty again, for the next app
    expect((screen.getByLabelText("Name") as HTMLInputElement).value).toBe("");
  });

  it("changes an app (its kind stays), makes a new secret and disables one after asking", async () => {
    setToken("tok-1");
    let apps = [confidential];
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/apps": () => ({ status: 200, body: { apps } }),
      "PUT /v1/admin/apps/conf-1": ({ body }) => {
        apps = [{ ...confidential, ...(body as object) }];
        return { status: 200, body: apps[0] };
      },
      "POST /v1/admin/apps/conf-1/secret": { status: 200, body: { ...confidential, client_secret: "fresh-secret" } },
      "POST /v1/admin/apps/conf-1/disable": () => {
        apps = [{ ...confidential, status: "disabled" }];
        return { status: 200, body: apps[0] };
      },
    });
    renderAt("/admin/apps");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Change Clinic Bridge" }));
    expect(screen.getByRole("heading", { name: "Change Clinic Bridge" })).toBe(document.activeElement);
    expect(screen.queryByRole("group", { name: "Kind" })).toBeNull();
    const uris = screen.getByLabelText("Return addresses");
    await user.type(uris, "\nhttps://bridge.example/other");
    await user.click(screen.getByRole("button", { name: "Save the changes" }));
    expect((await screen.findByRole("status")).textContent).toBe("Clinic Bridge is saved.");
    expect(calls.find((c) => c.method === "PUT")?.body).toMatchObject({
      redirect_uris: ["https://bridge.example/cb", "https://bridge.example/other"],
      kind: "confidential",
    });

    await user.click(screen.getByRole("button", { name: "New secret for Clinic Bridge" }));
    await user.click(screen.getByRole("button", { name: "Yes, make a new secret" }));
    expect(within(await screen.findByRole("region", { name: "The secret of Clinic Bridge" })).getByText("fresh-secret")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Disable Clinic Bridge" }));
    expect(screen.getByText(/connection to the app ends at once/)).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Yes, disable Clinic Bridge" }));
    expect((await screen.findByRole("status")).textContent).toBe("Clinic Bridge is disabled.");
    // the secret shown before is gone once another action is taken
    expect(screen.queryByText("fresh-secret")).toBeNull();
    const row = await screen.findByRole("row", { name: /Clinic Bridge/ });
    expect(await within(row).findByText("Disabled")).toBeTruthy();
    expect(within(row).queryByRole("button")).toBeNull();
  });
});
