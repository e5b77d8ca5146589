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

// (the portal's one way of saying dates; the record pages import it from here too)
