import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { LinkProblem } from "./LinkProblem";
import { useLinkToken } from "./linkToken";
import { PasswordField } from "./PasswordField";
import { submit } from "./submit";

/** A new staff account's set-up link (/account-setup?token=): POST /v1/account/setup. */
export function AccountSetup() {
  const { t } = useTranslation();
  usePageTitle(t("account.setup.title"));
  const token = useLinkToken("token");
  const [errors, setErrors] = useState<FormErrors>(token ? noErrors : { fields: { token: "" }, general: [] });
  const [busy, setBusy] = useState(false);
  const [username, setUsername] = useState("");
  const [done, setDone] = useState<string | null>(null);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const password = String(new FormData(event.currentTarget).get("password") ?? "");
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      () => api.POST("/v1/account/setup", { body: { token, username, password } }),
      ["token", "username", "password"],
    );
    setBusy(false);
    if (outcome.errors) setErrors(outcome.errors);
    else setDone(outcome.data?.username ?? username);
  }

  if (done !== null) {
    return (
      <>
        <h1>{t("account.setup.done")}</h1>
        <p>{t("account.setup.doneText", { username: done })}</p>
        <Link className="usa-button" to="/sign-in">
          {t("account.goSignIn")}
        </Link>
      </>
    );
  }
  if (errors.fields.token !== undefined) {
    return (
      <>
        <h1>{t("account.setup.title")}</h1>
        <LinkProblem message={errors.fields.token || t("account.link.missing")}>
          {t("account.setup.askAgain")} <Link to="/forgot-password">{t("account.forgotPassword.title")}</Link>
        </LinkProblem>
      </>
    );
  }
  return (
    <>
      <h1>{t("account.setup.title")}</h1>
      <p>{t("account.setup.intro")}</p>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form" onSubmit={onSubmit} noValidate>
        <TextField
          name="username"
          label={t("account.setup.username")}
          hint={t("account.setup.usernameHint")}
          error={errors.fields.username}
          autoComplete="username"
          value={username}
          onChange={(event) => setUsername(event.target.value)}
          required
        />
        <PasswordField
          name="password"
          label={t("account.password.choose")}
          error={errors.fields.password}
          username={username}
        />
        <button className="usa-button" type="submit" disabled={busy}>
          {t("account.setup.submit")}
        </button>
      </form>
    </>
  );
}
