import type { Schemas } from "../api/client";

// The appointments API's shapes (docs/api.md, "Appointments"): the visit, the patient's requests
// for one, and what staff see of them.

/** A video visit's window (GET .../appointments/{id} `video`); the link itself is never in it. */
export interface VideoWindow {
  opens_at: string;
  closes_at: string;
  state: "not_yet" | "open" | "ended";
  has_link: boolean;
}

/** Where the visit's check-in stands (`check_in`). */
export interface CheckInWindow {
  state: "not_open" | "open" | "completed" | "closed";
  opens_at: string;
  closes_at: string;
  completed_at: string | null;
}

/** POST .../video-link's answer. */
export interface VideoLink {
  url: string;
  closes_at: string;
}

// `video` and `check_in` are the telehealth's and the check-in's parts of the visit, filled in by
// their own work; a visit without them (an API that does not send them yet) has neither to show.
export type Appointment = Schemas["PatientAppointment"] & {
  video?: VideoWindow | null;
  check_in?: CheckInWindow | null;
};
export type AppointmentRequest = Schemas["AppointmentRequest"];
export type StaffAppointmentRequest = Schemas["StaffAppointmentRequest"];
export type Slot = Schemas["Slot"];
export type Preferred = AppointmentRequest["preferred"][number];
export type TimeOfDay = Preferred["time_of_day"];
export type VisitMode = AppointmentRequest["mode"];
export type RequestStatus = AppointmentRequest["status"];

export const timesOfDay: TimeOfDay[] = ["morning", "afternoon", "any"];
export const visitModes: VisitMode[] = ["in_person", "video"];
export const requestStatuses: RequestStatus[] = [
  "requested",
  "proposed",
  "accepted",
  "booked",
  "scheduled",
  "declined",
  "withdrawn",
];

/** A request the patient may still withdraw (staff have not booked it). */
export const withdrawable = (status: RequestStatus) => status === "requested" || status === "proposed" || status === "accepted";
