import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { FormErrors } from "../api/errors";
import type { Slot, VisitMode } from "../appointments/types";
import { visitModes } from "../appointments/types";
import { TextArea, TextField } from "../components/TextField";

export type SlotAction = "book" | "propose";

/** What staff send to book or propose a time: the start on the clinic's wall clock. */
export interface SlotBody {
  starts_at: string;
  minutes: number;
  clinician: string;
  place: string;
  mode: VisitMode;
  note: string;
}

export const slotFields = ["starts_at", "minutes", "clinician", "place", "mode", "note"] as const;

/** "2027-01-15T09:30:00-05:00" as the date and time fields hold it, on the clinic's clock as sent. */
function wallClock(value: string | undefined): { date: string; time: string } {
  const match = value ? /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/.exec(value) : null;
  return match ? { date: match[1]!, time: match[2]! } : { date: "", time: "" };
}

/**
 * A time for the visit: the day and time on the clinic's clock, how long, with whom, where, in
 * person or by video, and a note the patient reads. One form, two ways out: book it (staff have
 * put it in the scheduling system) or propose it (the patient answers first). Checked here first;
 * the API's refusals land next to the field they name.
 */
export function SlotForm({
  initial,
  mode: initialMode,
  errors,
  busy,
  onSend,
  onProblems,
}: {
  initial: Slot | null;
  mode: VisitMode;
  errors: FormErrors;
  busy: boolean;
  onSend: (action: SlotAction, body: SlotBody) => void;
  onProblems: (fields: Record<string, string>) => void;
}) {
  const { t } = useTranslation();
  const start = wallClock(initial?.starts_at);
  const [date, setDate] = useState(start.date);
  const [time, setTime] = useState(start.time);
  const [mode, setMode] = useState<VisitMode>(initial?.mode ?? initialMode);
  // Which button sent the form: a click lands before the submit event (Enter presses the first).
  const action = useRef<SlotAction>("book");

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "").trim();
    const problems: Record<string, string> = {};
    if (!date || !time) problems.starts_at = t("staff.appointmentRequests.slot.whenRequired");
    const minutes = Number(value("minutes"));
    if (!/^\d+$/.test(value("minutes")) || minutes < 5 || minutes > 480) problems.minutes = t("staff.appointmentRequests.slot.minutesRange");
    if (Object.keys(problems).length > 0) {
      onProblems(problems);
      return;
    }
    onSend(action.current, {
      starts_at: `${date}T${time}`,
      minutes,
      clinician: value("clinician"),
      place: value("place"),
      mode,
      note: value("note"),
    });
  }

  const whenError = errors.fields.starts_at;
  return (
    <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate aria-labelledby="slot-title">
      <h3 id="slot-title">{t("staff.appointmentRequests.slot.title")}</h3>
      <p>{t("staff.appointmentRequests.slot.intro")}</p>
      <fieldset className={`usa-fieldset${whenError ? " usa-form-group usa-form-group--error" : ""}`}>
        <legend className="usa-legend text-bold">{t("staff.appointmentRequests.slot.when")}</legend>
        <p className="usa-hint" id="slot-when-hint">
          {t("staff.appointmentRequests.slot.whenHint")}
        </p>
        {whenError && (
          <span className="usa-error-message" id="slot-when-error" role="alert">
            {whenError}
          </span>
        )}
        <div className="display-flex flex-wrap">
          <div className="margin-right-2">
            <label className="usa-label margin-top-1" htmlFor="field-starts_at">
              {t("staff.appointmentRequests.slot.date")}
            </label>
            <input
              className={`usa-input${whenError ? " usa-input--error" : ""}`}
              type="date"
              id="field-starts_at"
              value={date}
              aria-invalid={whenError ? true : undefined}
              aria-describedby={`slot-when-hint${whenError ? " slot-when-error" : ""}`}
              onChange={(event) => setDate(event.target.value)}
            />
          </div>
          <div>
            <label className="usa-label margin-top-1" htmlFor="slot-time">
              {t("staff.appointmentRequests.slot.time")}
            </label>
            <input
              className={`usa-input${whenError ? " usa-input--error" : ""}`}
              type="time"
              id="slot-time"
              value={time}
              aria-invalid={whenError ? true : undefined}
              aria-describedby={`slot-when-hint${whenError ? " slot-when-error" : ""}`}
              onChange={(event) => setTime(event.target.value)}
            />
          </div>
        </div>
      </fieldset>
      <TextField
        name="minutes"
        label={t("staff.appointmentRequests.slot.minutes")}
        error={errors.fields.minutes}
        inputMode="numeric"
        defaultValue={String(initial?.minutes ?? 30)}
        className={`usa-input usa-input--small${errors.fields.minutes ? " usa-input--error" : ""}`}
      />
      <TextField
        name="clinician"
        label={t("staff.appointmentRequests.slot.clinician")}
        error={errors.fields.clinician}
        defaultValue={initial?.clinician ?? ""}
        maxLength={200}
        autoComplete="off"
      />
      <TextField
        name="place"
        label={t("staff.appointmentRequests.slot.place")}
        error={errors.fields.place}
        defaultValue={initial?.place ?? ""}
        maxLength={200}
        autoComplete="off"
      />
      <fieldset className="usa-fieldset margin-top-3">
        <legend className="usa-legend text-bold">{t("staff.appointmentRequests.slot.mode")}</legend>
        {errors.fields.mode && (
          <span className="usa-error-message" role="alert">
            {errors.fields.mode}
          </span>
        )}
        {visitModes.map((value) => (
          <div className="usa-radio" key={value}>
            <input
              className="usa-radio__input"
              id={`slot-mode-${value}`}
              type="radio"
              name="slot-mode"
              checked={mode === value}
              onChange={() => setMode(value)}
            />
            <label className="usa-radio__label" htmlFor={`slot-mode-${value}`}>
              {t(`appointments.mode.${value}`)}
            </label>
          </div>
        ))}
      </fieldset>
      <TextArea
        name="note"
        label={t("staff.appointmentRequests.slot.note")}
        hint={t("staff.appointmentRequests.slot.noteHint")}
        error={errors.fields.note}
        maxLength={1000}
        rows={3}
      />
      <ul className="usa-button-group margin-top-3">
        <li className="usa-button-group__item">
          <button className="usa-button" type="submit" disabled={busy} onClick={() => (action.current = "book")}>
            {t("staff.appointmentRequests.slot.book")}
          </button>
        </li>
        <li className="usa-button-group__item">
          <button className="usa-button usa-button--outline" type="submit" disabled={busy} onClick={() => (action.current = "propose")}>
            {t("staff.appointmentRequests.slot.propose")}
          </button>
        </li>
      </ul>
    </form>
  );
}
