import type { Schemas } from "../api/client";

// The appointments API's shapes (docs/api.md, "Appointments"): the visit, the patient's requests
// for one, and what staff see of them.

export type Appointment = Schemas["PatientAppointment"];
export type AppointmentRequest = Schemas["AppointmentRequest"];
export type StaffAppointmentRequest = Schemas["StaffAppointmentRequest"];
export type Slot = Schemas["AppointmentSlot"];
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
