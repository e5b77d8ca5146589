import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { formErrors } from "../api/errors";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { useToken } from "../session";
import { redeemInvitation } from "./calls";
import { firstCoveredPage } from "./firstPage";
import { forgetInvitation, keepInvitation, pendingInvitation } from "./pendingInvitation";

/**
 * The invitation's code, from the link's fragment (#code=), which never reaches a server; else the
 * one kept while the visitor signed in.
 */
function codeFromFragment(): string {
  return new URLSearchParams(window.location.hash.slice(1)).get("code") ?? pendingInvitation();
}

/**
 * Where a patient's invitation to someone they trust lands (/proxy-invitation#code=...). Signed
 * in, the code is redeemed at once and the account opens the patient's record; signed out, the
 * person signs in (and follows the link again) or enrolls with the same code.
 */
export function Redeem() {
  const { t } = useTranslation();
  usePageTitle(t("proxies.redeem.title"));
  const token = useToken();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const [code] = useState(codeFromFragment);
  const asked = useRef(false);
  const redeem = useMutation({
    mutationFn: () => redeemInvitation(code),
    onSettled: forgetInvitation,
    onSuccess: async (grant) => {
      await queryClient.invalidateQueries({ queryKey: ["me"] });
      await navigate(firstCoveredPage(grant.patient_id, grant.areas), { replace: true });
    },
  });
  useEffect(() => {
    // The code leaves the address bar and the history at once (it is a secret for one use).
    if (window.location.hash) window.history.replaceState(window.history.state, "", window.location.pathname);
    // Signed out, it waits for the sign-in, which opens this page again to finish.
    if (token === null && code) keepInvitation(code);
    if (token !== null && code && !asked.current) {
      asked.current = true;
      redeem.mutate();
    }
  }, [token, code, redeem]);

  return (
    <>
      <h1>{t("proxies.redeem.title")}</h1>
      {!code ? (
        <Problem message={t("proxies.redeem.noCode")} />
      ) : token === null ? (
        <>
          <p>{t("proxies.redeem.signInFirst")}</p>
          <ul className="usa-button-group">
            <li className="usa-button-group__item">
              <Link className="usa-button" to="/sign-in">
                {t("proxies.redeem.signIn")}
              </Link>
            </li>
            <li className="usa-button-group__item">
              <Link className="usa-button usa-button--outline" to={`/enroll#code=${encodeURIComponent(code)}&from=patient`}>
                {t("proxies.redeem.enroll")}
              </Link>
            </li>
          </ul>
        </>
      ) : redeem.isError ? (
        <Problem message={formErrors(redeem.error, [], t("errors.network")).general.join(" ")} />
      ) : (
        <p role="status">{t("proxies.redeem.working")}</p>
      )}
    </>
  );
}
