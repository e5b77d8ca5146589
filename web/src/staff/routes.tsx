import { lazyPages } from "../components/lazyPages";

const at = lazyPages(() => import("./pages"));

/**
 * Clinic staff's pages: patients, invitations, results' release, the worklist, the quarantine and the
 * possible mismatches, the support requests, the care teams' message inboxes, the refill requests, the appointment requests,
 * the day's check-ins. A
 * patient is named in addresses by their opaque id only; a record number is searched for in a form.
 */
export const staffRoutes = (
  <>
    {at("/staff/patients", "FindPatient")}
    {at("/staff/patients/new", "RegisterPatient")}
    {at("/staff/proxy-invitations/new", "InviteWithoutRecord")}
    {at("/staff/patients/:patientId", "PatientDetail")}
    {at("/staff/patients/:patientId/results", "PatientResults")}
    {at("/staff/patients/:patientId/health-summary", "HealthSummary")}
    {at("/staff/worklist", "Worklist")}
    {at("/staff/quarantine", "Quarantine")}
    {at("/staff/mismatches", "Mismatches")}
    {at("/staff/support", "SupportRequests")}
    {at("/staff/support/:requestId", "SupportRequest")}
    {at("/staff/messages", "StaffMessages")}
    {at("/staff/messages/:threadId", "StaffThread")}
    {at("/staff/refill-requests", "RefillRequests")}
    {at("/staff/refill-requests/:requestId", "RefillRequest")}
    {at("/staff/appointment-requests", "AppointmentRequests")}
    {at("/staff/appointment-requests/:requestId", "AppointmentRequest")}
    {at("/staff/check-ins", "CheckIns")}
    {at("/staff/proxy-requests", "ProxyRequests")}
    {at("/staff/proxy-requests/:requestId", "ProxyRequest")}
    {at("/staff/patients/:patientId/appointments/:appointmentId/check-in", "StaffCheckIn")}
  </>
);
