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
};

export const enrolled: Schemas["Enrolled"] = { account_id: "a1", username: "ada", email_verification_sent: true };

export function apiError(
  code: string,
  message: string,
  details: Schemas["ErrorDetail"][] = [],
): Schemas["ErrorBody"] {
  return { error: { code, message, details } };
}
