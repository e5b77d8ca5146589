import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";

/** An emailed link that no longer works (expired, used, or cut short), and what to do instead. */
export function LinkProblem({ message, children }: { message: string; children: ReactNode }) {
  const { t } = useTranslation();
  return (
    <div className="usa-alert usa-alert--warning" role="alert">
      <div className="usa-alert__body">
        <h2 className="usa-alert__heading">{t("account.link.notWorking")}</h2>
        <p className="usa-alert__text">{message}</p>
        <p className="usa-alert__text">{children}</p>
      </div>
    </div>
  );
}
