import { api } from "../api/client";
import { load } from "../api/errors";
import type { Appointment } from "./types";

// Query keys and calls the appointments pages share. Keyed by the session token, so that another
// session never sees answers cached for the last one, and by the record shown.

/** Every list of appointments and each visit start with this key: a change refreshes them all. */
export const visitsKey = (token: string, patientId: string) => ["appointments", token, patientId];
export const visitKey = (token: string, patientId: string, appointmentId: string) => [
  ...visitsKey(token, patientId),
  "one",
  appointmentId,
];

/** The patient's appointment requests: the list and each one. */
export const appointmentRequestsKey = (token: string, patientId: string) => ["appointment-requests", token, patientId];
/** The pages of the list only (a request's own page is keyed by its id under the same prefix). */
export const requestListKey = (token: string, patientId: string) => [...appointmentRequestsKey(token, patientId), "list"];

/** A page of the patient's visits, to come or gone by; keyed by the session token and the record. */
export const appointmentsKey = (token: string, patientId: string, when: "upcoming" | "past", cursor: string) => [
  ...visitsKey(token, patientId),
  when,
  cursor,
];

const PAGE_SIZE = 10;

export const fetchAppointments = (patientId: string, when: "upcoming" | "past", cursor: string) =>
  load(() =>
    api.GET("/v1/patients/{patient_id}/appointments", {
      params: { path: { patient_id: patientId }, query: { when, limit: PAGE_SIZE, ...(cursor && { cursor }) } },
    }),
  );

export const fetchVisit = (patientId: string, appointmentId: string): Promise<Appointment> =>
  load(() =>
    api.GET("/v1/patients/{patient_id}/appointments/{appointment_id}", {
      params: { path: { patient_id: patientId, appointment_id: appointmentId } },
    }),
  );

export const fetchAppointmentRequests = (patientId: string, cursor: string, limit: number) =>
  load(() =>
    api.GET("/v1/patients/{patient_id}/appointment-requests", {
      params: { path: { patient_id: patientId }, query: { limit, ...(cursor && { cursor }) } },
    }),
  );

export const fetchAppointmentRequest = (patientId: string, requestId: string) =>
  load(() =>
    api.GET("/v1/patients/{patient_id}/appointment-requests/{request_id}", {
      params: { path: { patient_id: patientId, request_id: requestId } },
    }),
  );

export const requestPath = (requestId: string) => `/appointments/requests/${encodeURIComponent(requestId)}`;
export const visitPath = (appointmentId: string) => `/appointments/${encodeURIComponent(appointmentId)}`;
