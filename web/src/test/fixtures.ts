import type { Schemas } from "../api/client";

// The API's answers the component tests fake, typed by the generated schema: when a route's model
// changes (and `make web-client` regenerates the types), tsc points at the fakes that no longer
// look like the API.

export const openedSession: Schemas["OpenedSession"] = {
  token: "tok-1",
  expires_at: "2026-01-01T12:00:00Z",
  idle_timeout_s: 900,
  must: null,
};

export const challenge: Schemas["SecondFactorChallenge"] = {
  mfa_required: true,
  challenge_id: "ch-1",
  methods: ["totp", "recovery_code"],
  expires_at: "2026-01-01T00:05:00Z",
};

export function me(must: Schemas["AccountView"]["must"] = null): Schemas["Me"] {
  return {
    account: {
      account_id: "acc-1",
      username: "ada",
      role: "patient",
      organization_id: "org-1",
      email: "ada@example.org",
      email_verified: true,
      pending_email: null,
      second_factors: [],
      terms: { accepted_version: "2026-01", accepted_at: "2026-01-01T00:00:00Z", current_version: "2026-01" },
      must,
      idle_timeout_s: 900,
    },
    patient: {
      patient_id: "p-1",
      organization_id: "org-1",
      identifiers: [],
      family_name: "Lovelace",
      given_names: ["Ada"],
      birth_date: "1990-04-01",
      sex: "female",
    },
    acting_for: [],
    connections: [],
    notification_preferences: {
      email_new_results: true,
      email_messages: true,
      email_appointments: true,
      email_forms: true,
    },
    unread_messages: 0,
  };
}

export const emptyInbox: Schemas["NotificationPage"] = { notifications: [], unread_count: 0, next_cursor: null };

export const inbox: Schemas["NotificationPage"] = {
  notifications: [
    {
      notification_id: "n1",
      template: "something_waiting",
      title: "Something new is waiting in your portal.",
      created_at: "2026-03-02T10:00:00Z",
      read_at: null,
    },
  ],
  unread_count: 1,
  next_cursor: null,
};

export const terms: Schemas["TermsView"] = {
  version: "2026-01",
  terms_of_use: "Use the portal kindly.",
  consent: "I consent.",
  summary: null,
};

export const enrolled: Schemas["Enrolled"] = { account_id: "a1", username: "ada", email_verification_sent: true };

export function apiError(
  code: string,
  message: string,
  details: Schemas["ErrorDetail"][] = [],
): Schemas["ErrorBody"] {
  return { error: { code, message, details } };
}

export function resultSummary(id: string, name: string, extra: Partial<Schemas["ResultSummary"]> = {}): Schemas["ResultSummary"] {
  return {
    result_id: id,
    name,
    category: "lab",
    code: { system: "LN", code: "2345-7", display: name },
    collected_at: "2026-03-01",
    reported_at: "2026-03-02T10:00:00Z",
    released_at: "2026-03-02T11:00:00Z",
    status: "final",
    version: 1,
    abnormal: false,
    critical: false,
    observation_count: 1,
    ...extra,
  };
}

function observation(
  name: string,
  number: string,
  extra: Partial<Schemas["Observation"]> = {},
): Schemas["Observation"] {
  return {
    code: { system: "LN", code: "x", display: name },
    value: { type: "numeric", number },
    units: "mmol/L",
    reference_range: "3.5-5.1",
    flags: [],
    critical: false,
    status: "final",
    observed_at: "2026-03-01T08:00:00Z",
    performer: null,
    notes: [],
    ...extra,
  };
}

function report(status: Schemas["Report"]["status"], observations: Schemas["Observation"][]): Schemas["Report"] {
  return {
    category: "lab",
    code: { system: "LN", code: "24323-8", display: "Metabolic panel" },
    status,
    collected_at: "2026-03-01",
    reported_at: "2026-03-02T10:00:00Z",
    ordering_provider: "Dr. Grace Hopper",
    performing_lab: "Albany Lab",
    notes: [],
    observations,
  };
}

/** A corrected result: potassium critically high now; version 1 said it was high. */
export const correctedResult: Schemas["Result"] = {
  ...resultSummary("r-1", "Metabolic panel", { status: "corrected", version: 2, abnormal: true, critical: true }),
  report: report("corrected", [
    observation("Potassium", "6.9", { flags: ["HH"], critical: true, status: "corrected" }),
    observation("Sodium", "140"),
  ]),
  has_numeric_values: true,
  earlier_versions: [
    {
      version: 1,
      status: "final",
      filed_at: "2026-03-02T09:00:00Z",
      report: report("final", [observation("Potassium", "5.6", { flags: ["H"] }), observation("Sodium", "139")]),
    },
  ],
};

export const documentsPage: Schemas["DocumentsPage"] = {
  documents: [
    {
      document_id: "d-1",
      title: null,
      type: "discharge-summary",
      author: "Dr. Grace Hopper",
      authored_at: "2026-02-10",
      released_at: "2026-02-11T10:00:00Z",
      content_type: "application/pdf",
      size: 12000,
      status: "final",
      version: 1,
    },
  ],
  next_cursor: null,
};
