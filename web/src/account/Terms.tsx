import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, load, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { useDates } from "../components/dates";
import { WithMe } from "./shared";
import { submit } from "./submit";
import { pendingInvitationPage } from "../proxies/pendingInvitation";
import { mustPath, useReturnPath } from "./signedIn";

const fetchTerms = () => load(() => api.GET("/v1/terms"));

/**
 * The current Terms of Use and Informed Consent (GET /v1/terms). A patient who has not accepted
 * this version (a session that `must` accept them) accepts them here: POST /v1/me/terms-acceptances.
 */
export function Terms() {
  const { t } = useTranslation();
  usePageTitle(t("account.terms.title"));
  return <WithMe>{(me, token) => <TermsPage me={me} token={token} />}</WithMe>;
}

function TermsPage({ me, token }: { me: Schemas["Me"]; token: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const navigate = useNavigate();
  const back = useReturnPath();
  const queryClient = useQueryClient();
  const terms = useQuery({ queryKey: ["terms"], queryFn: fetchTerms });
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const accepted = me.account.terms;
  const mustAccept =
    me.account.must === "terms" || (me.account.role === "patient" && terms.data && accepted.accepted_version !== terms.data.version);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!terms.data) return;
    if (new FormData(event.currentTarget).get("accept") !== "yes") {
      setErrors({ fields: { accepted_terms_version: t("enroll.mustAccept") }, general: [] });
      return;
    }
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      () => api.POST("/v1/me/terms-acceptances", { body: { accepted_terms_version: terms.data.version } }),
      ["accepted_terms_version"],
    );
    setBusy(false);
    if (outcome.errors) {
      if (outcome.errors.fields.accepted_terms_version) {
        // A new version was published since this page read the terms: show it, to be read and
        // accepted afresh (the box clears with the new version).
        setErrors({ ...outcome.errors, fields: { accepted_terms_version: t("account.terms.changed") } });
        await queryClient.invalidateQueries({ queryKey: ["terms"] });
        return;
      }
      setErrors(outcome.errors);
      return;
    }
    await queryClient.refetchQueries({ queryKey: ["me", token] });
    // (an invitation opened before signing in is finished once nothing else is owed)
    const owes = queryClient.getQueryData<Schemas["Me"]>(["me", token])?.account.must ?? null;
    // (and then the page that sent the visitor to sign in, an app's request: signedIn.ts)
    await navigate(owes === null ? (pendingInvitationPage() ?? back ?? "/") : (mustPath(owes, back) ?? "/"));
  }

  const termsError = errors.fields.accepted_terms_version;
  return (
    <>
      <h1>{t("account.terms.title")}</h1>
      {terms.isPending && <p>{t("app.loading")}</p>}
      {terms.isError && <Problem message={terms.error.message} />}
      {mustAccept && <p>{t("account.terms.mustIntro")}</p>}
      {!mustAccept && accepted.accepted_version && accepted.accepted_at && (
        <p>
          {t("account.terms.accepted", { version: accepted.accepted_version, date: dates.day(accepted.accepted_at) })}
        </p>
      )}
      {terms.data && (
        <>
          <p>{t("account.terms.version", { version: terms.data.version })}</p>
          {mustAccept && terms.data.summary && (
            <div className="usa-summary-box margin-bottom-2">
              <div className="usa-summary-box__body">
                <h2 className="usa-summary-box__heading">{t("account.terms.whatChanged")}</h2>
                <p className="usa-summary-box__text">{terms.data.summary}</p>
              </div>
            </div>
          )}
          <div className="border-1px padding-2 overflow-y-auto maxh-mobile-lg" tabIndex={0} aria-label={t("account.terms.textLabel")}>
            <h2>{t("enroll.terms")}</h2>
            <p style={{ whiteSpace: "pre-line" }}>{terms.data.terms_of_use}</p>
            <h2>{t("enroll.consent")}</h2>
            <p style={{ whiteSpace: "pre-line" }}>{terms.data.consent}</p>
          </div>
        </>
      )}
      {mustAccept && terms.data && (
        <>
          <ErrorSummary messages={errors.general} />
          <form className="usa-form" onSubmit={onSubmit} noValidate>
            <div className={`usa-form-group${termsError ? " usa-form-group--error" : ""}`}>
              {termsError && (
                <span className="usa-error-message" id="accept-error" role="alert">
                  {termsError}
                </span>
              )}
              <div className="usa-checkbox">
                <input
                  key={terms.data.version}
                  className="usa-checkbox__input"
                  id="field-accept"
                  type="checkbox"
                  name="accept"
                  value="yes"
                  aria-describedby={termsError ? "accept-error" : undefined}
                />
                <label className="usa-checkbox__label" htmlFor="field-accept">
                  {t("enroll.accept")}
                </label>
              </div>
            </div>
            <button className="usa-button" type="submit" disabled={busy}>
              {t("account.terms.submit")}
            </button>
          </form>
        </>
      )}
    </>
  );
}
