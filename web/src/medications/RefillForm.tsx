import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { submit } from "../account/submit";
import { api, type Schemas } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { ErrorSummary } from "../components/ErrorSummary";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { requestPath } from "./Medications";
import {
  fetchMedications,
  flatFields,
  type Medication,
  medicationsKey,
  reasonText,
  refillRequestsKey,
  refusalReason,
} from "./queries";

// The form's fields, flat; the API's "pharmacy.name" lands on "pharmacy_name" (flatFields).
const fields = ["medication_id", "pharmacy_name", "pharmacy_phone", "pharmacy_address", "note"] as const;

/**
 * POST /v1/patients/{patient_id}/refill-requests: a refill of one medication, to a pharmacy. The
 * medication comes from the patient's list (a refill that cannot be asked for online shows why
 * instead of the form). One Idempotency-Key per submission, so a double click or a retry sends
 * one request; once sent, the request's own page opens.
 */
export function RefillForm() {
  const { t } = useTranslation();
  // The title names no medication: a title is kept in the browser's history.
  usePageTitle(t("medications.form.title"));
  const { medicationId = "" } = useParams();
  return (
    <PatientPage area="medications">
      {(record) => (
        <>
          <p>
            <Link to={record.to("/medications")}>{t("medications.form.back")}</Link>
          </p>
          <h1>{t("medications.form.title")}</h1>
          <Chosen record={record} medicationId={medicationId} />
        </>
      )}
    </PatientPage>
  );
}

function Chosen({ record, medicationId }: { record: RecordView; medicationId: string }) {
  const { t, i18n } = useTranslation();
  const medications = useQuery({
    queryKey: medicationsKey(record.token, record.patientId),
    queryFn: () => fetchMedications(record.patientId),
  });
  if (medications.isPending) return <p>{t("app.loading")}</p>;
  if (medications.isError) return <Problem message={medications.error.message} />;
  const medication = medications.data.medications.find((m) => m.medication_id === medicationId);
  if (medication === undefined) return <Problem message={t("medications.form.noSuchMedication")} />;
  return (
    <>
      <p>
        <span className="text-bold">{t("medications.form.medication")}: </span>
        {medication.name}
        {medication.dosage.length > 0 && <span className="display-block">{medication.dosage.join("; ")}</span>}
      </p>
      {medication.refill.can_request ? (
        <RequestForm record={record} medication={medication} />
      ) : (
        <div className="usa-alert usa-alert--info usa-alert--slim">
          <div className="usa-alert__body">
            <p className="usa-alert__text">{reasonText(t, medication, i18n.language)}</p>
          </div>
        </div>
      )}
    </>
  );
}

function RequestForm({ record, medication }: { record: RecordView; medication: Medication }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [refused, setRefused] = useState(false);
  const [busy, setBusy] = useState(false);
  // A second click lands before React has re-rendered the button as disabled: the ref sees it.
  const sending = useRef(false);
  const submission = useSubmissionKey();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending.current) return;
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "").trim();
    const body: Schemas["NewRefillRequest"] = {
      medication_id: medication.medication_id,
      pharmacy: {
        name: value("pharmacy_name"),
        phone: value("pharmacy_phone") || null,
        address: value("pharmacy_address") || null,
      },
      note: value("note"),
    };
    if (!body.pharmacy.name) {
      setErrors({ fields: { pharmacy_name: t("errors.required") }, general: [] });
      return;
    }
    sending.current = true;
    setBusy(true);
    setErrors(noErrors);
    const key = submission.keyFor(body);
    const outcome = await submit(async () => {
      const answer = await api.POST("/v1/patients/{patient_id}/refill-requests", {
        params: { path: { patient_id: record.patientId }, header: { "Idempotency-Key": key } },
        body,
      });
      if (answer.error !== undefined) setRefused(refusalReason(answer.error) !== null);
      return answer.error === undefined ? answer : { ...answer, error: flatFields(answer.error) };
    }, fields);
    if (outcome.errors) {
      sending.current = false;
      setBusy(false);
      setErrors(outcome.errors);
      return;
    }
    // (sending stays set: the form is left for the request's page, and a click meanwhile is not a new request)
    submission.done();
    // The medication now has a request pending, and the list of requests one more.
    void queryClient.invalidateQueries({ queryKey: medicationsKey(record.token, record.patientId) });
    void queryClient.invalidateQueries({ queryKey: refillRequestsKey(record.token, record.patientId) });
    queryClient.setQueryData([...refillRequestsKey(record.token, record.patientId), outcome.data.request_id], outcome.data);
    void navigate(requestPath(record, outcome.data.request_id), { state: { sent: true } });
  }

  if (refused) {
    // The API found a reason the list did not show yet: its words, and the way back.
    return <ErrorSummary messages={errors.general} />;
  }
  return (
    <>
      <p>{t("medications.form.intro")}</p>
      <ErrorSummary messages={errors.general.concat(errors.fields.medication_id ?? [])} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <fieldset className="usa-fieldset">
          <legend className="usa-legend usa-legend--large">{t("medications.form.pharmacyTitle")}</legend>
          <TextField
            name="pharmacy_name"
            label={t("medications.form.pharmacyName")}
            error={errors.fields.pharmacy_name}
            maxLength={200}
            required
          />
          <TextField
            name="pharmacy_phone"
            type="tel"
            label={t("medications.form.pharmacyPhone")}
            error={errors.fields.pharmacy_phone}
            maxLength={40}
          />
          <TextArea
            name="pharmacy_address"
            label={t("medications.form.pharmacyAddress")}
            error={errors.fields.pharmacy_address}
            maxLength={300}
            rows={3}
          />
        </fieldset>
        <TextArea
          name="note"
          label={t("medications.form.note")}
          hint={t("medications.form.noteHint")}
          error={errors.fields.note}
          maxLength={1000}
        />
        <button className="usa-button" type="submit" disabled={busy}>
          {busy ? t("medications.form.sending") : t("medications.form.send")}
        </button>
      </form>
    </>
  );
}
