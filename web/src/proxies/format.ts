import type { TFunction } from "i18next";
import { dayText } from "../components/dates";
import type { Area, GrantStatus, ProxyGrantView, Relationship, RequestStatus } from "./types";

/** The areas a grant covers, in words ("Test results, Messages"); none named is every one a proxy may have. */
export function areasText(t: TFunction, areas: readonly string[] | null): string {
  if (areas === null || areas.length === 0) return t("proxies.allAreas");
  return areas.map((area) => t(`proxies.areaName.${area as Area}`)).join(", ");
}

export const relationshipText = (t: TFunction, relationship: Relationship) => t(`proxies.relationship.${relationship}`);
export const grantStatusText = (t: TFunction, status: GrantStatus) => t(`proxies.grantStatus.${status}`);
export const requestStatusText = (t: TFunction, status: RequestStatus) => t(`proxies.requestStatus.${status}`);

/** Until when a grant runs, in words: its end date, or a child's 12th birthday, or no end. */
export function untilText(t: TFunction, grant: Pick<ProxyGrantView, "ends_at" | "visible_until">, language: string): string {
  if (grant.ends_at) return t("proxies.until.date", { date: dayText(grant.ends_at, language) });
  if (grant.visible_until) return t("proxies.until.cutoff", { date: dayText(grant.visible_until, language) });
  return t("proxies.until.none");
}
