import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { Schemas } from "../api/client";
import { setToken } from "../session";
import { expectAccessible } from "../test/axe";
import { apiError } from "../test/fixtures";
import { fakeApi, renderAt } from "../test/render";
import { adminMe } from "./fixtures";

const LOINC = "http://loinc.org";
const lists: Schemas["SensitiveCodesShown"] = {
  categories: [
    { category: "sexual_reproductive", label: "Sexual and reproductive health", codes: [] },
    { category: "mental_health", label: "Mental health", codes: [] },
    { category: "substance_use", label: "Substance use treatment", codes: [] },
    { category: "hiv", label: "HIV", codes: [{ system: LOINC, code: "75622-1", display: "HIV 1 and 2 tests" }] },
    { category: "genetic", label: "Genetic tests", codes: [] },
  ],
};

describe("admin: sensitive codes", () => {
  it("stacks each code's row on a phone, every cell named, the Remove button in view (no sideways scrolling box)", async () => {
    setToken("tok-a");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/sensitive-codes": { status: 200, body: lists },
    });
    renderAt("/admin/sensitive-codes");
    const hiv = (await screen.findByRole("heading", { level: 2, name: "HIV" })).closest("section")!;
    const table = within(hiv).getByRole("table");
    expect(table.className).toContain("usa-table--stacked");
    expect(hiv.querySelector(".usa-table-container--scrollable")).toBeNull();
    const cells = within(table).getAllByRole("cell");
    expect(cells.slice(0, 3).map((cell) => cell.getAttribute("data-label"))).toEqual(["Code", "Name", "Coding system"]);
  });


  it("adds and removes codes, saves every list at once, and puts a refused code's reason beside it", async () => {
    setToken("tok-a");
    let tries = 0;
    const calls = fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/sensitive-codes": { status: 200, body: lists },
      "PUT /v1/admin/sensitive-codes": (call) =>
        ++tries === 1
          ? {
              status: 400,
              body: apiError("validation_failed", "Please check the codes.", [
                { field: "categories.1.codes.0.code", issue: "not a LOINC code" },
              ]),
            }
          : { status: 200, body: call.body },
    });
    renderAt("/admin/sensitive-codes");
    const user = userEvent.setup();
    const hiv = (await screen.findByRole("heading", { level: 2, name: "HIV" })).closest("section")!;
    expect(document.title).toBe("Sensitive codes | Patient portal");
    expect(within(hiv).getByText("HIV 1 and 2 tests")).toBeTruthy();
    await expectAccessible();

    const mental = screen.getByRole("heading", { level: 2, name: "Mental health" }).closest("section")!;
    await user.click(within(mental).getByRole("button", { name: "Add to Mental health" }));
    expect(within(mental).getByRole("alert").textContent).toBe("Fill in the code and its coding system.");
    await user.type(within(mental).getByLabelText("Code"), "XYZ");
    await user.type(within(mental).getByLabelText("Name (optional)"), "Depression screen");
    await user.click(within(mental).getByRole("button", { name: "Add to Mental health" }));
    await user.click(within(hiv).getByRole("button", { name: /^Remove/ }));
    expect(within(hiv).getByText("No codes in this list.")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Save the lists" }));
    expect(await within(mental).findByText("Not a LOINC code.")).toBeTruthy();
    await user.click(screen.getByRole("button", { name: "Save the lists" }));
    expect((await screen.findByRole("status")).textContent).toContain("The lists were saved.");
    const sent = calls.filter((call) => call.method === "PUT").at(-1)?.body as Schemas["SensitiveCodesChange"];
    expect(sent.categories.map((category) => [category.category, category.codes])).toEqual([
      ["sexual_reproductive", []],
      ["mental_health", [{ system: LOINC, code: "XYZ", display: "Depression screen" }]],
      ["substance_use", []],
      ["hiv", []],
      ["genetic", []],
    ]);
  });
});
