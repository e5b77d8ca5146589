import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { setToken } from "../session";

type Challenge = Schemas["SecondFactorChallenge"];
type Answer = Schemas["OpenedSession"] | Challenge;

function isChallenge(answer: Answer): answer is Challenge {
  return "challenge_id" in answer;
}

/** POST /v1/sessions; for an account with a second factor, then POST /v1/sessions/mfa. */
export function SignIn() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [challenge, setChallenge] = useState<Challenge | null>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  usePageTitle(challenge === null ? t("signIn.title") : t("signIn.codeTitle"));

  async function send(call: () => Promise<{ data?: Answer; error?: unknown }>, fields: string[]) {
    setBusy(true);
    setErrors(noErrors);
    try {
      const { data, error } = await call();
      if (data === undefined) {
        setErrors(formErrors(error, fields, t("errors.unexpected")));
      } else if (isChallenge(data)) {
        setChallenge(data); // the first step, or a new challenge after an emailed code
      } else {
        setToken(data.token);
        await navigate("/");
      }
    } catch {
      setErrors({ fields: {}, general: [t("errors.network")] });
    } finally {
      setBusy(false);
    }
  }

  function onPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { username: String(form.get("username")), password: String(form.get("password")) };
    void send(() => api.POST("/v1/sessions", { body }), ["username", "password"]);
  }

  function onCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (challenge === null) return;
    const body = { challenge_id: challenge.challenge_id, code: String(new FormData(event.currentTarget).get("code")) };
    void send(() => api.POST("/v1/sessions/mfa", { body }), ["code"]);
  }

  if (challenge !== null) {
    return (
      <>
        <h1>{t("signIn.codeTitle")}</h1>
        <p>{t("signIn.codeIntro")}</p>
        <ul>
          {challenge.methods.map((method) => (
            <li key={method}>{t(`signIn.method.${method}`)}</li>
          ))}
        </ul>
        <ErrorSummary messages={errors.general} />
        <form className="usa-form" onSubmit={onCode} noValidate>
          <TextField
            key={challenge.challenge_id}
            name="code"
            label={t("signIn.code")}
            error={errors.fields.code}
            autoComplete="one-time-code"
            required
          />
          <button className="usa-button" type="submit" disabled={busy}>
            {t("signIn.codeSubmit")}
          </button>
          <button
            className="usa-button usa-button--unstyled"
            type="button"
            onClick={() => {
              setChallenge(null);
              setErrors(noErrors);
            }}
          >
            {t("signIn.startOver")}
          </button>
        </form>
      </>
    );
  }

  return (
    <>
      <h1>{t("signIn.title")}</h1>
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
      <p>{t("signIn.noAccount")}</p>
    </>
  );
}
