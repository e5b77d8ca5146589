import type { TFunction } from "i18next";
import type { Schemas } from "../api/client";

type Observation = Schemas["Observation"];

/** An observation's value as the sender sent it ("0.70" stays "0.70"), without its unit. */
export function valueText(value: Observation["value"], t: TFunction): string {
  switch (value.type) {
    case "numeric":
      return value.number;
    case "quantity":
      return `${value.comparator ?? ""}${value.number ?? ""}${value.separator ?? ""}${value.second ?? ""}`;
    case "coded":
      return value.display || value.code || "";
    case "text":
      return value.text;
    case "pointer":
      return value.reference;
    case "document":
      return t("records.attachedFile");
    case "none":
      return t("records.noValue");
  }
}

const knownFlags = ["H", "L", "HH", "LL", "A", "AA", "N", "<", ">"] as const;

/**
 * The sender's abnormal flags in words: a colour alone tells nothing to a patient who cannot see
 * it, and "HH" tells nothing to most patients.
 */
export function flagWords(observation: Pick<Observation, "flags" | "critical">, t: TFunction): string[] {
  const words = observation.flags.map((flag) =>
    (knownFlags as readonly string[]).includes(flag)
      ? t(`records.flag.${flag as (typeof knownFlags)[number]}`)
      : t("records.flag.other", { flag }),
  );
  if (observation.critical) words.unshift(t("records.critical"));
  return words;
}

/** A date as sent ("2026-03-02", "2026-03-02T10:00:00Z", or less precise): shown as precisely as known. */
export function whenText(value: string | null, language: string): string | null {
  if (value === null || value === "") return null;
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeZone: "UTC" }).format(
      new Date(`${value}T00:00:00Z`),
    );
  }
  const parsed = new Date(value);
  if (value.length > 10 && !Number.isNaN(parsed.getTime())) {
    return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short" }).format(parsed);
  }
  return value; // a year, or a year and month: as sent
}
