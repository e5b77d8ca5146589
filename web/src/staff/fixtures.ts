import type { Schemas } from "../api/client";
import { me } from "../test/fixtures";

// The API's answers the staff pages' tests fake, typed by the generated schema (see test/fixtures.ts).

export const PID = "5f0c2d7e9a8b4c3d2e1f0a9b8c7d6e5f";

export function staffMe(role: "staff" | "admin" = "staff"): Schemas["Me"] {
  const base = me();
  return { ...base, account: { ...base.account, username: `demo.${role}`, role }, patient: null };
}

export const dana: Schemas["PatientSummary"] = {
  patient_id: PID,
  organization_id: "albany-medical-center",
  identifiers: [{ authority: "AMC-MRN", value: "AMC-100001", type: "MR" }],
  family_name: "Rivera",
  given_names: ["Dana", "M"],
  birth_date: "1984-03-09",
  sex: "female",
};

export const pendingInvitation: Schemas["PortalInvitation"] = {
  invitation_id: "inv-1",
  status: "pending",
  email: "dana@example.org",
  created_at: "2026-11-20T10:00:00Z",
  expires_at: "2026-11-27T10:00:00Z",
  failed_attempts: 1,
  email_delivery: {
    state: "sent",
    reason: null,
    updated_at: "2026-11-20T10:00:05Z",
    sent_at: "2026-11-20T10:00:05Z",
    failed_attempts: 0,
  },
};

export const activeAccount: Schemas["PortalAccount"] = {
  username: "dana.rivera",
  status: "active",
  locked: false,
  email_verified: true,
  second_factors: [],
};

export function portal(extra: Partial<Schemas["PatientPortal"]> = {}): Schemas["PatientPortal"] {
  return { patient: dana, portal_status: "not_invited", account: null, invitations: [], merged_into: null, ...extra };
}

export const enrolled = (account: Partial<Schemas["PortalAccount"]> = {}) =>
  portal({
    portal_status: account.status === "suspended" ? "suspended" : "active",
    account: { ...activeAccount, ...account },
    invitations: [{ ...pendingInvitation, status: "used" }],
  });

export function staffResult(id: string, name: string, release: Partial<Schemas["StaffResult"]>): Schemas["StaffResult"] {
  return {
    result_id: id,
    version: 1,
    status: "final",
    category: "lab",
    name,
    code: null,
    collected_at: "2026-11-30",
    reported_at: "2026-12-01T09:00:00Z",
    abnormal: false,
    critical: false,
    observation_count: 3,
    released_at: "2026-12-01T10:00:00Z",
    held: false,
    held_reason: null,
    delayed_by_policy: false,
    delay_exception: null,
    ...release,
  };
}

export const staffDocument: Schemas["StaffDocument"] = {
  document_id: "d-1",
  version: 1,
  type: "visit-summary",
  title: "After-visit summary",
  status: "final",
  authored_at: "2026-11-30",
  author: "Dr. Grace Hopper",
  content_type: "application/pdf",
  size: 1200,
  released_at: null,
  held: true,
  held_reason: "legal_hold",
  delayed_by_policy: false,
  delay_exception: null,
};

export function worklistItem(id: string, created: string, extra: Partial<Schemas["WorklistItem"]> = {}): Schemas["WorklistItem"] {
  return {
    item_id: id,
    task: "call_patient",
    created_at: created,
    patient: dana,
    result_id: "r-1",
    result_version: 1,
    ...extra,
  };
}

export function quarantined(id: string, extra: Partial<Schemas["QuarantinedMessage"]> = {}): Schemas["QuarantinedMessage"] {
  return {
    id,
    sender: "LAB|AMC",
    control_id: `ctl-${id}`,
    message_type: "ORU^R01",
    format: "hl7v2",
    reason: "PID-3: no identifier under a known authority",
    received_at: "2026-12-01T08:00:00Z",
    replayable: true,
    ...extra,
  };
}

/** A patient who chose nothing: every category shown at once. */
export const atOnceChoices: Schemas["ReleasePreferences"] = {
  wait_for_review: [],
  choices: (["lab", "pathology", "imaging", "other"] as const).map((category) => ({ category, release: "at_once", days: null })),
  longest_wait_days: 7,
  most_days: 30,
};
