import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { useSignedIn } from "./signedIn";
import { submit } from "./submit";

export type Challenge = Schemas["SecondFactorChallenge"];
type Method = Challenge["methods"][number];
type Answer = Schemas["OpenedSession"] | Challenge;

export function isChallenge(answer: Answer): answer is Challenge {
  return "challenge_id" in answer;
}

/**
 * The second step of a sign-in: a code from one of the methods the challenge lists (the
 * authenticator app, an emailed code, a recovery code), chosen by the person. POST
 * /v1/sessions/mfa; for codes by email, POST /v1/sessions/mfa/email-code sends one first.
 */
export function SecondStep({ challenge, onStartOver }: { challenge: Challenge; onStartOver: () => void }) {
  const { t } = useTranslation();
  const signedIn = useSignedIn();
  const [current, setCurrent] = useState(challenge);
  const [method, setMethod] = useState<Method>(challenge.methods[0] ?? "totp");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [emailSent, setEmailSent] = useState(false);
  const [expired, setExpired] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  // The page changed in place (the address did not): the focus goes to its new heading, so a
  // screen reader says where the person is and the keyboard starts there.
  useEffect(() => heading.current?.focus(), []);

  function choose(next: Method) {
    setMethod(next);
    setErrors(noErrors);
  }

  async function sendEmailCode() {
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      () => api.POST("/v1/sessions/mfa/email-code", { body: { challenge_id: current.challenge_id } }),
      ["code"],
    );
    setBusy(false);
    if (outcome.errors) {
      setErrors(outcome.errors);
      if (outcome.code === "challenge_expired") setExpired(true);
    } else setEmailSent(true);
  }

  async function onCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "");
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      () => api.POST("/v1/sessions/mfa", { body: { challenge_id: current.challenge_id, code } }),
      ["code"],
    );
    setBusy(false);
    if (outcome.errors) {
      setErrors(outcome.errors);
      if (outcome.code === "challenge_expired") setExpired(true);
      return;
    }
    const answer = outcome.data as Answer;
    if (isChallenge(answer)) {
      // a further step (after an emailed unlock code, an authenticator app's code is still asked)
      setCurrent(answer);
      setMethod(answer.methods[0] ?? "totp");
      setEmailSent(false);
    } else {
      await signedIn(answer);
    }
  }

  return (
    <>
      <h1 ref={heading} tabIndex={-1}>
        {t("signIn.codeTitle")}
      </h1>
      <ErrorSummary messages={errors.general} />
      {expired ? (
        <button className="usa-button" type="button" onClick={onStartOver}>
          {t("signIn.startOver")}
        </button>
      ) : (
        <>
          {current.methods.length > 1 ? (
            <fieldset className="usa-fieldset">
              <legend className="usa-legend">{t("signIn.chooseMethod")}</legend>
              {current.methods.map((option) => (
                <div className="usa-radio" key={option}>
                  <input
                    className="usa-radio__input"
                    id={`method-${option}`}
                    type="radio"
                    name="method"
                    value={option}
                    checked={method === option}
                    onChange={() => choose(option)}
                  />
                  <label className="usa-radio__label" htmlFor={`method-${option}`}>
                    {t(`signIn.method.${option}`)}
                  </label>
                </div>
              ))}
            </fieldset>
          ) : (
            <p>{t(`signIn.methodIntro.${method}`)}</p>
          )}
          {method === "email" && (
            <div className="margin-y-2">
              <button className="usa-button usa-button--outline" type="button" onClick={sendEmailCode} disabled={busy}>
                {emailSent ? t("signIn.sendEmailAgain") : t("signIn.sendEmail")}
              </button>
              {emailSent && (
                <p role="status" className="margin-top-1">
                  {t("signIn.emailSent")}
                </p>
              )}
            </div>
          )}
          <form className="usa-form" onSubmit={onCode} noValidate>
            <TextField
              key={`${current.challenge_id}-${method}`}
              name="code"
              label={t(`signIn.codeLabel.${method}`)}
              hint={t(`signIn.codeHint.${method}`)}
              error={errors.fields.code}
              autoComplete="one-time-code"
              inputMode={method === "recovery_code" ? "text" : "numeric"}
              required
            />
            <button className="usa-button" type="submit" disabled={busy}>
              {t("signIn.codeSubmit")}
            </button>
            <button className="usa-button usa-button--unstyled" type="button" onClick={onStartOver}>
              {t("signIn.startOver")}
            </button>
          </form>
        </>
      )}
    </>
  );
}
