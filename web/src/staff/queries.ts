import { api } from "../api/client";
import { load } from "../api/errors";

// Query keys and calls that more than one staff page shares (and the home page, which is loaded
// with the app while the staff pages are fetched only when opened). Keyed by the session token, so
// that another session never sees answers cached for the last one.

export const staffPatientKey = (token: string, patientId: string) => ["staff-patient", token, patientId];

export const fetchStaffPatient = (patientId: string) =>
  load(() => api.GET("/v1/staff/patients/{patient_id}", { params: { path: { patient_id: patientId } } }));

export const worklistKey = (token: string) => ["staff-worklist", token];

export const fetchWorklist = () => load(() => api.GET("/v1/staff/worklist"));
