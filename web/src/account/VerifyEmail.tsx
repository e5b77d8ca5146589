import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client";
import { usePageTitle } from "../components/usePageTitle";
import { useToken } from "../session";
import { LinkProblem } from "./LinkProblem";
import { useLinkToken } from "./linkToken";
import { submit } from "./submit";

/** The email confirmation link's page (/verify-email?token=): POST /v1/account/email-verifications. */
export function VerifyEmail() {
  const { t } = useTranslation();
  usePageTitle(t("account.verify.title"));
  const token = useLinkToken("token");
  const signedIn = useToken() !== null;
  const queryClient = useQueryClient();
  const verify = useMutation({
    mutationFn: () => submit(() => api.POST("/v1/account/email-verifications", { body: { token } }), ["token"]),
    // A signed-in account's page shows the confirmed address, no longer as waiting
    onSuccess: (outcome) => (outcome.data ? queryClient.invalidateQueries({ queryKey: ["me"] }) : undefined),
  });
  const { mutate } = verify;
  const sent = useRef(false);
  // Once per page (StrictMode runs effects twice): the link works once, so a second call would
  // only say it was used.
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    mutate();
  }, [token, mutate]);

  const outcome = verify.data;
  const problem = !token
    ? t("account.link.missing")
    : outcome?.errors
      ? (outcome.errors.fields.token ?? outcome.errors.general.join(" "))
      : null;
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
