import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { EmailCodesForm } from "./EmailCodesForm";
import { RecoveryCodes } from "./RecoveryCodes";
import { WithMe } from "./shared";
import { type Outcome, submit } from "./submit";

/** The second sign-in steps: the authenticator app, codes by email, recovery codes. */
export function Security() {
  const { t } = useTranslation();
  usePageTitle(t("account.security.title"));
  return <WithMe>{(me, token) => <SecurityPage me={me} token={token} />}</WithMe>;
}

function SecurityPage({ me, token }: { me: Schemas["Me"]; token: string }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const factors = me.account.second_factors;
  const totp = factors.includes("totp");
  const email = factors.includes("email");

  if (codes !== null) {
    return (
      <>
        <h1>{t("account.security.title")}</h1>
        <RecoveryCodes
          codes={codes}
          onSaved={() => {
            setCodes(null);
            setNotice(t("account.recovery.kept"));
          }}
        />
      </>
    );
  }
  return (
    <>
      <h1>{t("account.security.title")}</h1>
      <p>
        <Link to="/account">{t("account.backToAccount")}</Link>
      </p>
      <Notice text={notice} />
      <p>{factors.length === 0 ? t("account.security.none") : t("account.security.intro")}</p>

      <section aria-labelledby="security-totp">
      <h2 id="security-totp">{t("account.totp.title")}</h2>
      <p>{totp ? t("account.security.totpOn") : t("account.security.totpOff")}</p>
      {totp ? (
        <PasswordConfirmForm
          submitLabel={t("account.security.totpTurnOff")}
          send={(password) => submit(() => api.DELETE("/v1/me/second-factors/totp", { body: { password } }), ["password"])}
          onDone={async () => {
            setNotice(t("account.security.totpTurnedOff"));
            await queryClient.invalidateQueries({ queryKey: ["me", token] });
          }}
        />
      ) : (
        <Link className="usa-button" to="/account/authenticator">
          {t("account.security.totpSetUp")}
        </Link>
      )}
      </section>

      <section aria-labelledby="security-email">
      <h2 id="security-email">{t("account.emailCodes.title")}</h2>
      <p>
        {email
          ? t("account.emailCodes.on")
          : me.account.email
            ? t("account.emailCodes.off")
            : t("account.emailCodes.needsAddress")}
      </p>
      {(email || me.account.email) && (
        <EmailCodesForm
          enabled={email}
          token={token}
          onCodes={setCodes}
          onDone={() => setNotice(email ? t("account.emailCodes.turnedOff") : t("account.emailCodes.turnedOn"))}
        />
      )}
      </section>

      {factors.length > 0 && (
        <section aria-labelledby="security-recovery">
          <h2 id="security-recovery">{t("account.recovery.title")}</h2>
          <p>{t("account.recovery.replaceIntro")}</p>
          <PasswordConfirmForm
            submitLabel={t("account.recovery.replace")}
            send={(password) =>
              submit(() => api.POST("/v1/me/second-factors/recovery-codes", { body: { password } }), ["password"])
            }
            onDone={(data) => setCodes((data as Schemas["RecoveryCodes"]).recovery_codes)}
          />
        </section>
      )}
    </>
  );
}

/** A change the password confirms: one password field and a button. */
function PasswordConfirmForm<T>({
  submitLabel,
  send,
  onDone,
}: {
  submitLabel: string;
  send: (password: string) => Promise<Outcome<T>>;
  onDone: (data: T) => void | Promise<void>;
}) {
  const { t } = useTranslation();
  const id = useId().replace(/:/g, "");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const password = String(new FormData(form).get(`password-${id}`) ?? "");
    setBusy(true);
    setErrors(noErrors);
    const outcome = await send(password);
    setBusy(false);
    if (outcome.errors) {
      setErrors(outcome.errors);
      return;
    }
    form.reset();
    await onDone(outcome.data);
  }

  return (
    <form className="usa-form" onSubmit={onSubmit} noValidate>
      <ErrorSummary messages={errors.general} />
      <TextField
        name={`password-${id}`}
        type="password"
        label={t("account.password.current")}
        error={errors.fields.password}
        autoComplete="current-password"
        required
      />
      <button className="usa-button" type="submit" disabled={busy}>
        {submitLabel}
      </button>
    </form>
  );
}
