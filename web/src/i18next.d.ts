import "i18next";
import type en from "./locales/en.json";

// Keys are checked at compile time: t("no.such.key") does not type-check.
declare module "i18next" {
  interface CustomTypeOptions {
    defaultNS: "translation";
    resources: { translation: typeof en };
  }
}
