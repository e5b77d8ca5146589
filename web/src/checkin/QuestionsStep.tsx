import { type FormEvent, type ReactNode, useState } from "react";
import { useTranslation } from "react-i18next";
import { submit } from "../account/submit";
import { type FormErrors, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextArea, TextField } from "../components/TextField";
import type { RecordView } from "../records/PatientPage";
import { patientCheckIn, renamed } from "./calls";
import type { Answer, AnswerValue, CheckIn, QuestionItem } from "./types";

// More choices than this are a drop-down rather than a column of radio buttons.
const MOST_RADIOS = 5;

/** A question's field name: link ids may hold dots ("2.1"), which a form's flat names cannot. */
const fieldOf = (index: number) => `answer_${index}`;

function startingValues(checkIn: CheckIn): Record<string, AnswerValue> {
  return Object.fromEntries((checkIn.answers ?? []).map((answer) => [answer.link_id, answer.value]));
}

/**
 * The visit type's questionnaire, one field per question in its type (text, yes/no, a date, a
 * number, a choice), required ones marked. The API checks the answers; what it refuses is said next
 * to the question it names ("answers.<link id>"). A visit with no questionnaire says so.
 */
export function QuestionsStep({
  record,
  checkIn,
  onBack,
  onDone,
}: {
  record: RecordView;
  checkIn: CheckIn;
  onBack: () => void;
  onDone: (next: CheckIn) => void;
}) {
  const { t } = useTranslation();
  const questionnaire = checkIn.questionnaire;
  const items = questionnaire?.items ?? [];
  const [values, setValues] = useState<Record<string, AnswerValue>>(() => startingValues(checkIn));
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const submission = useSubmissionKey();
  const set = (linkId: string, value: AnswerValue) => setValues((now) => ({ ...now, [linkId]: value }));

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const answers: Answer[] = items
      .filter((item) => item.type !== "display")
      .map((item) => ({ link_id: item.link_id, value: valueToSend(item, values[item.link_id]) }));
    const byLink = new Map(items.map((item, index) => [`answers.${item.link_id}`, fieldOf(index)]));
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      async () => {
        const reply = await patientCheckIn.answers(record.patientId, checkIn.appointment_id, answers, submission.keyFor(answers));
        return { ...reply, error: renamed(reply.error, (field) => byLink.get(field)) };
      },
      items.map((_, index) => fieldOf(index)),
    );
    setBusy(false);
    if (outcome.errors) setErrors(outcome.errors);
    else {
      submission.done();
      onDone(outcome.data);
    }
  }

  if (!questionnaire || items.length === 0) {
    return (
      <>
        <p>{t("checkin.questions.none")}</p>
        <StepButtons onBack={onBack} next={<button type="button" className="usa-button" onClick={() => onDone(checkIn)}>{t("checkin.next")}</button>} />
      </>
    );
  }
  return (
    <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
      <p className="text-bold">{questionnaire.title}</p>
      <p className="usa-hint">{t("checkin.questions.hint")}</p>
      <ErrorSummary messages={errors.general} />
      {items.map((item, index) => (
        <Question
          key={item.link_id}
          item={item}
          name={fieldOf(index)}
          value={values[item.link_id] ?? null}
          error={errors.fields[fieldOf(index)]}
          onChange={(value) => set(item.link_id, value)}
        />
      ))}
      <StepButtons
        onBack={onBack}
        next={
          <button type="submit" className="usa-button" disabled={busy}>
            {busy ? t("checkin.sending") : t("checkin.questions.save")}
          </button>
        }
      />
    </form>
  );
}

/** What the API is sent for a question: nothing typed is null; a number that is not one goes as typed, for the API to name. */
function valueToSend(item: QuestionItem, value: AnswerValue | undefined): AnswerValue {
  if (value === undefined || value === null || value === "") return null;
  if (item.type === "integer" && typeof value === "string") {
    return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  }
  return value;
}

export function StepButtons({ onBack, next }: { onBack: () => void; next: ReactNode }) {
  const { t } = useTranslation();
  return (
    <ul className="usa-button-group margin-top-3">
      <li className="usa-button-group__item">
        <button type="button" className="usa-button usa-button--outline" onClick={onBack}>
          {t("checkin.back")}
        </button>
      </li>
      <li className="usa-button-group__item">{next}</li>
    </ul>
  );
}

function Question({
  item,
  name,
  value,
  error,
  onChange,
}: {
  item: QuestionItem;
  name: string;
  value: AnswerValue;
  error?: string;
  onChange: (value: AnswerValue) => void;
}) {
  const { t } = useTranslation();
  const label = item.required ? t("checkin.questions.required", { text: item.text }) : item.text;
  const text = value === null || value === undefined ? "" : String(value);
  switch (item.type) {
    case "display":
      return <p>{item.text}</p>;
    case "text":
      return <TextArea name={name} label={label} error={error} value={text} rows={3} onChange={(e) => onChange(e.target.value)} />;
    case "date":
      return <TextField name={name} type="date" label={label} error={error} value={text} onChange={(e) => onChange(e.target.value)} />;
    case "integer":
      return (
        <TextField name={name} type="text" inputMode="numeric" label={label} error={error} value={text} onChange={(e) => onChange(e.target.value)} />
      );
    case "boolean":
      return (
        <Choices
          name={name}
          label={label}
          error={error}
          options={[
            { code: "true", display: t("checkin.questions.yes") },
            { code: "false", display: t("checkin.questions.no") },
          ]}
          chosen={value === null ? "" : String(value)}
          onChoose={(code) => onChange(code === "true")}
        />
      );
    case "choice":
      if (item.options.length > MOST_RADIOS) {
        return (
          <div className={`usa-form-group${error ? " usa-form-group--error" : ""}`}>
            <label className="usa-label" htmlFor={`field-${name}`}>
              {label}
            </label>
            {error && (
              <span className="usa-error-message" id={`field-${name}-error`} role="alert">
                {error}
              </span>
            )}
            <select
              className="usa-select"
              id={`field-${name}`}
              name={name}
              value={text}
              aria-invalid={error ? true : undefined}
              aria-describedby={error ? `field-${name}-error` : undefined}
              onChange={(e) => onChange(e.target.value || null)}
            >
              <option value="">{t("checkin.questions.choose")}</option>
              {item.options.map((option) => (
                <option key={option.code} value={option.code}>
                  {option.display}
                </option>
              ))}
            </select>
          </div>
        );
      }
      return <Choices name={name} label={label} error={error} options={item.options} chosen={text} onChoose={onChange} />;
    default:
      return <TextField name={name} label={label} error={error} value={text} maxLength={1000} onChange={(e) => onChange(e.target.value)} />;
  }
}

function Choices({
  name,
  label,
  error,
  options,
  chosen,
  onChoose,
}: {
  name: string;
  label: string;
  error?: string;
  options: { code: string; display: string }[];
  chosen: string;
  onChoose: (code: string) => void;
}) {
  return (
    <fieldset
      className={`usa-fieldset usa-form-group${error ? " usa-form-group--error" : ""}`}
      aria-describedby={error ? `field-${name}-error` : undefined}
    >
      <legend className="usa-legend">{label}</legend>
      {error && (
        <span className="usa-error-message" id={`field-${name}-error`} role="alert">
          {error}
        </span>
      )}
      {options.map((option, index) => (
        <div className="usa-radio" key={option.code}>
          <input
            className="usa-radio__input"
            id={`field-${name}-${index}`}
            type="radio"
            name={name}
            value={option.code}
            checked={chosen === option.code}
            onChange={() => onChoose(option.code)}
          />
          <label className="usa-radio__label" htmlFor={`field-${name}-${index}`}>
            {option.display}
          </label>
        </div>
      ))}
    </fieldset>
  );
}
