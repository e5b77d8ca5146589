import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { usePageTitle } from "../components/usePageTitle";
import { LinkProblem } from "./LinkProblem";
import { useLinkToken } from "./linkToken";
import { PasswordField } from "./PasswordField";
import { submit } from "./submit";

/** The password reset email's page (/reset-password?token=): POST /v1/account/password-resets/confirm. */
export function ResetPassword() {
  const { t } = useTranslation();
  usePageTitle(t("account.reset.title"));
  const token = useLinkToken("token");
  const [errors, setErrors] = useState<FormErrors>(token ? noErrors : { fields: { token: "" }, general: [] });
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const new_password = String(new FormData(event.currentTarget).get("new_password") ?? "");
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      () => api.POST("/v1/account/password-resets/confirm", { body: { token, new_password } }),
      ["token", "new_password"],
    );
    setBusy(false);
    if (outcome.errors) setErrors(outcome.errors);
    else setDone(true);
  }

  if (done) {
    return (
      <>
        <h1>{t("account.reset.done")}</h1>
        <p>{t("account.reset.doneText")}</p>
        <Link className="usa-button" to="/sign-in">
          {t("account.goSignIn")}
        </Link>
      </>
    );
  }
  if (errors.fields.token !== undefined) {
    return (
      <>
        <h1>{t("account.reset.title")}</h1>
        <LinkProblem message={errors.fields.token || t("account.link.missing")}>
          <Link to="/forgot-password">{t("account.reset.askAgain")}</Link>
        </LinkProblem>
      </>
    );
  }
  return (
    <>
      <h1>{t("account.reset.title")}</h1>
      <p>{t("account.reset.intro")}</p>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form" onSubmit={onSubmit} noValidate>
        <PasswordField name="new_password" label={t("account.password.new")} error={errors.fields.new_password} />
        <button className="usa-button" type="submit" disabled={busy}>
          {t("account.reset.submit")}
        </button>
      </form>
    </>
  );
}
