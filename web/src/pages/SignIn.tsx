import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useSearchParams } from "react-router";
import { idleSignOutMinutes, noteIdleSignOut } from "../account/activity";
import { safeReturnPath } from "../account/returnPath";
import { api } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { type Challenge, isChallenge, SecondStep } from "../account/SecondStep";
import { useSignedIn } from "../account/signedIn";
import { submit } from "../account/submit";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";

/** POST /v1/sessions; for an account with a second factor, then the second step (SecondStep). */
export function SignIn() {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  // Set when the idle timeout signed the person out (account/SessionWatch): said once, here.
  const [idleMinutes] = useState(idleSignOutMinutes);
  // Sent here by a health app's request (apps/Authorize): say why, before asking for a password.
  const [search] = useSearchParams();
  const forAnApp = safeReturnPath(search.get("next"))?.startsWith("/apps/authorize?request=") ?? false;
  useEffect(() => () => noteIdleSignOut(null), []);
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  usePageTitle(challenge === null ? t("signIn.title") : t("signIn.codeTitle"));

  async function onPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { username: String(form.get("username")), password: String(form.get("password")) };
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(() => api.POST("/v1/sessions", { body }), ["username", "password"]);
    setBusy(false);
    if (outcome.errors) setErrors(outcome.errors);
    else if (isChallenge(outcome.data)) setChallenge(outcome.data);
    else await signedIn(outcome.data);
  }

  if (challenge !== null) {
    return (
      <SecondStep
        key={challenge.challenge_id}
        challenge={challenge}
        onStartOver={() => {
          setChallenge(null);
          setErrors(noErrors);
        }}
      />
    );
  }

  return (
    <>
      <h1>{t("signIn.title")}</h1>
      {idleMinutes !== null && (
        <div className="usa-alert usa-alert--info usa-alert--slim" role="status">
          <div className="usa-alert__body">
            <p className="usa-alert__text">{t("signIn.idleSignedOut", { count: idleMinutes })}</p>
          </div>
        </div>
      )}
      {forAnApp && (
        <div className="usa-alert usa-alert--info usa-alert--slim">
          <div className="usa-alert__body">
            <p className="usa-alert__text">{t("signIn.forAnApp")}</p>
          </div>
        </div>
      )}
      <ErrorSummary messages={errors.general} />
      <form className="usa-form" onSubmit={onPassword} noValidate>
        <TextField
          name="username"
          label={t("signIn.username")}
          error={errors.fields.username}
          autoComplete="username"
          required
        />
        <TextField
          name="password"
          type="password"
          label={t("signIn.password")}
          error={errors.fields.password}
          autoComplete="current-password"
          required
        />
        <button className="usa-button" type="submit" disabled={busy}>
          {t("signIn.submit")}
        </button>
      </form>
      <ul className="usa-list usa-list--unstyled margin-y-2">
        <li>
          <Link to="/forgot-username">{t("signIn.forgotUsername")}</Link>
        </li>
        <li>
          <Link to="/forgot-password">{t("signIn.forgotPassword")}</Link>
        </li>
        <li>
          <Link to="/support">{t("support.link")}</Link>
        </li>
      </ul>
      <p>{t("signIn.noAccount")}</p>
    </>
  );
}
