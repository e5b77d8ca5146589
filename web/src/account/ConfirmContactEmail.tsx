import { useMutation } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import { usePageTitle } from "../components/usePageTitle";
import { LinkProblem } from "./LinkProblem";
import { useLinkToken } from "./linkToken";
import { submit } from "./submit";

/**
 * The page the link lands on when staff entered a new email address on a patient's record
 * (/confirm-contact-email?token=): POST /v1/account/contact-email-confirmations. No sign-in: the
 * patient may have no account yet.
 */
export function ConfirmContactEmail() {
  const { t } = useTranslation();
  usePageTitle(t("account.contactEmail.title"));
  const token = useLinkToken("token");
  const confirm = useMutation({
    mutationFn: () =>
      submit(() => api.POST("/v1/account/contact-email-confirmations", { body: { token } }), ["token"]),
  });
  const { mutate } = confirm;
  const sent = useRef(false);
  // Once per page (StrictMode runs effects twice): the link works once, so a second call would
  // only say it was used.
  useEffect(() => {
    if (!token || sent.current) return;
    sent.current = true;
    mutate();
  }, [token, mutate]);

  const outcome = confirm.data;
  const problem = !token
    ? t("account.link.missing")
    : outcome?.errors
      ? (outcome.errors.fields.token ?? outcome.errors.general.join(" "))
      : null;
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
