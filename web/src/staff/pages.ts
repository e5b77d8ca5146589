// The staff pages, loaded together in one chunk the first time a staff page opens: patients never
// download them.
export { AppointmentRequest } from "./AppointmentRequest";
export { AppointmentRequests } from "./AppointmentRequests";
export { CheckIns, StaffCheckIn } from "./CheckIns";
export { FindPatient } from "./FindPatient";
export { HealthSummary } from "./HealthSummary";
export { InviteWithoutRecord } from "./InviteWithoutRecord";
export { Mismatches } from "./Mismatches";
export { PatientDetail } from "./PatientDetail";
export { PatientResults } from "./PatientResults";
export { ProxyRequest } from "./ProxyRequest";
export { ProxyRequests } from "./ProxyRequests";
export { Quarantine } from "./Quarantine";
export { RefillRequest } from "./RefillRequest";
export { RefillRequests } from "./RefillRequests";
export { RegisterPatient } from "./RegisterPatient";
export { StaffMessages } from "./StaffMessages";
export { StaffThread } from "./StaffThread";
export { SupportRequest } from "./SupportRequest";
export { SupportRequests } from "./SupportRequests";
export { Worklist } from "./Worklist";
