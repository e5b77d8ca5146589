import i18next from "i18next";
import { initReactI18next } from "react-i18next";
import en from "./locales/en.json";

// Every string the portal shows lives in one catalogue (src/locales/en.json); a new language is a
// new catalogue beside it.
export const resources = { en: { translation: en } } as const;

void i18next.use(initReactI18next).init({
  lng: "en",
  fallbackLng: "en",
  resources,
  interpolation: { escapeValue: false }, // React escapes what it renders
  returnNull: false,
});

export default i18next;
