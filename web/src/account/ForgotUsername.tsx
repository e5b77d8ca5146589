import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { submit } from "./submit";

/**
 * POST /v1/account/username-reminders. The API answers alike whether or not an account has the
 * address, and so does this page: it must not tell a stranger whose address is registered.
 */
export function ForgotUsername() {
  const { t } = useTranslation();
  usePageTitle(t("account.forgotUsername.title"));
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const email = String(new FormData(event.currentTarget).get("email") ?? "");
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(() => api.POST("/v1/account/username-reminders", { body: { email } }), ["email"]);
    setBusy(false);
    if (outcome.errors) setErrors(outcome.errors);
    else setSent(true);
  }

  return (
    <>
      <h1>{t("account.forgotUsername.title")}</h1>
      {sent ? (
        <>
          <div className="usa-alert usa-alert--info" role="status">
            <div className="usa-alert__body">
              <p className="usa-alert__text">{t("account.forgotUsername.sent")}</p>
            </div>
          </div>
          <p>
            <Link to="/sign-in">{t("account.backToSignIn")}</Link>
          </p>
        </>
      ) : (
        <>
          <p>{t("account.forgotUsername.intro")}</p>
          <ErrorSummary messages={errors.general} />
          <form className="usa-form" onSubmit={onSubmit} noValidate>
            <TextField
              name="email"
              type="email"
              label={t("account.email.address")}
              error={errors.fields.email}
              autoComplete="email"
              required
            />
            <button className="usa-button" type="submit" disabled={busy}>
              {t("account.forgotUsername.submit")}
            </button>
          </form>
          <p>
            <Link to="/sign-in">{t("account.backToSignIn")}</Link>
          </p>
        </>
      )}
    </>
  );
}
