import type { Schemas } from "../api/client";
import { me, resultSummary } from "./fixtures";

export { expectAccessible } from "./axe";

// The API's answers the records pages' tests fake, in the documented shapes (typed by the schema).

export const homeConnection: Schemas["ConnectionView"] = {
  connection_id: "c-home",
  organization_id: "org-1",
  organization_name: "Albany Medical Center",
  patient_id: "p-1",
  status: "active",
  added_at: "2026-01-01T00:00:00Z",
};

export const saratoga: Schemas["ConnectionView"] = {
  connection_id: "c-sh",
  organization_id: "saratoga-hospital",
  organization_name: "Saratoga Hospital",
  patient_id: "p-2",
  status: "active",
  added_at: "2026-02-03T10:00:00Z",
};

export const pendingTroy: Schemas["ConnectionView"] = {
  connection_id: "c-troy",
  organization_id: "troy-clinic",
  organization_name: null,
  patient_id: null,
  status: "pending",
  added_at: "2026-02-04T10:00:00Z",
};

/** GET /v1/me of a patient with these connections (the enrolling organization's first). */
export function meWith(...connections: Schemas["ConnectionView"][]): Schemas["Me"] {
  return { ...me(), connections };
}

export const glucoseResult: Schemas["Result"] = {
  ...resultSummary("r-3", "Glucose"),
  report: {
    category: "lab",
    code: { system: "LN", code: "2345-7", display: "Glucose" },
    status: "final",
    collected_at: "2026-03-03",
    reported_at: "2026-03-03T10:00:00Z",
    ordering_provider: null,
    performing_lab: null,
    notes: [],
    observations: [
      {
        code: { system: "LN", code: "2345-7", display: "Glucose" },
        value: { type: "numeric", number: "130" },
        units: "mg/dL",
        reference_range: "70-99",
        flags: ["H"],
        critical: false,
        status: "final",
        observed_at: "2026-03-03T08:00:00Z",
        performer: null,
        notes: [],
      },
      {
        code: { system: "L", code: "PDF", display: "Lab report" },
        value: {
          type: "document",
          content_type: "application/pdf",
          size: 1200,
          sha256: "ab",
          href: "/v1/patients/p-1/results/r-3/files/1",
        },
        units: null,
        reference_range: null,
        flags: [],
        critical: false,
        status: "final",
        observed_at: null,
        performer: null,
        notes: [],
      },
    ],
  },
  has_numeric_values: true,
  earlier_versions: [],
};

export function point(
  resultId: string,
  at: string,
  value: string,
  flags: string[] = [],
  more: Partial<Schemas["TrendPoint"]> = {},
): Schemas["TrendPoint"] {
  return {
    result_id: resultId,
    at,
    value,
    units: "mg/dL",
    reference_range: "70-99",
    flags,
    critical: false,
    outside_window: false,
    ...more,
  };
}

export const glucoseTrends: Schemas["Trends"] = {
  trends: [
    {
      code: { system: "LN", code: "2345-7", display: "Glucose" },
      units: "mg/dL",
      points: [
        point("r-1", "2026-03-01T08:00:00Z", "85"),
        point("r-2", "2026-03-02T08:00:00Z", "101", ["H"]),
        point("r-3", "2026-03-03T08:00:00Z", "130", ["H"]),
      ],
      other_units: [],
    },
  ],
  complete: true,
};

export const fileLink: Schemas["FileLinkView"] = {
  url: "http://127.0.0.1:5000/documents/k?X-Amz-Expires=300",
  expires_at: "2026-03-03T10:05:00Z",
  media_type: "application/pdf",
  disposition: "inline",
};
