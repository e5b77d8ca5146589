import type { Schemas } from "../api/client";
import type { Appointment, AppointmentRequest, Slot, StaffAppointmentRequest } from "./types";

// The API's answers the appointments pages' tests fake, in the documented shapes (typed by the
// schema, so tsc points at a fake that no longer looks like the API).

export const ZONE = "America/New_York";
export const RID = "0123456789abcdef0123456789abcdef";

export function visit(id: string, extra: Partial<Appointment> = {}): Appointment {
  return {
    id,
    status: "booked",
    starts_at: "2027-01-15T09:30:00-05:00",
    ends_at: "2027-01-15T10:00:00-05:00",
    minutes: 30,
    time_zone: ZONE,
    type: "Follow-up",
    description: "Annual physical",
    services: [],
    specialties: [],
    instructions: "",
    clinicians: ["Marcus Welby MD"],
    places: ["Main Clinic, 12 Elm St, Albany NY"],
    mode: "in_person",
    cancellation: {
      can_cancel: true,
      reason: null,
      cutoff_at: "2027-01-14T09:30:00-05:00",
      office_phone: "518-555-0100",
    },
    cancelled_by_patient: false,
    request_id: null,
    video: null,
    check_in: null,
    ...extra,
  };
}

export const videoWindow = (state: "not_yet" | "open" | "ended"): Appointment["video"] => ({
  opens_at: "2027-01-15T09:15:00-05:00",
  closes_at: "2027-01-15T10:00:00-05:00",
  state,
  has_link: true,
});

export const slot = (extra: Partial<Slot> = {}): Slot => ({
  starts_at: "2027-01-20T14:00:00-05:00",
  minutes: 30,
  clinician: "Marcus Welby MD",
  place: "Main Clinic",
  mode: "in_person",
  ...extra,
});

export function appointmentRequest(extra: Partial<AppointmentRequest> = {}): AppointmentRequest {
  return {
    request_id: RID,
    kind: "new",
    appointment_id: null,
    care_team: { care_team_id: "team-1", name: "Primary care" },
    reason: "Knee pain for two weeks",
    mode: "in_person",
    preferred: [
      { date: "2027-01-20", time_of_day: "afternoon" },
      { date: "2027-01-21", time_of_day: "any" },
    ],
    status: "requested",
    proposal: null,
    booking: null,
    decline_reason: null,
    staff_note: null,
    requested_at: "2027-01-10T15:00:00Z",
    updated_at: "2027-01-10T15:00:00Z",
    scheduled_appointment_id: null,
    requested_by: null,
    ...extra,
  };
}

export function staffAppointmentRequest(extra: Partial<StaffAppointmentRequest> = {}): StaffAppointmentRequest {
  return {
    ...appointmentRequest(),
    patient: { patient_id: "p-1", name: "Dana M Rivera", birth_date: "1980-04-12" },
    decided_by: null,
    appointment: null,
    ...extra,
  };
}

export const careTeams: Schemas["PatientCareTeams"] = {
  care_teams: [
    {
      team_id: "team-1",
      name: "Primary care",
      kind: "clinic",
      description: "Your doctor and nurses",
      organization_name: "Albany Clinic",
      phone: "518-555-0100",
    },
    { team_id: "team-2", name: "Cardiology", kind: "department", description: "", organization_name: "Albany Clinic", phone: null },
  ],
};
