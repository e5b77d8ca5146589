import type { TFunction } from "i18next";
import { RESOURCE_TYPES, type ResourceType } from "./types";

// What an app may read, in the words a patient uses. The FHIR types an app asks for are grouped
// where a patient would not tell them apart: who gave the care (Practitioner), where (Organization)
// and where each piece came from (Provenance) are one thing to them, so one checkbox.

export type ResourceGroup = Exclude<ResourceType, "Practitioner" | "Organization" | "Provenance"> | "sources";

const SOURCES: readonly ResourceType[] = ["Practitioner", "Organization", "Provenance"];
// The groups whose words say "your": the others ("Test results and vital signs") suit any record.
const SAID_AS_YOURS = ["Patient", "sources"] as const;

function saidAsYours(group: ResourceGroup): group is (typeof SAID_AS_YOURS)[number] {
  return (SAID_AS_YOURS as readonly string[]).includes(group);
}

function groupOf(type: ResourceType): ResourceGroup {
  return SOURCES.includes(type) ? "sources" : (type as ResourceGroup);
}

/** The groups of these types, in the API's order, each with the types it stands for (unknown types left out). */
export function groupsOf(types: readonly string[]): { group: ResourceGroup; types: ResourceType[] }[] {
  const groups: { group: ResourceGroup; types: ResourceType[] }[] = [];
  for (const type of RESOURCE_TYPES) {
    if (!types.includes(type)) continue;
    const group = groupOf(type);
    const found = groups.find((g) => g.group === group);
    if (found) found.types.push(type);
    else groups.push({ group, types: [type] });
  }
  return groups;
}

/**
 * The words of one group: about "your" record, or, given `whose` (the name of a patient the
 * account acts for), about theirs ("Emma’s name, birth date and contact details").
 */
export function groupWords(group: ResourceGroup, t: TFunction, whose?: string): string {
  return whose && saidAsYours(group) ? t(`apps.resourcesOf.${group}`, { name: whose }) : t(`apps.resources.${group}`);
}

/** The words of a resource type the API names (a type the portal has no words for stays as it is). */
export function typeWords(type: string, t: TFunction, whose?: string): string {
  return (RESOURCE_TYPES as readonly string[]).includes(type) ? groupWords(groupOf(type as ResourceType), t, whose) : type;
}

/** These types as a list in words, each group once. */
export function typesWords(types: readonly string[], t: TFunction, whose?: string): string[] {
  return groupsOf(types).map(({ group }) => groupWords(group, t, whose));
}

/** An app's reads (one row per type the API counted) by group: counts summed, the latest read kept. */
export function readsByGroup<R extends { resource_type: string; count: number; last_at: string }>(
  reads: readonly R[],
): { key: string; type: string; count: number; last_at: string }[] {
  const rows: { key: string; type: string; count: number; last_at: string }[] = [];
  for (const read of reads) {
    const known = (RESOURCE_TYPES as readonly string[]).includes(read.resource_type);
    const key = known ? groupOf(read.resource_type as ResourceType) : read.resource_type;
    const row = rows.find((r) => r.key === key);
    if (!row) rows.push({ key, type: read.resource_type, count: read.count, last_at: read.last_at });
    else {
      row.count += read.count;
      if (Date.parse(read.last_at) > Date.parse(row.last_at)) row.last_at = read.last_at;
    }
  }
  return rows;
}
