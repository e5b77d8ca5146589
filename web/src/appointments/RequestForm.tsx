import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { submit } from "../account/submit";
import { type FormErrors, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextArea } from "../components/TextField";
import type { RecordView } from "../records/PatientPage";
import { flatFields } from "./errors";
import { appointmentRequestsKey, requestPath, visitsKey } from "./queries";
import { type AppointmentRequest, type Preferred, type TimeOfDay, timesOfDay, type VisitMode, visitModes } from "./types";

export const MAX_DAYS = 5;
const MAX_DAYS_AHEAD = 90;

/** What the form sends, whichever request it is: the care team is added by the new request's page. */
export interface RequestBody {
  reason: string;
  mode: VisitMode;
  preferred: Preferred[];
}

interface Row extends Preferred {
  row: number; // a stable React key: rows may be removed
}

/** A day as the date field writes it ("2027-01-15"), on the reader's calendar. */
function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * The part of a request for a visit the patient and the clinic share, new or a move: why, in
 * person or by video, and one to five days that suit, each with a time of day. Checked here first
 * (every problem at once, next to its field); the API checks again and its refusals land next to
 * the field they name. One Idempotency-Key per submission; once sent, the request's page opens.
 */
export function RequestForm({
  record,
  send,
  extraFields = [],
  extraCheck,
  children,
  submitLabel,
  initialMode = "in_person",
}: {
  record: RecordView;
  /** The call: the body (and the key) to the API, its answer or refusal back. */
  send: (
    body: RequestBody,
    key: string,
  ) => Promise<{ data?: AppointmentRequest; error?: unknown; response?: Response }>;
  /** Fields the page adds above (the care team): named so refusals land next to them. */
  extraFields?: string[];
  /** The page's own check of its fields: problems by field name. */
  extraCheck?: (form: FormData) => Record<string, string>;
  children?: (errors: FormErrors) => ReactNode;
  submitLabel: string;
  initialMode?: VisitMode;
}) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [mode, setMode] = useState<VisitMode>(initialMode);
  const [rows, setRows] = useState<Row[]>([{ row: 0, date: "", time_of_day: "any" }]);
  const [nextRow, setNextRow] = useState(1);
  // Set at once, not on the next render as `busy` is: the second click of a double click meets it.
  const sending = useRef(false);
  const submission = useSubmissionKey();
  const today = new Date();
  const min = isoDay(today);
  const max = isoDay(new Date(today.getFullYear(), today.getMonth(), today.getDate() + MAX_DAYS_AHEAD));
  const fields = ["reason", "mode", "preferred", ...rows.map((_, index) => `preferred_${index}_date`), ...extraFields];

  function setRow(row: number, change: Partial<Preferred>) {
    setRows(rows.map((r) => (r.row === row ? { ...r, ...change } : r)));
  }

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending.current) return;
    const form = new FormData(event.currentTarget);
    const reason = String(form.get("reason") ?? "").trim();
    const problems: Record<string, string> = extraCheck?.(form) ?? {};
    if (!reason) problems.reason = t("appointments.form.reasonRequired");
    rows.forEach((r, index) => {
      if (!r.date) problems[`preferred_${index}_date`] = t("appointments.form.dateRequired");
      else if (r.date < min || r.date > max) problems[`preferred_${index}_date`] = t("appointments.form.dateRange");
    });
    const days = rows.map((r) => r.date).filter(Boolean);
    if (new Set(days).size !== days.length) problems.preferred = t("appointments.form.sameDay");
    if (Object.keys(problems).length > 0) {
      setErrors({ fields: problems, general: [] });
      return;
    }
    const body: RequestBody = { reason, mode, preferred: rows.map(({ date, time_of_day }) => ({ date, time_of_day })) };
    sending.current = true;
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(async () => {
      const answer = await send(body, submission.keyFor({ ...body, extra: [...form.entries()].map(String) }));
      return answer.error === undefined ? answer : { ...answer, error: flatFields(answer.error) };
    }, fields);
    setBusy(false);
    if (outcome.errors) {
      sending.current = false;
      setErrors(outcome.errors);
      return;
    }
    // (sending stays set: the page is left for the request's own, and a click meanwhile is not a new request)
    submission.done();
    const request = outcome.data as AppointmentRequest;
    void queryClient.invalidateQueries({ queryKey: appointmentRequestsKey(record.token, record.patientId) });
    void queryClient.invalidateQueries({ queryKey: visitsKey(record.token, record.patientId) });
    queryClient.setQueryData([...appointmentRequestsKey(record.token, record.patientId), request.request_id], request);
    void navigate(record.to(requestPath(request.request_id)), { state: { sent: true } });
  }

  const general = errors.general.concat(errors.fields.preferred ?? []);
  return (
    <>
      <ErrorSummary messages={general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        {children?.(errors)}
        <TextArea
          name="reason"
          label={t("appointments.form.reason")}
          hint={t("appointments.form.reasonHint")}
          error={errors.fields.reason}
          maxLength={500}
          rows={3}
          required
        />
        <fieldset className="usa-fieldset margin-top-3">
          <legend className="usa-legend usa-legend--large">{t("appointments.form.modeTitle")}</legend>
          {errors.fields.mode && (
            <span className="usa-error-message" role="alert">
              {errors.fields.mode}
            </span>
          )}
          {visitModes.map((value) => (
            <div className="usa-radio" key={value}>
              <input
                className="usa-radio__input"
                id={`mode-${value}`}
                type="radio"
                name="mode"
                value={value}
                checked={mode === value}
                onChange={() => setMode(value)}
              />
              <label className="usa-radio__label" htmlFor={`mode-${value}`}>
                {t(`appointments.mode.${value}`)}
              </label>
            </div>
          ))}
        </fieldset>
        <fieldset className="usa-fieldset margin-top-3">
          <legend className="usa-legend usa-legend--large">{t("appointments.form.daysTitle")}</legend>
          <p className="usa-hint">{t("appointments.form.daysHint", { count: MAX_DAYS_AHEAD })}</p>
          {rows.map((r, index) => {
            const number = index + 1;
            const dateField = `preferred_${index}_date`;
            const error = errors.fields[dateField];
            return (
              <fieldset key={r.row} className="usa-fieldset border-1px border-base-lighter padding-2 margin-top-2">
                <legend className="usa-legend text-bold">{t("appointments.form.choice", { number })}</legend>
                <div className={`usa-form-group${error ? " usa-form-group--error" : ""}`}>
                  <label className={`usa-label${error ? " usa-label--error" : ""}`} htmlFor={`field-${dateField}`}>
                    {t("appointments.form.date")}
                  </label>
                  {error && (
                    <span className="usa-error-message" id={`field-${dateField}-error`} role="alert">
                      {error}
                    </span>
                  )}
                  <input
                    className={`usa-input${error ? " usa-input--error" : ""}`}
                    type="date"
                    id={`field-${dateField}`}
                    name={dateField}
                    min={min}
                    max={max}
                    value={r.date}
                    aria-invalid={error ? true : undefined}
                    aria-describedby={error ? `field-${dateField}-error` : undefined}
                    onChange={(event) => setRow(r.row, { date: event.target.value })}
                  />
                </div>
                <div className="usa-form-group">
                  <label className="usa-label" htmlFor={`preferred-${r.row}-time`}>
                    {t("appointments.form.timeOfDay")}
                  </label>
                  <select
                    className="usa-select"
                    id={`preferred-${r.row}-time`}
                    value={r.time_of_day}
                    onChange={(event) => setRow(r.row, { time_of_day: event.target.value as TimeOfDay })}
                  >
                    {timesOfDay.map((value) => (
                      <option key={value} value={value}>
                        {t(`appointments.timeOfDay.${value}`)}
                      </option>
                    ))}
                  </select>
                </div>
                {rows.length > 1 && (
                  <button
                    type="button"
                    className="usa-button usa-button--unstyled margin-top-2"
                    onClick={() => setRows(rows.filter((other) => other.row !== r.row))}
                  >
                    {t("appointments.form.removeDay", { number })}
                  </button>
                )}
              </fieldset>
            );
          })}
          {rows.length < MAX_DAYS && (
            <button
              type="button"
              className="usa-button usa-button--outline margin-top-2"
              onClick={() => {
                setRows([...rows, { row: nextRow, date: "", time_of_day: "any" }]);
                setNextRow(nextRow + 1);
              }}
            >
              {t("appointments.form.addDay")}
            </button>
          )}
        </fieldset>
        <button className="usa-button margin-top-4" type="submit" disabled={busy}>
          {busy ? t("appointments.form.sending") : submitLabel}
        </button>
      </form>
    </>
  );
}
