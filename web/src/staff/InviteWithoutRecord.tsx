import { type FormEvent, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";

const FIELDS = ["email", "given_name", "family_name", "birth_date"] as const;

/**
 * Invite someone who has no record here (a parent, a guardian, a health-care agent) to open a
 * portal account, from which they ask for proxy access: POST /v1/staff/proxy-invitations. The
 * person is named in the request body only; the page's address and title name nobody.
 */
export function InviteWithoutRecord() {
  const { t } = useTranslation();
  usePageTitle(t("staff.proxyInvite.title"));
  return <StaffPage>{() => <InviteForm />}</StaffPage>;
}

function InviteForm() {
  const { t } = useTranslation();
  const dates = useDates();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState<Schemas["InvitationIssued"] | null>(null);
  // A new key empties the form after a success, so the next person starts from blank fields.
  const [round, setRound] = useState(0);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const body: Schemas["ProxyInvitationRequest"] = {
      email: text("email"),
      given_name: text("given_name"),
      family_name: text("family_name"),
      birth_date: text("birth_date"),
    };
    // Blank fields and an email without its "@" are said here, next to each field, in the words
    // the other staff forms use: the API's own refusal of them is its validator's, not a person's.
    const missing = checked(body, t);
    if (Object.keys(missing).length > 0) {
      setSent(null);
      return setErrors({ fields: missing, general: [] });
    }
    setBusy(true);
    setErrors(noErrors);
    setSent(null);
    try {
      const { data, error } = await api.POST("/v1/staff/proxy-invitations", { body });
      if (data === undefined) {
        setErrors(besideFields(formErrors(error, FIELDS, t("errors.unexpected"))));
      } else {
        setSent(data);
        setRound((n) => n + 1);
      }
    } catch {
      setErrors({ fields: {}, general: [t("errors.network")] });
    }
    setBusy(false);
  }

  return (
    <>
      <h1>{t("staff.proxyInvite.title")}</h1>
      <p>{t("staff.proxyInvite.intro")}</p>
      <p>{t("staff.proxyInvite.answers")}</p>
      <Notice text={sent ? t("staff.proxyInvite.sent", { date: dates.moment(sent.expires_at) }) : null} />
      <ErrorSummary messages={errors.general} />
      <form key={round} className="usa-form" onSubmit={onSubmit} noValidate>
        <TextField
          name="given_name"
          label={t("staff.proxyInvite.givenName")}
          error={errors.fields.given_name}
          autoComplete="off"
          required
        />
        <TextField
          name="family_name"
          label={t("staff.proxyInvite.familyName")}
          error={errors.fields.family_name}
          autoComplete="off"
          required
        />
        <TextField
          name="birth_date"
          type="date"
          label={t("staff.proxyInvite.birthDate")}
          hint={t("staff.proxyInvite.birthDateHint")}
          error={errors.fields.birth_date}
          required
        />
        <TextField
          name="email"
          type="email"
          label={t("staff.proxyInvite.email")}
          error={errors.fields.email}
          autoComplete="off"
          required
        />
        <button className="usa-button" type="submit" disabled={busy}>
          {busy ? t("staff.proxyInvite.sending") : t("staff.proxyInvite.submit")}
        </button>
      </form>
    </>
  );
}

function checked(body: Schemas["ProxyInvitationRequest"], t: TFunction): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const name of FIELDS) if (!body[name]) fields[name] = t("errors.required");
  if (body.email && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.email)) fields.email = t("staff.proxyInvite.emailInvalid");
  return fields;
}

/** When the fields say what is wrong, the API's general "not valid" above the form says nothing more. */
function besideFields(errors: FormErrors): FormErrors {
  return Object.keys(errors.fields).length > 0 ? { fields: errors.fields, general: [] } : errors;
}
