import type { Schemas } from "../api/client";

// The API's answers the medications pages' tests fake, in the documented shapes (typed by the
// schema, so tsc points at a fake that no longer looks like the API).

export const RID = "0123456789abcdef0123456789abcdef";

export function medication(
  medication_id: string,
  name: string,
  extra: Partial<Schemas["PatientMedication"]> = {},
  refill: Partial<Schemas["RefillEligibility"]> = {},
): Schemas["PatientMedication"] {
  return {
    medication_id,
    name,
    dosage: ["Take 1 tablet by mouth once a day"],
    prescriber: "Dr. Maya Chen",
    authored_on: "2026-06-01",
    status: "active",
    refills_allowed: 3,
    expires_on: "2027-06-01",
    refill: { can_request: true, reason: null, schedule: null, pending_request_id: null, ...refill },
    ...extra,
  };
}

export const lisinopril = medication("m-lis", "Lisinopril 10 mg tablet");
export const oxycodone = medication(
  "m-oxy",
  "Oxycodone 5 mg tablet",
  { dosage: ["Take 1 tablet every 6 hours as needed for pain"], refills_allowed: 0 },
  { can_request: false, reason: "controlled_substance", schedule: "II" },
);

export function refillRequest(extra: Partial<Schemas["RefillRequest"]> = {}): Schemas["RefillRequest"] {
  return {
    request_id: RID,
    medication: { medication_id: "m-lis", name: "Lisinopril 10 mg tablet" },
    pharmacy: { name: "Main Street Pharmacy", phone: "518-555-0199", address: "12 Main St, Albany NY" },
    note: "Running low: two days left.",
    status: "requested",
    requested_at: "2026-12-04T15:00:00Z",
    decided_at: null,
    decision_reason: null,
    requested_by: null,
    ...extra,
  };
}

export function staffRefillRequest(extra: Partial<Schemas["StaffRefillRequest"]> = {}): Schemas["StaffRefillRequest"] {
  return {
    ...refillRequest(),
    patient: { patient_id: "p-1", name: "Dana M Rivera", birth_date: "1980-04-12" },
    decided_by: null,
    medication_detail: {
      dosage: ["Take 1 tablet by mouth once a day"],
      prescriber: "Dr. Maya Chen",
      refills_allowed: 3,
      expires_on: "2027-06-01",
    },
    ...extra,
  };
}
