/**
 * What the viewer shows of an International Patient Summary (a FHIR document Bundle): the patient,
 * and each section as lines of plain words. Only what a person reads is taken; codes are shown
 * only when a sender gave no words for them.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- a FHIR resource is open JSON */
type Resource = Record<string, any>;

export interface SummaryLine {
  what: string;
  detail: string;
  when: string;
}

export interface Summary {
  patientName: string;
  birthDate: string;
  organization: string;
  madeAt: string;
  allergies: SummaryLine[];
  problems: SummaryLine[];
  medications: SummaryLine[];
  immunizations: SummaryLine[];
  results: SummaryLine[];
  vitalSigns: SummaryLine[];
}

function words(concept: Resource | undefined): string {
  if (!concept) return "";
  const coding = (concept.coding ?? [])[0] ?? {};
  return concept.text ?? coding.display ?? coding.code ?? "";
}

function value(observation: Resource): string {
  const quantity = observation.valueQuantity;
  if (quantity) return [quantity.value, quantity.unit ?? quantity.code].filter((v) => v !== undefined).join(" ");
  if (observation.valueString) return String(observation.valueString);
  if (observation.valueCodeableConcept) return words(observation.valueCodeableConcept);
  return "";
}

function category(observation: Resource): string {
  return (observation.category ?? []).flatMap((c: Resource) => (c.coding ?? []).map((x: Resource) => x.code))[0] ?? "";
}

function nameOf(patient: Resource | undefined): string {
  const name = (patient?.name ?? [])[0];
  if (!name) return "";
  return name.text ?? [...(name.given ?? []), name.family].filter(Boolean).join(" ");
}

/** The summary of a document Bundle, or null when it is not one. */
export function readSummary(bundle: unknown): Summary | null {
  const doc = bundle as Resource;
  if (doc?.resourceType !== "Bundle" || !Array.isArray(doc.entry)) return null;
  const resources: Resource[] = doc.entry.map((e: Resource) => e.resource).filter(Boolean);
  const of = (type: string) => resources.filter((r) => r.resourceType === type);
  const composition = of("Composition")[0];
  const observations = of("Observation");
  const observed = (o: Resource): SummaryLine => ({
    what: words(o.code),
    detail: value(o),
    when: o.effectiveDateTime ?? o.effectivePeriod?.start ?? "",
  });
  return {
    patientName: nameOf(of("Patient")[0]),
    birthDate: of("Patient")[0]?.birthDate ?? "",
    organization: of("Organization")[0]?.name ?? "",
    madeAt: composition?.date ?? doc.timestamp ?? "",
    allergies: of("AllergyIntolerance").map((a) => ({
      what: words(a.code),
      detail: (a.reaction ?? []).flatMap((r: Resource) => (r.manifestation ?? []).map(words)).join(", "),
      when: a.onsetDateTime ?? a.recordedDate ?? "",
    })),
    problems: of("Condition").map((c) => ({
      what: words(c.code),
      detail: words(c.clinicalStatus),
      when: c.onsetDateTime ?? c.recordedDate ?? "",
    })),
    medications: of("MedicationRequest").map((m) => ({
      what: words(m.medicationCodeableConcept),
      detail: (m.dosageInstruction ?? []).map((d: Resource) => d.text).filter(Boolean).join("; "),
      when: m.authoredOn ?? "",
    })),
    immunizations: of("Immunization").map((i) => ({
      what: words(i.vaccineCode),
      detail: "",
      when: i.occurrenceDateTime ?? "",
    })),
    results: observations.filter((o) => category(o) !== "vital-signs").map(observed),
    vitalSigns: observations.filter((o) => category(o) === "vital-signs").map(observed),
  };
}
