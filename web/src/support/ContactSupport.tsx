import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { submit } from "../account/submit";
import { api, type Schemas } from "../api/client";
import { type FormErrors, load, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { useToken } from "../session";

type NewRequest = Schemas["NewSupportRequest"];
type Received = Schemas["SupportRequestReceived"];
export const topics: NewRequest["topic"][] = ["sign_in", "enrollment", "billing", "technical", "other"];
const fields = ["organization_id", "topic", "description", "name", "email", "phone"] as const;

/**
 * POST /v1/support-requests: anyone, signed in or not, asks an organization for help. The
 * organizations come from the API's public list; a signed-in account's request is linked to it
 * (the API client sends the session). One Idempotency-Key per submission, so a double click or a
 * retry sends one request.
 */
export function ContactSupport() {
  const { t } = useTranslation();
  usePageTitle(t("support.contact.title"));
  const token = useToken();
  const organizations = useQuery({
    queryKey: ["support-organizations"],
    queryFn: () => load(() => api.GET("/v1/support-requests/organizations")),
  });
  const [received, setReceived] = useState<Received | null>(null);

  return (
    <>
      <h1>{t("support.contact.title")}</h1>
      {received ? (
        <Received received={received} onAnother={() => setReceived(null)} />
      ) : (
        <>
          <p className="usa-intro">{t("support.contact.intro")}</p>
          <p>{t("support.contact.noUrgent")}</p>
          {organizations.isPending && <p>{t("app.loading")}</p>}
          {organizations.isError && <Problem message={organizations.error.message} />}
          {organizations.data &&
            (organizations.data.organizations.length === 0 ? (
              <p>{t("support.contact.noOrganizations")}</p>
            ) : (
              <SupportForm organizations={organizations.data.organizations} onSent={setReceived} />
            ))}
        </>
      )}
      {token === null && (
        <p>
          <Link to="/sign-in">{t("account.backToSignIn")}</Link>
        </p>
      )}
    </>
  );
}

function Received({ received, onAnother }: { received: Received; onAnother: () => void }) {
  const { t } = useTranslation();
  return (
    <>
      <div className="usa-alert usa-alert--success" role="status">
        <div className="usa-alert__body">
          <h2 className="usa-alert__heading">{t("support.contact.sentTitle")}</h2>
          <p className="usa-alert__text">{t("support.contact.reference", { reference: received.reference })}</p>
          <p className="usa-alert__text">
            {received.acknowledgement_emailed ? t("support.contact.acknowledged") : t("support.contact.notAcknowledged")}
          </p>
        </div>
      </div>
      <button type="button" className="usa-button usa-button--unstyled margin-top-2" onClick={onAnother}>
        {t("support.contact.another")}
      </button>
    </>
  );
}

function SupportForm({
  organizations,
  onSent,
}: {
  organizations: Schemas["SupportOrganization"][];
  onSent: (received: Received) => void;
}) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const submission = useSubmissionKey();
  // Set at once, not on the next render as `busy` is, and kept once sent (the form gives way to the
  // receipt): the second click of a double click never sends a second request.
  const sending = useRef(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending.current) return;
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "").trim();
    const body: NewRequest = {
      organization_id: value("organization_id"),
      topic: value("topic") as NewRequest["topic"],
      description: value("description"),
      name: value("name") || null,
      email: value("email") || null,
      phone: value("phone") || null,
    };
    const missing: Record<string, string> = {};
    if (!body.description) missing.description = t("errors.required");
    if (!body.email && !body.phone) missing.email = t("support.contact.reachRequired");
    if (Object.keys(missing).length > 0) {
      setErrors({ fields: missing, general: [] });
      return;
    }
    sending.current = true;
    setBusy(true);
    setErrors(noErrors);
    const key = submission.keyFor(body);
    const outcome = await submit(
      () => api.POST("/v1/support-requests", { body, params: { header: { "Idempotency-Key": key } } }),
      fields,
    );
    setBusy(false);
    if (outcome.errors) {
      sending.current = false;
      setErrors(outcome.errors);
      return;
    }
    submission.done();
    onSent(outcome.data);
  }

  return (
    <>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <Field name="organization_id" label={t("support.contact.organization")} error={errors.fields.organization_id}>
          {(control) => (
            <select className="usa-select" {...control} defaultValue={organizations[0]?.organization_id}>
              {organizations.map((organization) => (
                <option key={organization.organization_id} value={organization.organization_id}>
                  {organization.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field name="topic" label={t("support.contact.topic")} error={errors.fields.topic}>
          {(control) => (
            <select className="usa-select" {...control} defaultValue="sign_in">
              {topics.map((topic) => (
                <option key={topic} value={topic}>
                  {t(`support.topic.${topic}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <TextArea
          name="description"
          label={t("support.contact.description")}
          hint={t("support.contact.descriptionHint")}
          error={errors.fields.description}
          maxLength={4000}
          required
        />
        <fieldset className="usa-fieldset margin-top-3">
          <legend className="usa-legend usa-legend">{t("support.contact.reachTitle")}</legend>
          <p className="usa-hint">{t("support.contact.reachHint")}</p>
          <TextField name="name" label={t("support.contact.name")} error={errors.fields.name} autoComplete="name" />
          <TextField
            name="email"
            type="email"
            label={t("support.contact.email")}
            error={errors.fields.email}
            autoComplete="email"
          />
          <TextField name="phone" type="tel" label={t("support.contact.phone")} error={errors.fields.phone} autoComplete="tel" />
        </fieldset>
        <button className="usa-button" type="submit" disabled={busy}>
          {busy ? t("support.contact.sending") : t("support.contact.send")}
        </button>
      </form>
    </>
  );
}
