import type { TFunction } from "i18next";
import en from "../locales/en.json";

// The portal's emails by what they are, in words, for staff and admins alike: the API names an
// email by its template ("sign_in_code"), which nobody at a front desk should have to read. A
// template this catalogue does not know yet reads as "Another email", never as its code.

type KnownKind = Exclude<keyof typeof en.emailKinds, "other">;

export function emailKindText(t: TFunction, kind: string): string {
  return kind in en.emailKinds && kind !== "other" ? t(`emailKinds.${kind as KnownKind}`) : t("emailKinds.other");
}
