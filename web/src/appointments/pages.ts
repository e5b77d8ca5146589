// The appointments pages beyond the list, loaded together in one chunk the first time one opens:
// the first page a patient loads stays small.
export { AppointmentPage } from "./AppointmentPage";
export { RequestAppointment } from "./RequestAppointment";
export { RequestPage } from "./RequestPage";
export { Reschedule } from "./Reschedule";
