import { useLayoutEffect } from "react";
import { useTranslation } from "react-i18next";

/**
 * Names the page in the browser's tab and history, which a screen reader announces on arrival.
 * A layout effect, so the title changes in the same commit as the heading it names: nothing (a
 * screen reader, a test on a slow machine) can see the new heading under the old title.
 */
export function usePageTitle(title: string): void {
  const { t } = useTranslation();
  useLayoutEffect(() => {
    document.title = `${title} | ${t("app.name")}`;
  }, [title, t]);
}
