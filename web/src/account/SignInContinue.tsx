import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { LinkProblem } from "./LinkProblem";
import { useLinkToken } from "./linkToken";
import { type Challenge, isChallenge, SecondStep } from "./SecondStep";
import { useSignedIn } from "./signedIn";
import { submit } from "./submit";

/**
 * The page of the email sent when someone signs in with the right password while signing in is
 * paused (/sign-in/continue?challenge=): the code written in the same email finishes the sign-in
 * (POST /v1/sessions/mfa with the link's challenge id). An account with an authenticator app is
 * then asked for its code too.
 */
export function SignInContinue() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const signedIn = useSignedIn();
  const challengeId = useLinkToken("challenge");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [expired, setExpired] = useState(!challengeId);
  const [busy, setBusy] = useState(false);
  const [next, setNext] = useState<Challenge | null>(null);
  usePageTitle(t("account.continue.title"));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "");
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      () => api.POST("/v1/sessions/mfa", { body: { challenge_id: challengeId, code } }),
      ["code"],
    );
    setBusy(false);
    if (outcome.errors) {
      setErrors(outcome.errors);
      if (outcome.code === "challenge_expired") setExpired(true);
      return;
    }
    const answer = outcome.data;
    if (isChallenge(answer)) setNext(answer);
    else await signedIn(answer);
  }

  if (next !== null) return <SecondStep challenge={next} onStartOver={() => void navigate("/sign-in")} />;
  if (expired) {
    return (
      <>
        <h1>{t("account.continue.title")}</h1>
        <LinkProblem message={errors.general.join(" ") || t("account.link.missing")}>
          <Link to="/sign-in">{t("account.continue.signInAgain")}</Link>
        </LinkProblem>
      </>
    );
  }
  return (
    <>
      <h1>{t("account.continue.title")}</h1>
      <p>{t("account.continue.intro")}</p>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form" onSubmit={onSubmit} noValidate>
        <TextField
          name="code"
          label={t("account.continue.code")}
          error={errors.fields.code}
          autoComplete="one-time-code"
          inputMode="numeric"
          required
        />
        <button className="usa-button" type="submit" disabled={busy}>
          {t("account.continue.submit")}
        </button>
      </form>
      <p>{t("account.continue.notYou")}</p>
    </>
  );
}
