import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { setToken } from "../session";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { sourceId } from "./FeedSources";
import { adminMe } from "./fixtures";
import { expectAccessible } from "../test/axe";

const lab = {
  source_id: "TEFCfEFNQw",
  sender: "LAB|AMC",
  default_authority: "AMC-MRN",
  authorities: [],
  category_codes: [],
  files_test_messages: false,
};

describe("feed sources", () => {
  it("names a sender in a path as the API documents it", () => {
    expect(sourceId("LAB|AMC")).toBe("TEFCfEFNQw");
    expect(sourceId("https://fhir.example/r4?x=ü")).not.toMatch(/[+/=]/);
  });

  it("lists the registered senders with their default authority", async () => {
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/feed-sources": {
        status: 200,
        body: {
          feed_sources: [
            lab,
            {
              source_id: "QURUfEFNQw",
              sender: "ADT|AMC",
              default_authority: null,
              authorities: [{ sent_as: "MRN", authority: "AMC-MRN" }],
              category_codes: [{ code: "99LAB|SURGPATH", category: "pathology" }],
              files_test_messages: true,
            },
          ],
        },
      },
    });
    renderAt("/admin/feed-sources");
    const table = await screen.findByRole("table", { name: "Registered senders" });
    expect(document.title).toBe("Feed sources | Patient portal");
    expect(within(table).getByRole("row", { name: /LAB\|AMC/ }).textContent).toContain("AMC-MRN");
    expect(within(table).getByRole("row", { name: /LAB\|AMC/ }).textContent).toContain("Quarantined");
    expect(within(table).getByRole("row", { name: /ADT\|AMC/ }).textContent).toContain("None");
    expect(within(table).getByRole("row", { name: /ADT\|AMC/ }).textContent).toContain("Filed");
    expect(within(table).getByRole("row", { name: /ADT\|AMC/ }).textContent).toContain("MRN means AMC-MRN");
    expect(within(table).getByRole("row", { name: /LAB\|AMC/ }).textContent).toContain("None declared");
    expect(within(table).getByRole("row", { name: /ADT\|AMC/ }).textContent).toContain("99LAB|SURGPATH is pathology");
    await expectAccessible();
  });

  it("stops a sender only once the admin confirms, in plain words", async () => {
    setToken("tok-1");
    let stopped = false;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/feed-sources": () => ({ status: 200, body: { feed_sources: stopped ? [] : [lab] } }),
      "DELETE /v1/admin/feed-sources/TEFCfEFNQw": () => {
        stopped = true;
        return { status: 204 };
      },
    });
    renderAt("/admin/feed-sources");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Stop LAB|AMC" }));
    expect(screen.getByRole("group", { name: "Stop filing messages from LAB|AMC?" })).toBe(document.activeElement);
    expect(screen.getByText("Its next messages will not be filed: they wait in the quarantine.")).toBeTruthy();
    expect(calls.some((c) => c.method === "DELETE")).toBe(false);
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(document.activeElement).toBe(screen.getByRole("button", { name: "Stop LAB|AMC" }));

    await user.click(screen.getByRole("button", { name: "Stop LAB|AMC" }));
    await user.click(screen.getByRole("button", { name: "Yes, stop LAB|AMC" }));
    expect((await screen.findByRole("status")).textContent).toBe("Messages from LAB|AMC are no longer filed.");
    expect(await screen.findByText("No sender is registered to your organization yet.")).toBeTruthy();
  });

  it("registers a sender, and says why when the API refuses it", async () => {
    setToken("tok-1");
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/feed-sources": { status: 200, body: { feed_sources: [] } },
      "PUT /v1/admin/feed-sources/UkFEfFNI": () =>
        tries++ === 0
          ? { status: 409, body: apiError("conflict", "This sender files for another organization.") }
          : {
              status: 200,
              body: {
                source_id: "UkFEfFNI",
                sender: "RAD|SH",
                default_authority: null,
                authorities: [],
                category_codes: [],
                files_test_messages: false,
              },
            },
    });
    renderAt("/admin/feed-sources");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("Sender"), "RAD|SH");
    await user.click(screen.getByRole("button", { name: "Register the sender" }));
    expect(await screen.findByText("This sender files for another organization.")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Register the sender" }));
    expect((await screen.findByRole("status")).textContent).toMatch(/RAD\|SH is registered/);
    expect(calls.filter((c) => c.method === "PUT").at(-1)?.body).toEqual({
      default_authority: null,
      authorities: [],
      category_codes: [],
      files_test_messages: false,
    });
  });

  it("changes a sender's default authority, with the refusal next to the field", async () => {
    setToken("tok-1");
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/feed-sources": { status: 200, body: { feed_sources: [lab] } },
      "PUT /v1/admin/feed-sources/TEFCfEFNQw": () =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "Some answers need another look.", [
                { field: "default_authority", issue: "at most 64 characters" },
              ]),
            }
          : { status: 200, body: { ...lab, default_authority: "AMC-MRN2" } },
    });
    renderAt("/admin/feed-sources");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Change LAB|AMC" }));
    expect(screen.getByRole("heading", { name: "Change LAB|AMC" })).toBe(document.activeElement);
    const authority = screen.getByLabelText("Default assigning authority");
    expect((authority as HTMLInputElement).value).toBe("AMC-MRN");
    await user.click(screen.getByRole("button", { name: "Save the change" }));
    expect(await screen.findByText("At most 64 characters.")).toBeTruthy();

    await user.clear(authority);
    await user.type(authority, "AMC-MRN2");
    await user.click(screen.getByRole("button", { name: "Save the change" }));
    expect(await screen.findByRole("status")).toBeTruthy();
    expect(calls.filter((c) => c.method === "PUT").at(-1)?.body).toEqual({
      default_authority: "AMC-MRN2",
      authorities: [],
      category_codes: [],
      files_test_messages: false,
    });
  });

  it("keeps a sender's test-message choice when its authority changes, and says why production refuses it", async () => {
    setToken("tok-1");
    const testing = { ...lab, files_test_messages: true };
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/feed-sources": { status: 200, body: { feed_sources: [testing] } },
      "PUT /v1/admin/feed-sources/TEFCfEFNQw": () =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "Test messages are never filed in production.", [
                { field: "files_test_messages", issue: "never filed in production" },
              ]),
            }
          : { status: 200, body: { ...lab } },
    });
    renderAt("/admin/feed-sources");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Change LAB|AMC" }));
    const box = screen.getByRole("checkbox", { name: "File this sender's test messages" });
    expect((box as HTMLInputElement).checked).toBe(true);
    await user.click(screen.getByRole("button", { name: "Save the change" }));
    expect(calls.filter((c) => c.method === "PUT").at(-1)?.body).toEqual({
      default_authority: "AMC-MRN",
      authorities: [],
      category_codes: [],
      files_test_messages: true,
    });
    expect(await screen.findByText("Never filed in production.")).toBeTruthy();

    await user.click(box);
    await user.click(screen.getByRole("button", { name: "Save the change" }));
    expect(await screen.findByRole("status")).toBeTruthy();
    expect(calls.filter((c) => c.method === "PUT").at(-1)?.body).toEqual({
      default_authority: "AMC-MRN",
      authorities: [],
      category_codes: [],
      files_test_messages: false,
    });
    await expectAccessible();
  });

  it("keeps a sender's declared names when it changes, and names the line or declaration that cannot hold", async () => {
    setToken("tok-1");
    const declared = { ...lab, authorities: [{ sent_as: "urn:oid:2.16.840.1.113883.3.72", authority: "AMC-MRN" }] };
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/feed-sources": { status: 200, body: { feed_sources: [declared] } },
      "PUT /v1/admin/feed-sources/TEFCfEFNQw": () =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "MR is an identifier type code, not an authority.", [
                { field: "authorities.1.sent_as" },
              ]),
            }
          : { status: 200, body: declared },
    });
    renderAt("/admin/feed-sources");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Change LAB|AMC" }));
    const names = screen.getByLabelText("The sender's names for your assigning authorities");
    expect((names as HTMLTextAreaElement).value).toBe("urn:oid:2.16.840.1.113883.3.72 = AMC-MRN");

    await user.type(names, "{Enter}MRN AMC-MRN");
    await user.click(screen.getByRole("button", { name: "Save the change" }));
    expect(
      await screen.findByText("This line needs the sender's name, an equals sign and your authority: MRN AMC-MRN"),
    ).toBeTruthy();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await user.clear(names);
    await user.type(names, "urn:oid:2.16.840.1.113883.3.72 = AMC-MRN{Enter}MR = AMC-MRN");
    await user.click(screen.getByRole("button", { name: "Save the change" }));
    expect(await screen.findAllByText("MR is an identifier type code, not an authority.")).not.toHaveLength(0);
    expect(calls.filter((c) => c.method === "PUT").at(-1)?.body).toEqual({
      default_authority: "AMC-MRN",
      authorities: [
        { sent_as: "urn:oid:2.16.840.1.113883.3.72", authority: "AMC-MRN" },
        { sent_as: "MR", authority: "AMC-MRN" },
      ],
      category_codes: [],
      files_test_messages: false,
    });
  });

  it("keeps a sender's code categories when it changes, and names the line the API refuses", async () => {
    setToken("tok-1");
    const mapped = { ...lab, category_codes: [{ code: "99LAB|SURGPATH", category: "pathology" }] };
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/feed-sources": { status: 200, body: { feed_sources: [mapped] } },
      "PUT /v1/admin/feed-sources/TEFCfEFNQw": () =>
        tries++ === 0
          ? {
              status: 400,
              body: apiError("validation_failed", "99LAB|SURGPATH is listed twice: each code has one category.", [
                { field: "category_codes.1.code" },
              ]),
            }
          : { status: 200, body: mapped },
    });
    renderAt("/admin/feed-sources");
    const user = userEvent.setup();
    await user.click(await screen.findByRole("button", { name: "Change LAB|AMC" }));
    const field = screen.getByLabelText("What the sender's own test codes are");
    expect((field as HTMLTextAreaElement).value).toBe("99LAB|SURGPATH = pathology");

    await user.type(field, "{Enter}99LAB|CBC = blood");
    await user.click(screen.getByRole("button", { name: "Save the change" }));
    expect(
      await screen.findByText(
        "This line needs the code, an equals sign and one of lab, pathology, imaging, vital signs or other: 99LAB|CBC = blood",
      ),
    ).toBeTruthy();
    expect(calls.some((c) => c.method === "PUT")).toBe(false);

    await user.clear(field);
    await user.type(field, "99LAB|SURGPATH = pathology{Enter}99LAB|SURGPATH = Vital signs");
    await user.click(screen.getByRole("button", { name: "Save the change" }));
    expect(
      await screen.findByText(
        "On the line 99LAB|SURGPATH = vital_signs: 99LAB|SURGPATH is listed twice: each code has one category.",
      ),
    ).toBeTruthy();
    expect(field.getAttribute("aria-invalid")).toBe("true");
    expect(calls.filter((c) => c.method === "PUT").at(-1)?.body).toEqual({
      default_authority: "AMC-MRN",
      authorities: [],
      category_codes: [
        { code: "99LAB|SURGPATH", category: "pathology" },
        { code: "99LAB|SURGPATH", category: "vital_signs" },
      ],
      files_test_messages: false,
    });
    await expectAccessible();

    await user.clear(field);
    await user.type(field, "99LAB|SURGPATH = pathology");
    await user.click(screen.getByRole("button", { name: "Save the change" }));
    expect(await screen.findByRole("status")).toBeTruthy();
  });
});
