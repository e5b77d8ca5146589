import { patientNav } from "../navigation";

/**
 * The first page of the portal's menu that a grant covers, opened on that record (`?record=` and
 * its opaque id): an appointments-only grant lands on Appointments, not on a page it may not see.
 */
export function firstCoveredPage(patientId: string, areas: readonly string[]): string {
  const page = patientNav.find((item) => item.area !== undefined && areas.includes(item.area));
  return `${page?.to ?? "/"}?record=${encodeURIComponent(patientId)}`;
}
