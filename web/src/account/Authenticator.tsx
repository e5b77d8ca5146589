import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { EmailCodesForm } from "./EmailCodesForm";
import { RecoveryCodes } from "./RecoveryCodes";
import { WithMe } from "./shared";
import { submit } from "./submit";
import { pendingInvitationPage } from "../proxies/pendingInvitation";
import { useReturnPath } from "./signedIn";

/**
 * Setting up an authenticator app: POST /v1/me/second-factors/totp gives a seed (a QR code and the
 * key in text for typing), then a code from the app and the password confirm it
 * (POST /v1/me/second-factors/totp/confirm), which answers recovery codes, shown once. Staff whose
 * session must set up a second factor are sent here.
 */
export function Authenticator() {
  const { t } = useTranslation();
  usePageTitle(t("account.totp.title"));
  return <WithMe>{(me, token) => <AuthenticatorPage me={me} token={token} />}</WithMe>;
}

function AuthenticatorPage({ me, token }: { me: Schemas["Me"]; token: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const back = useReturnPath();
  const queryClient = useQueryClient();
  const [setup, setSetup] = useState<Schemas["TotpSetup"] | null>(null);
  const [codes, setCodes] = useState<string[] | null>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const mustSetUp = me.account.must === "second_factor_setup";

  async function finish() {
    await queryClient.refetchQueries({ queryKey: ["me", token] });
    // (an invitation opened before signing in is finished once the second factor is set up)
    // (then the page that sent the visitor to sign in, an app's request: signedIn.ts)
    await navigate(mustSetUp ? (pendingInvitationPage() ?? back ?? "/") : "/account/security");
  }

  async function start() {
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(() => api.POST("/v1/me/second-factors/totp"), []);
    setBusy(false);
    if (outcome.errors) setErrors(outcome.errors);
    else setSetup(outcome.data);
  }

  async function onConfirm(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body = { code: String(form.get("code") ?? ""), password: String(form.get("password") ?? "") };
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(() => api.POST("/v1/me/second-factors/totp/confirm", { body }), ["code", "password"]);
    setBusy(false);
    if (outcome.errors) setErrors(outcome.errors);
    else setCodes(outcome.data.recovery_codes);
  }

  if (codes !== null) {
    return (
      <>
        <h1>{t("account.totp.done")}</h1>
        <RecoveryCodes codes={codes} onSaved={() => void finish()} />
      </>
    );
  }
  if (me.account.second_factors.includes("totp")) {
    return (
      <>
        <h1>{t("account.totp.title")}</h1>
        <p>{t("account.totp.alreadyOn")}</p>
        <Link to="/account/security">{t("account.security.title")}</Link>
      </>
    );
  }
  return (
    <>
      <h1>{t("account.totp.title")}</h1>
      {mustSetUp && <p>{t("account.totp.mustIntro")}</p>}
      <ErrorSummary messages={errors.general} />
      {setup === null ? (
        <>
          <p>{t("account.totp.intro")}</p>
          <button className="usa-button" type="button" onClick={() => void start()} disabled={busy}>
            {t("account.totp.start")}
          </button>
        </>
      ) : (
        <>
          <h2>{t("account.totp.scanTitle")}</h2>
          <p>{t("account.totp.scan")}</p>
          <QrCode uri={setup.provisioning_uri} />
          <p>{t("account.totp.manual")}</p>
          <p>
            <code className="font-mono-md text-bold" aria-label={t("account.totp.keyLabel")}>
              {setup.secret.match(/.{1,4}/g)?.join(" ")}
            </code>
          </p>
          <h2>{t("account.totp.confirmTitle")}</h2>
          <form className="usa-form" onSubmit={onConfirm} noValidate>
            <TextField
              name="code"
              label={t("account.totp.code")}
              error={errors.fields.code}
              autoComplete="one-time-code"
              inputMode="numeric"
              required
            />
            <TextField
              name="password"
              type="password"
              label={t("account.password.current")}
              error={errors.fields.password}
              autoComplete="current-password"
              required
            />
            <button className="usa-button" type="submit" disabled={busy}>
              {t("account.totp.confirm")}
            </button>
          </form>
        </>
      )}
      {mustSetUp && (
        <section className="margin-top-4">
          <h2>{t("account.totp.orEmail")}</h2>
          <p>{t("account.totp.orEmailIntro")}</p>
          <EmailCodesForm enabled={false} token={token} onCodes={setCodes} onDone={() => void finish()} />
        </section>
      )}
    </>
  );
}

/** The otpauth:// URI as a QR code; the QR library is loaded only on this page. */
function QrCode({ uri }: { uri: string }) {
  const { t } = useTranslation();
  const [svg, setSvg] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    import("uqr")
      .then(({ renderSVG }) => {
        if (live) setSvg(renderSVG(uri, { border: 2 }));
      })
      .catch(() => setSvg(null)); // the key in text still works
    return () => {
      live = false;
    };
  }, [uri]);
  if (svg === null) return null;
  return (
    <img
      src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`}
      alt={t("account.totp.qrAlt")}
      width={200}
      height={200}
    />
  );
}
