import { configure, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import { formTemplate } from "../checkin/fixtures";
import { setToken } from "../session";
import { fakeApi, renderAt } from "../test/render";
import { adminMe } from "./fixtures";

configure({ asyncUtilTimeout: 5000 });

// Node's environment (the web build has no Node types): TZ is the reader's zone, here not the clinic's.
declare const process: { env: Record<string, string | undefined> };
const readerZone = process.env.TZ;
afterEach(() => {
  if (readerZone === undefined) delete process.env.TZ;
  else process.env.TZ = readerZone;
});

describe("when forms and visit types last changed, for an admin in another zone than the clinic's", () => {
  it("says a form's last change and its versions on the clinic's clock, its offset named", async () => {
    process.env.TZ = "Asia/Tokyo"; // 14:30 in New York is 04:30 the next day here
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/forms": { status: 200, body: { forms: [formTemplate("f-consent", "Consent to treat")] } },
      "GET /v1/admin/forms/f-consent": { status: 200, body: formTemplate("f-consent", "Consent to treat") },
    });
    const { unmount } = renderAt("/admin/forms");
    const table = await screen.findByRole("table", { name: "Your forms" });
    expect(within(table).getByRole("row", { name: /Consent to treat/ }).textContent).toContain("Nov 20, 2026, 2:30 PM UTC-05:00");
    unmount();
    renderAt("/admin/forms/f-consent");
    expect(await screen.findByText("Oct 1, 2026, 9:00 AM UTC-04:00")).toBeTruthy(); // version 1, in summer time
  });

  it("says a visit type's last change on the clinic's clock, its offset named", async () => {
    process.env.TZ = "Asia/Tokyo";
    setToken("tok-1");
    fakeApi({
      "GET /v1/me": { status: 200, body: adminMe() },
      "GET /v1/admin/forms": { status: 200, body: { forms: [formTemplate("f-consent", "Consent to treat")] } },
      "GET /v1/admin/visit-types": {
        status: 200,
        body: {
          visit_types: [{ visit_type_id: "any", name: "*", form_ids: ["f-consent"], questionnaire: null, updated_at: "2026-11-20T14:30:00-05:00" }],
        },
      },
    });
    renderAt("/admin/visit-types");
    const table = await screen.findByRole("table", { name: "Your visit types" });
    expect(within(table).getByRole("row", { name: /Any other visit/ }).textContent).toContain("Nov 20, 2026, 2:30 PM UTC-05:00");
  });
});
