import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { useLinkToken } from "../account/linkToken";
import { PasswordField } from "../account/PasswordField";
import { useMe } from "../account/shared";
import { useToken } from "../session";

const FIELDS = [
  "invitation_code",
  "date_of_birth",
  "family_name",
  "username",
  "password",
  "email",
  "accepted_terms_version",
] as const;

/**
 * The landing page of the invitation email (/enroll?code=...): POST /v1/enrollments with the
 * code, the patient's birth date and family name (matched against their record), a user name, a
 * password, an email address and the version of the terms they accepted (GET /v1/terms).
 */
export function Enroll() {
  const { t } = useTranslation();
  // The code is a secret: read once, it leaves the address bar and the history entry at once.
  const code = useLinkToken("code");
  // A patient's invitation of someone they trust (from /proxy-invitation): the code is the proof,
  // so the birth date and family name asked are the invitee's own, matched against no record.
  const fromPatient = useLinkToken("from") === "patient";
  usePageTitle(t("enroll.title"));
  const token = useToken();
  const signedIn = token !== null;
  const terms = useQuery({ queryKey: ["terms"], queryFn: () => load(() => api.GET("/v1/terms")), enabled: !signedIn });
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  // The user name and email typed so far, for the password rules that name them.
  const [chosen, setChosen] = useState({ username: "", email: "" });
  const enroll = useMutation({
    mutationFn: async (body: Schemas["Enrollment"]) => {
      const { data, error } = await api.POST("/v1/enrollments", { body });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setErrors(noErrors),
    onError: async (error) => {
      const found = formErrors(error, FIELDS, t("errors.network"));
      if (found.fields.accepted_terms_version) {
        // A new version was published while the patient read this one: show it, to be read and
        // accepted afresh (the box clears with the new version).
        found.fields.accepted_terms_version = t("enroll.termsChanged");
        setErrors(found);
        await queryClient.invalidateQueries({ queryKey: ["terms"] });
        return;
      }
      setErrors(found);
    },
  });

  // A patient who has an account already gets an invitation from another organization: the same
  // link adds that organization's record to the account instead of creating a second one.
  if (signedIn) return <SignedIn code={code} token={token} />;

  if (enroll.data) {
    return (
      <>
        <h1>{t("enroll.done")}</h1>
        <p>{t("enroll.doneText", { username: enroll.data.username })}</p>
        {enroll.data.email_verification_sent && <p>{t("enroll.verificationSent")}</p>}
        <Link className="usa-button" to="/sign-in">
          {t("enroll.goSignIn")}
        </Link>
      </>
    );
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!terms.data) return;
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "");
    if (form.get("accept") !== "yes") {
      setErrors({ fields: { accepted_terms_version: t("enroll.mustAccept") }, general: [] });
      return;
    }
    enroll.mutate({
      invitation_code: text("invitation_code"),
      date_of_birth: text("date_of_birth"),
      family_name: text("family_name"),
      username: text("username"),
      password: text("password"),
      email: text("email"),
      accepted_terms_version: terms.data.version,
    });
  }

  const termsError = errors.fields.accepted_terms_version;
  return (
    <>
      <h1>{t("enroll.title")}</h1>
      <p>{t(fromPatient ? "enroll.trusted.intro" : "enroll.intro")}</p>
      <ErrorSummary messages={terms.isError ? [terms.error.message, ...errors.general] : errors.general} />
      <form
        className="usa-form usa-form--large"
        onSubmit={onSubmit}
        onChange={(event) => {
          const form = new FormData(event.currentTarget);
          setChosen({ username: String(form.get("username") ?? ""), email: String(form.get("email") ?? "") });
        }}
        noValidate
      >
        <TextField
          name="invitation_code"
          label={t("enroll.invitationCode")}
          hint={t("enroll.invitationCodeHint")}
          defaultValue={code}
          error={errors.fields.invitation_code}
          autoComplete="off"
          required
        />
        <TextField
          name="date_of_birth"
          type="date"
          label={t(fromPatient ? "enroll.trusted.dateOfBirth" : "enroll.dateOfBirth")}
          {...(fromPatient && { hint: t("enroll.trusted.aboutYou") })}
          error={errors.fields.date_of_birth}
          autoComplete="bday"
          required
        />
        <TextField
          name="family_name"
          label={t(fromPatient ? "enroll.trusted.familyName" : "enroll.familyName")}
          error={errors.fields.family_name}
          autoComplete="family-name"
          required
        />
        <TextField
          name="username"
          label={t("enroll.username")}
          error={errors.fields.username}
          autoComplete="username"
          required
        />
        <PasswordField
          name="password"
          label={t("enroll.password")}
          error={errors.fields.password}
          username={chosen.username}
          email={chosen.email}
        />
        <TextField
          name="email"
          type="email"
          label={t("enroll.email")}
          error={errors.fields.email}
          autoComplete="email"
          required
        />
        {terms.data && (
          <fieldset className={`usa-fieldset usa-form-group${termsError ? " usa-form-group--error" : ""}`}>
            <legend className="usa-legend">{t("enroll.terms")}</legend>
            <div className="border-1px padding-1 overflow-y-auto maxh-card-lg" tabIndex={0}>
              <p style={{ whiteSpace: "pre-line" }}>{terms.data.terms_of_use}</p>
              <h3>{t("enroll.consent")}</h3>
              <p style={{ whiteSpace: "pre-line" }}>{terms.data.consent}</p>
            </div>
            {termsError && (
              <span className="usa-error-message" id="accept-error" role="alert">
                {termsError}
              </span>
            )}
            <div className="usa-checkbox">
              <input
                key={terms.data.version}
                className="usa-checkbox__input"
                id="field-accept"
                type="checkbox"
                name="accept"
                value="yes"
                aria-describedby={termsError ? "accept-error" : undefined}
              />
              <label className="usa-checkbox__label" htmlFor="field-accept">
                {t("enroll.accept")}
              </label>
            </div>
          </fieldset>
        )}
        <button className="usa-button" type="submit" disabled={!terms.data || enroll.isPending}>
          {t("enroll.submit")}
        </button>
      </form>
    </>
  );
}

/**
 * Only a patient's account can take an organization on (POST /v1/me/connections); staff and
 * admins who follow an invitation link, say to check it for a patient, are told whose link it is
 * instead of being offered a button the API refuses.
 */
function SignedIn({ code, token }: { code: string; token: string }) {
  const { t } = useTranslation();
  const me = useMe(token);
  if (me.isPending) return <p>{t("app.loading")}</p>;
  if (me.isError) return <Problem message={me.error.message} />;
  if (me.data.account.role === "patient") return <ConnectInstead code={code} />;
  return (
    <>
      <h1>{t("enroll.notForStaffTitle")}</h1>
      <p>{t("enroll.notForStaff")}</p>
      <Link className="usa-button" to="/">
        {t("enroll.goHome")}
      </Link>
    </>
  );
}

function ConnectInstead({ code }: { code: string }) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const connect = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.POST("/v1/me/connections", { body: { invitation_code: code } });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setErrors(noErrors),
    onError: (error) => setErrors(formErrors(error, ["invitation_code"], t("errors.network"))),
  });
  if (connect.data) {
    const organization = connect.data.organization_name ?? connect.data.organization_id;
    return (
      <>
        <h1>{t("enroll.connectTitle")}</h1>
        <p role="status">{t(`records.connections.added_${connect.data.status}`, { organization })}</p>
        <Link className="usa-button" to="/connections">
          {t("enroll.goConnections")}
        </Link>
      </>
    );
  }
  const problems = [...errors.general, ...Object.values(errors.fields)];
  return (
    <>
      <h1>{t("enroll.connectTitle")}</h1>
      <p>{t("enroll.connectIntro")}</p>
      <ErrorSummary messages={problems} />
      <button type="button" className="usa-button" disabled={connect.isPending || !code} onClick={() => connect.mutate()}>
        {t("enroll.connect")}
      </button>
    </>
  );
}
