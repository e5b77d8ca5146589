import type { TFunction } from "i18next";
import { api, type Schemas } from "../api/client";
import { type ErrorBody, isErrorBody, load } from "../api/errors";
import { dayText } from "../components/dates";

// Query keys and calls the medications pages share. Keyed by the session token, so that another
// session never sees answers cached for the last one, and by the record shown.

export type Medication = Schemas["PatientMedication"];
export type RefillRequest = Schemas["RefillRequest"];
export type Reason = NonNullable<Medication["refill"]["reason"]>;

export const reasons: readonly Reason[] = [
  "controlled_substance",
  "expired",
  "no_refills",
  "not_refillable_online",
  "not_active",
  "reported_by_patient",
  "not_a_prescription",
  "patient_not_identified",
  "request_pending",
];

export const medicationsKey = (token: string, patientId: string) => ["medications", token, patientId];

export const fetchMedications = (patientId: string) =>
  load(() => api.GET("/v1/patients/{patient_id}/medications", { params: { path: { patient_id: patientId } } }));

/** Every page of the patient's refill requests starts with this key (the list, each request). */
export const refillRequestsKey = (token: string, patientId: string) => ["refill-requests", token, patientId];

export const fetchRefillRequest = (patientId: string, requestId: string) =>
  load(() =>
    api.GET("/v1/patients/{patient_id}/refill-requests/{request_id}", {
      params: { path: { patient_id: patientId, request_id: requestId } },
    }),
  );

/**
 * Why a refill cannot be asked for online, in plain words. The API gives a code; the words (and
 * the schedule or the day it expired, when known) are the portal's, so every page says it alike.
 */
export function reasonText(t: TFunction, medication: Medication, language: string): string {
  const { reason, schedule } = medication.refill;
  switch (reason) {
    case "controlled_substance":
      return schedule
        ? t("medications.reason.controlled_substanceSchedule", { schedule })
        : t("medications.reason.controlled_substance");
    case "expired":
      return medication.expires_on
        ? t("medications.reason.expiredOn", { date: dayText(medication.expires_on, language) })
        : t("medications.reason.expired");
    case null:
      return t("medications.reason.unknown");
    default:
      return reasons.includes(reason) ? t(`medications.reason.${reason}`) : t("medications.reason.unknown");
  }
}

/**
 * The API names a nested field by its path ("pharmacy.name"); the form's fields are flat
 * ("pharmacy_name"), so the refusal lands next to the right one. A 409's reason code (its detail's
 * `issue`) is for programs: the message already says it in words, so the code is not shown.
 */
export function flatFields(error: unknown): unknown {
  if (!isErrorBody(error)) return error;
  const details = error.error.details
    .filter((detail) => !(detail.issue && (reasons as readonly string[]).includes(detail.issue)))
    .map((detail) => (detail.field ? { ...detail, field: detail.field.replaceAll(".", "_") } : detail));
  return { error: { ...error.error, details } } satisfies ErrorBody;
}

/** The reason code of a 409 refusal, when the API gave one. */
export function refusalReason(error: unknown): Reason | null {
  if (!isErrorBody(error)) return null;
  const found = error.error.details.find((detail) => detail.issue && (reasons as readonly string[]).includes(detail.issue));
  return (found?.issue as Reason | undefined) ?? null;
}

/** A status the sender gave, in words where the portal knows it, else as sent. */
export function statusText(t: TFunction, status: string): string {
  const known = ["active", "on-hold", "cancelled", "completed", "entered-in-error", "stopped", "draft", "unknown"] as const;
  return (known as readonly string[]).includes(status)
    ? t(`medications.status.${status as (typeof known)[number]}`)
    : status;
}
