import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { submit } from "../account/submit";
import { type FormErrors, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { fetchMe } from "../api/me";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import type { RecordView } from "../records/PatientPage";
import { patientCheckIn } from "./calls";
import { clinicTime, paragraphs } from "./format";
import { StepButtons } from "./QuestionsStep";
import { SignaturePad } from "./SignaturePad";
import type { CheckIn, FormToSign } from "./types";

const SIGN_FIELDS = ["agree", "typed_name", "signature_png"];

/**
 * The forms of the visit, one at a time: each one's text to read, "I have read this form", the
 * patient's typed full name and, if they like, a drawn signature. Once every form is signed the
 * patient finishes the check-in. A form that changed since the page loaded (409) is loaded again
 * to be read again.
 */
export function FormsStep({
  record,
  checkIn,
  onBack,
  onChanged,
  onCompleted,
}: {
  record: RecordView;
  checkIn: CheckIn;
  onBack: () => void;
  onChanged: () => Promise<void>;
  onCompleted: (next: CheckIn) => void;
}) {
  const { t, i18n } = useTranslation();
  const toSign = checkIn.forms.find((form) => form.signed === null);
  const signed = checkIn.forms.filter((form) => form.signed !== null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const submission = useSubmissionKey();

  async function finish() {
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      () => patientCheckIn.complete(record.patientId, checkIn.appointment_id, submission.keyFor({ complete: checkIn.appointment_id })),
      [],
    );
    setBusy(false);
    if (outcome.errors) setErrors(outcome.errors);
    else onCompleted(outcome.data);
  }

  return (
    <>
      {checkIn.forms.length === 0 ? (
        <p>{t("checkin.forms.none")}</p>
      ) : (
        <p>{t("checkin.forms.intro", { count: checkIn.forms.length, signed: signed.length })}</p>
      )}
      {signed.length > 0 && (
        <ul className="usa-list">
          {signed.map((form) => (
            <li key={form.form_id}>
              {t("checkin.forms.signedItem", {
                title: form.title,
                date: clinicTime(form.signed?.signed_at ?? "", i18n.language),
              })}
            </li>
          ))}
        </ul>
      )}
      {toSign ? (
        // Keyed by the form only: a new version keeps the refusal that says the form changed on screen.
        <SignOne
          key={toSign.form_id}
          record={record}
          checkIn={checkIn}
          form={toSign}
          onBack={onBack}
          onSigned={onChanged}
        />
      ) : (
        <>
          <ErrorSummary messages={errors.general} />
          <p>{t("checkin.forms.allSigned")}</p>
          <StepButtons
            onBack={onBack}
            next={
              <button type="button" className="usa-button" disabled={busy} onClick={() => void finish()}>
                {busy ? t("checkin.sending") : t("checkin.finish")}
              </button>
            }
          />
        </>
      )}
    </>
  );
}

function SignOne({
  record,
  checkIn,
  form,
  onBack,
  onSigned,
}: {
  record: RecordView;
  checkIn: CheckIn;
  form: FormToSign;
  onBack: () => void;
  onSigned: () => Promise<void>;
}) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [signature, setSignature] = useState<string | null>(null);
  const submission = useSubmissionKey();
  const textId = `form-text-${form.form_id}`;
  // Someone acting for the patient signs with their own name (the API refuses the patient's):
  // the grant says which, from the session's cached /v1/me.
  const me = useQuery({ queryKey: ["me", record.token], queryFn: fetchMe, enabled: !record.own });
  const acting = record.own ? undefined : me.data?.acting_for.find((grant) => grant.patient_id === record.patientId);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const typedName = String(data.get("typed_name") ?? "").trim();
    const fields: Record<string, string> = {};
    if (data.get("agree") !== "on") fields.agree = t("checkin.forms.mustRead");
    if (!typedName) fields.typed_name = t("checkin.forms.nameNeeded");
    if (Object.keys(fields).length) {
      setErrors({ fields, general: [] });
      return;
    }
    const body = {
      version: form.version,
      sha256: form.sha256,
      typed_name: typedName,
      signature_png: signature,
      agree: true as const,
    };
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      () => patientCheckIn.sign(record.patientId, checkIn.appointment_id, form.form_id, body, submission.keyFor({ form: form.form_id, ...body })),
      SIGN_FIELDS,
    );
    setBusy(false);
    if (outcome.errors) {
      setErrors(outcome.errors);
      // The form changed, or was signed meanwhile (another tab): show what is current now.
      if (outcome.code === "conflict") await onSigned();
      return;
    }
    submission.done();
    await onSigned();
  }

  return (
    <section aria-labelledby={`form-${form.form_id}`} className="margin-top-3">
      <h3 id={`form-${form.form_id}`}>{form.title}</h3>
      <p className="text-base margin-top-0">{t("checkin.forms.version", { version: form.version })}</p>
      <div
        id={textId}
        role="region"
        aria-label={t("checkin.forms.textOf", { title: form.title })}
        tabIndex={0}
        className="border-1px border-base-lighter radius-md padding-2 bg-base-lightest"
        style={{ maxHeight: "20rem", overflowY: "auto" }}
      >
        {paragraphs(form.body).map((paragraph, index) => (
          <p key={index} style={{ whiteSpace: "pre-wrap" }}>
            {paragraph}
          </p>
        ))}
      </div>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <div className={`usa-form-group${errors.fields.agree ? " usa-form-group--error" : ""}`}>
          {errors.fields.agree && (
            <span className="usa-error-message" id="field-agree-error" role="alert">
              {errors.fields.agree}
            </span>
          )}
          <div className="usa-checkbox">
            <input
              className="usa-checkbox__input"
              id="field-agree"
              type="checkbox"
              name="agree"
              aria-invalid={errors.fields.agree ? true : undefined}
              aria-describedby={errors.fields.agree ? "field-agree-error" : undefined}
            />
            <label className="usa-checkbox__label" htmlFor="field-agree">
              {t("checkin.forms.haveRead", { title: form.title })}
            </label>
          </div>
        </div>
        <TextField
          name="typed_name"
          label={t("checkin.forms.typedName")}
          hint={
            acting
              ? acting.proxy_name
                ? t("checkin.forms.proxyNameHint", { name: acting.proxy_name })
                : t("checkin.forms.proxyNoNameHint")
              : t("checkin.forms.typedNameHint")
          }
          error={errors.fields.typed_name}
          maxLength={200}
          autoComplete="name"
        />
        <SignaturePad id={`signature-${form.form_id}`} onChange={setSignature} />
        {errors.fields.signature_png && (
          <span className="usa-error-message" role="alert">
            {errors.fields.signature_png}
          </span>
        )}
        <StepButtons
          onBack={onBack}
          next={
            <button type="submit" className="usa-button" disabled={busy}>
              {busy ? t("checkin.sending") : t("checkin.forms.sign", { title: form.title })}
            </button>
          }
        />
      </form>
    </section>
  );
}
