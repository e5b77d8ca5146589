import type { TFunction } from "i18next";
import type { Schemas } from "../api/client";
import { namedMoment } from "../components/clinicTime";
import { whenText } from "../components/dates";

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

/**
 * When a document was written. A form the patient signed at check-in carries the clinic's offset:
 * it is said on the clinic's clock with that offset named, as the rest of check-in is. A document
 * from a feed is said as every clinical time is (the reader's clock, as precisely as sent).
 */
export function writtenText(document: { type: string; authored_at: string | null }, language: string): string | null {
  if (document.type === SIGNED_FORM && document.authored_at) return namedMoment(document.authored_at, language);
  return whenText(document.authored_at, language);
}

const SIGNED_FORM = "signed-form";
