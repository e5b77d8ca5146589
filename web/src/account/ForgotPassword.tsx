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
 * POST /v1/account/password-resets, by user name or email address. The API answers alike whether
 * or not such an account exists, and so does this page.
 */
export function ForgotPassword() {
  const { t } = useTranslation();
  usePageTitle(t("account.forgotPassword.title"));
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { username: String(form.get("username") ?? ""), email: String(form.get("email") ?? "") };
    if (!body.username.trim() && !body.email.trim()) {
      setErrors({ fields: { username: t("account.forgotPassword.oneOf") }, general: [] });
      return;
    }
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(() => api.POST("/v1/account/password-resets", { body }), ["username", "email"]);
    setBusy(false);
    if (outcome.errors) setErrors(outcome.errors);
    else setSent(true);
  }

  return (
    <>
      <h1>{t("account.forgotPassword.title")}</h1>
      {sent ? (
        <>
          <div className="usa-alert usa-alert--info" role="status">
            <div className="usa-alert__body">
              <p className="usa-alert__text">{t("account.forgotPassword.sent")}</p>
            </div>
          </div>
          <p>
            <Link to="/sign-in">{t("account.backToSignIn")}</Link>
          </p>
        </>
      ) : (
        <>
          <p>{t("account.forgotPassword.intro")}</p>
          <ErrorSummary messages={errors.general} />
          <form className="usa-form" onSubmit={onSubmit} noValidate>
            <TextField
              name="username"
              label={t("signIn.username")}
              error={errors.fields.username}
              autoComplete="username"
            />
            <TextField
              name="email"
              type="email"
              label={t("account.forgotPassword.orEmail")}
              error={errors.fields.email}
              autoComplete="email"
            />
            <button className="usa-button" type="submit" disabled={busy}>
              {t("account.forgotPassword.submit")}
            </button>
          </form>
          <p>
            <Link to="/forgot-username">{t("account.forgotUsername.title")}</Link>
          </p>
        </>
      )}
    </>
  );
}
