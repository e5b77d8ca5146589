import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { PasswordField } from "./PasswordField";
import { WithMe } from "./shared";
import { submit } from "./submit";

type Preferences = Schemas["NotificationPreferences"];
// Only the emails the portal sends today are offered: messages, appointments and forms are not
// built yet, so a choice about their emails would promise something that does not exist. (The API
// keeps those preferences for when they are.)
const PREFERENCES: (keyof Preferences)[] = ["email_new_results", "email_messages"];

/** The account's own page: email, password, notification preferences, terms, and links to security. */
export function Account() {
  const { t } = useTranslation();
  usePageTitle(t("account.title"));
  return <WithMe>{(me, token) => <AccountPage me={me} token={token} />}</WithMe>;
}

function AccountPage({ me, token }: { me: Schemas["Me"]; token: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const { account } = me;
  return (
    <>
      <h1>{t("account.title")}</h1>
      <p>{t("home.signedInAs", { username: account.username })}</p>
      <ul className="usa-list">
        <li>
          <Link to="/account/security">{t("account.security.title")}</Link>
        </li>
        <li>
          <Link to="/account/sign-in-history">{t("account.history.title")}</Link>
        </li>
      </ul>
      <EmailSection me={me} token={token} />
      <PasswordSection me={me} />
      <PreferencesSection me={me} token={token} />
      <section aria-labelledby="account-terms">
        <h2 id="account-terms">{t("account.terms.title")}</h2>
        <p>
          {account.terms.accepted_version && account.terms.accepted_at
            ? t("account.terms.accepted", {
                version: account.terms.accepted_version,
                date: dates.day(account.terms.accepted_at),
              })
            : t("account.terms.noneAccepted")}
        </p>
        <Link to="/account/terms">{t("account.terms.read")}</Link>
      </section>
    </>
  );
}

function EmailSection({ me, token }: { me: Schemas["Me"]; token: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const { account } = me;

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const body = { email: String(data.get("email") ?? ""), password: String(data.get("email_password") ?? "") };
    setBusy(true);
    setErrors(noErrors);
    setSent(null);
    const outcome = await submit(() => api.PUT("/v1/me/email", { body }), ["email", "password"]);
    setBusy(false);
    if (outcome.errors) {
      setErrors(outcome.errors);
      return;
    }
    form.reset();
    setSent(outcome.data.pending_email);
    await queryClient.invalidateQueries({ queryKey: ["me", token] });
  }

  return (
    <section aria-labelledby="account-email">
      <h2 id="account-email">{t("account.email.title")}</h2>
      <p>{account.email ? t("account.email.current", { email: account.email }) : t("account.email.none")}</p>
      {account.pending_email && <p>{t("account.email.pending", { email: account.pending_email })}</p>}
      <Notice text={sent && t("account.email.sent", { email: sent })} />
      <ErrorSummary messages={errors.general} />
      <form className="usa-form" onSubmit={onSubmit} noValidate>
        <TextField
          name="email"
          type="email"
          label={t("account.email.new")}
          error={errors.fields.email}
          autoComplete="email"
          required
        />
        <TextField
          name="email_password"
          type="password"
          label={t("account.password.current")}
          error={errors.fields.password}
          autoComplete="current-password"
          required
        />
        <button className="usa-button" type="submit" disabled={busy}>
          {t("account.email.submit")}
        </button>
      </form>
    </section>
  );
}

function PasswordSection({ me }: { me: Schemas["Me"] }) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [ended, setEnded] = useState<number | null>(null);
  const [formKey, setFormKey] = useState(0);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const body = {
      current_password: String(data.get("current_password") ?? ""),
      new_password: String(data.get("new_password") ?? ""),
    };
    setBusy(true);
    setErrors(noErrors);
    setEnded(null);
    const outcome = await submit(() => api.PUT("/v1/me/password", { body }), ["current_password", "new_password"]);
    setBusy(false);
    if (outcome.errors) {
      setErrors(outcome.errors);
      return;
    }
    setEnded(outcome.data.other_sessions_ended);
    setFormKey((key) => key + 1); // empties both fields (the new one is controlled)
  }

  return (
    <section aria-labelledby="account-password">
      <h2 id="account-password">{t("account.password.title")}</h2>
      <Notice text={ended !== null ? t("account.password.changed", { count: ended }) : null} />
      <ErrorSummary messages={errors.general} />
      <form key={formKey} className="usa-form" onSubmit={onSubmit} noValidate>
        <TextField
          name="current_password"
          type="password"
          label={t("account.password.current")}
          error={errors.fields.current_password}
          autoComplete="current-password"
          required
        />
        <PasswordField
          name="new_password"
          label={t("account.password.new")}
          error={errors.fields.new_password}
          username={me.account.username}
          email={me.account.email ?? undefined}
        />
        <button className="usa-button" type="submit" disabled={busy}>
          {t("account.password.submit")}
        </button>
      </form>
    </section>
  );
}

function PreferencesSection({ me, token }: { me: Schemas["Me"]; token: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    // the choices not offered yet are sent back as they are
    const shown = Object.fromEntries(PREFERENCES.map((name) => [name, data.get(name) === "on"]));
    const body: Preferences = { ...me.notification_preferences, ...shown };
    setBusy(true);
    setErrors(noErrors);
    setSaved(false);
    const outcome = await submit(() => api.PUT("/v1/me/notification-preferences", { body }), PREFERENCES);
    setBusy(false);
    if (outcome.errors) {
      setErrors(outcome.errors);
      return;
    }
    setSaved(true);
    queryClient.setQueryData<Schemas["Me"]>(["me", token], (old) =>
      old ? { ...old, notification_preferences: outcome.data.notification_preferences } : old,
    );
  }

  return (
    <section aria-labelledby="account-preferences">
      <h2 id="account-preferences">{t("account.preferences.title")}</h2>
      <Notice text={saved ? t("account.preferences.saved") : null} />
      <ErrorSummary messages={errors.general} />
      <form className="usa-form" onSubmit={onSubmit} noValidate>
        <fieldset className="usa-fieldset">
          <legend className="usa-legend">{t("account.preferences.legend")}</legend>
          {PREFERENCES.map((name) => (
            <div className="usa-checkbox" key={name}>
              <input
                className="usa-checkbox__input"
                id={`pref-${name}`}
                type="checkbox"
                name={name}
                defaultChecked={me.notification_preferences[name]}
              />
              <label className="usa-checkbox__label" htmlFor={`pref-${name}`}>
                {t(`account.preferences.${name}`)}
              </label>
              {errors.fields[name] && <span className="usa-error-message">{errors.fields[name]}</span>}
            </div>
          ))}
        </fieldset>
        <button className="usa-button" type="submit" disabled={busy}>
          {t("account.preferences.submit")}
        </button>
      </form>
    </section>
  );
}
