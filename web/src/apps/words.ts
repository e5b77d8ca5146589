import type { TFunction } from "i18next";
import { RESOURCE_TYPES, type ResourceType } from "./types";

// What an app may read, in the words a patient uses. The FHIR types an app asks for are grouped
// where a patient would not tell them apart: who gave the care (Practitioner), where (Organization)
// and where each piece came from (Provenance) are one thing to them, so one checkbox.

export type ResourceGroup = Exclude<ResourceType, "Practitioner" | "Organization" | "Provenance"> | "sources";

const SOURCES: readonly ResourceType[] = ["Practitioner", "Organization", "Provenance"];

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

/** The words of one group. */
export function groupWords(group: ResourceGroup, t: TFunction): string {
  return t(`apps.resources.${group}`);
}

/** The words of a resource type the API names (a type the portal has no words for stays as it is). */
export function typeWords(type: string, t: TFunction): string {
  return (RESOURCE_TYPES as readonly string[]).includes(type) ? groupWords(groupOf(type as ResourceType), t) : type;
}

/** These types as a list in words, each group once. */
export function typesWords(types: readonly string[], t: TFunction): string[] {
  return groupsOf(types).map(({ group }) => groupWords(group, t));
}
