import type { Schemas } from "../api/client";
import { me } from "../test/fixtures";

// The admin pages' fakes, in the API's documented shapes (typed by the generated schema).

export function adminMe(role: "admin" | "staff" = "admin"): Schemas["Me"] {
  const base = me();
  return { ...base, account: { ...base.account, account_id: "acc-admin", username: "demo.admin", role }, patient: null };
}

export function staffAccount(
  id: string,
  username: string | null,
  extra: Partial<Schemas["StaffAccountSummary"]> = {},
): Schemas["StaffAccountSummary"] {
  return {
    account_id: id,
    username,
    role: "staff",
    status: "active",
    email: `${username ?? id}@amc.example`,
    created_at: "2026-11-20T14:30:00Z",
    second_factors: ["totp"],
    locked: false,
    ...extra,
  };
}

export const currentTerms: Schemas["PublishedTerms"] = {
  version: "2026-12-04",
  terms_of_use: "The portal shows your results.",
  consent: "You agree to receive health information electronically.",
  summary: null,
  published_at: null,
};
