import { Route } from "react-router";
import { FindPatient } from "./FindPatient";
import { HealthSummary } from "./HealthSummary";
import { PatientDetail } from "./PatientDetail";
import { PatientResults } from "./PatientResults";
import { Quarantine } from "./Quarantine";
import { RegisterPatient } from "./RegisterPatient";
import { Worklist } from "./Worklist";

/**
 * Clinic staff's pages: patients, invitations, results' release, the worklist, the quarantine. A
 * patient is named in addresses by their opaque id only; a record number is searched for in a form.
 */
export const staffRoutes = (
  <>
    <Route path="/staff/patients" element={<FindPatient />} />
    <Route path="/staff/patients/new" element={<RegisterPatient />} />
    <Route path="/staff/patients/:patientId" element={<PatientDetail />} />
    <Route path="/staff/patients/:patientId/results" element={<PatientResults />} />
    <Route path="/staff/patients/:patientId/health-summary" element={<HealthSummary />} />
    <Route path="/staff/worklist" element={<Worklist />} />
    <Route path="/staff/quarantine" element={<Quarantine />} />
  </>
);
