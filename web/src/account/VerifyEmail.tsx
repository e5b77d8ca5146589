import { useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client";
import { usePageTitle } from "../components/usePageTitle";
import { useToken } from "../session";
import { LinkProblem } from "./LinkProblem";
import { useOneTimeLink } from "./oneTimeLink";

/** The email confirmation link's page (/verify-email?token=): POST /v1/account/email-verifications. */
export function VerifyEmail() {
  const { t } = useTranslation();
  usePageTitle(t("account.verify.title"));
  const signedIn = useToken() !== null;
  const queryClient = useQueryClient();
  const { outcome, problem } = useOneTimeLink(
    (token) => api.POST("/v1/account/email-verifications", { body: { token } }),
    // A signed-in account's page shows the confirmed address, no longer as waiting
    (done) => (done.data ? queryClient.invalidateQueries({ queryKey: ["me"] }) : undefined),
  );
  return (
    <>
      <h1>{t("account.verify.title")}</h1>
      {problem !== null ? (
        <LinkProblem message={problem}>
          {signedIn ? (
            <Link to="/account">{t("account.verify.askAgainSignedIn")}</Link>
          ) : (
            <>
              {t("account.verify.askAgain")} <Link to="/sign-in">{t("account.goSignIn")}</Link>
            </>
          )}
        </LinkProblem>
      ) : outcome?.data ? (
        <>
          <div className="usa-alert usa-alert--success" role="status">
            <div className="usa-alert__body">
              <p className="usa-alert__text">{t("account.verify.done")}</p>
            </div>
          </div>
          <p>
            <Link className="usa-button" to={signedIn ? "/account" : "/sign-in"}>
              {signedIn ? t("account.verify.toAccount") : t("account.goSignIn")}
            </Link>
          </p>
        </>
      ) : (
        <p>{t("account.verify.checking")}</p>
      )}
    </>
  );
}
