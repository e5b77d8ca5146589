import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import { usePageTitle } from "../components/usePageTitle";
import { LinkProblem } from "./LinkProblem";
import { useOneTimeLink } from "./oneTimeLink";

/**
 * The page the link lands on when staff entered a new email address on a patient's record
 * (/confirm-contact-email?token=): POST /v1/account/contact-email-confirmations. No sign-in: the
 * patient may have no account yet.
 */
export function ConfirmContactEmail() {
  const { t } = useTranslation();
  usePageTitle(t("account.contactEmail.title"));
  const { outcome, problem } = useOneTimeLink((token) =>
    api.POST("/v1/account/contact-email-confirmations", { body: { token } }),
  );
  return (
    <>
      <h1>{t("account.contactEmail.title")}</h1>
      {problem !== null ? (
        <LinkProblem message={problem}>{t("account.contactEmail.askAgain")}</LinkProblem>
      ) : outcome?.data ? (
        <div className="usa-alert usa-alert--success" role="status">
          <div className="usa-alert__body">
            <p className="usa-alert__text">{t("account.contactEmail.done")}</p>
          </div>
        </div>
      ) : (
        <p>{t("account.contactEmail.checking")}</p>
      )}
    </>
  );
}
