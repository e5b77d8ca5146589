import type { Schemas } from "../api/client";

type PatientSummary = Schemas["PatientSummary"];

/** "Dana Rivera": given names first, as the patient would say it on the phone. */
export function patientName(patient: Pick<PatientSummary, "given_names" | "family_name">): string {
  return [...patient.given_names, patient.family_name].join(" ");
}

/** The patient's medical record numbers (type MR), the identifier staff and patients quote. */
export function recordNumbers(patient: PatientSummary): string[] {
  const mrns = patient.identifiers.filter((identifier) => identifier.type === "MR");
  return (mrns.length ? mrns : patient.identifiers).map((identifier) => identifier.value);
}
