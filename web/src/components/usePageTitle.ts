import { useEffect } from "react";
import { useTranslation } from "react-i18next";

/** Names the page in the browser's tab and history, which a screen reader announces on arrival. */
export function usePageTitle(title: string): void {
  const { t } = useTranslation();
  useEffect(() => {
    document.title = `${title} | ${t("app.name")}`;
  }, [title, t]);
}
