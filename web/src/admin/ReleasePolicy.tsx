import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { isErrorBody, load, sentence } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";

// What a policy may name (release.policy on the API): result categories, document types, and a
// test by its coding system and code. Anything not named is shown at once.
const categories = ["lab", "pathology", "imaging", "other"] as const;
const documentTypes = ["discharge-summary", "visit-summary", "report", "note"] as const;
const units = { minutes: 60, hours: 3600, days: 86400 } as const;
type Unit = keyof typeof units;
const MAX_SECONDS = 30 * 86400;
const MAX_ENTRIES = 200;
const SYSTEM = /^[A-Za-z0-9._:/-]{1,100}$/;
const CODE = /^[A-Za-z0-9._-]{1,100}$/;

type Exception = NonNullable<Schemas["PolicyDelay"]["exception"]>;
// The information-blocking exceptions a wait may rest on (45 CFR 171.201 to 171.205), the likeliest first.
const exceptions: Exception[] = ["preventing_harm", "privacy", "security", "infeasibility", "health_it_performance"];

/** A delay as the form holds it: an amount ("" for "at once"), its unit, and the exception it rests on. */
interface Delay {
  amount: string;
  unit: Unit;
  exception: Exception | "";
}

interface TestRule extends Delay {
  row: number; // a stable React key and field name: rows may be removed
  system: string;
  code: string;
}

type HeldItems = Schemas["ReleasePolicy"]["held_items"];
// What patients see of a result staff hold for a legal or harm reason (never its name): one line
// saying something is being reviewed (the default), or nothing until it is released.
const heldChoices: HeldItems[] = ["say_being_reviewed", "show_nothing"];

interface Form {
  byKey: Record<string, Delay>; // "category:lab", "document:note"
  tests: TestRule[];
  heldItems: HeldItems;
}

const atOnce: Delay = { amount: "", unit: "hours", exception: "" };

/** Seconds in the largest unit that divides them evenly (345600 is "4 days", 5400 "90 minutes"). */
function delayOf({ seconds, exception }: Schemas["PolicyDelay"]): Delay {
  if (seconds === 0) return atOnce;
  const ground = exception ?? "";
  for (const unit of ["days", "hours", "minutes"] as const) {
    if (seconds % units[unit] === 0) return { amount: String(seconds / units[unit]), unit, exception: ground };
  }
  return { amount: String(Math.max(1, Math.round(seconds / 60))), unit: "minutes", exception: ground };
}

function formOf(policy: Schemas["ReleasePolicy"]): Form {
  const byKey: Record<string, Delay> = {};
  const tests: TestRule[] = [];
  let row = 0;
  for (const [key, delay] of Object.entries(policy.delays)) {
    if (key.startsWith("code:")) {
      const [system, ...code] = key.slice(5).split("|");
      tests.push({ row: row++, system: system ?? "", code: code.join("|"), ...delayOf(delay) });
    } else {
      byKey[key] = delayOf(delay);
    }
  }
  return { byKey, tests, heldItems: policy.held_items ?? "say_being_reviewed" };
}

type PolicyDelay = Schemas["PolicyDelayChange"];

const testKey = (rule: TestRule) => `code:${rule.system.trim()}|${rule.code.trim()}`;

/**
 * The form as a policy, or the problems of its fields (by field name: a category's or document
 * type's key, or "test-<row>-system" ...). Checked here first so that the admin sees every
 * problem at once, next to its field; the API checks the same rules again.
 */
function policyOf(form: Form, t: TFunction) {
  const delays: Record<string, PolicyDelay> = {};
  const problems: Record<string, string> = {};
  const seconds = (delay: Delay, field: string): number | null => {
    const text = delay.amount.trim();
    if (text === "" || /^0+$/.test(text)) return 0;
    if (!/^\d+$/.test(text)) {
      problems[field] = t("admin.policy.wholeNumber");
      return null;
    }
    const value = Number(text) * units[delay.unit];
    if (value > MAX_SECONDS) {
      problems[field] = t("admin.policy.tooLong");
      return null;
    }
    // A wait withholds results from patients: it names the exception that allows it.
    if (delay.exception === "") {
      problems[`${field}-exception`] = t("admin.policy.exceptionMissing");
      return null;
    }
    return value;
  };
  const entry = (delay: Delay, value: number): PolicyDelay =>
    value ? { seconds: value, exception: delay.exception || null } : { seconds: 0 };
  for (const [key, delay] of Object.entries(form.byKey)) {
    const value = seconds(delay, key);
    if (value) delays[key] = entry(delay, value); // "at once" is the default: not written
  }
  for (const rule of form.tests) {
    const field = `test-${rule.row}`;
    if (!SYSTEM.test(rule.system.trim())) problems[`${field}-system`] = t("admin.policy.systemInvalid");
    if (!CODE.test(rule.code.trim())) problems[`${field}-code`] = t("admin.policy.codeInvalid");
    const value = seconds(rule, `${field}-delay`);
    if (problems[`${field}-system`] || problems[`${field}-code`] || value === null) continue;
    if (testKey(rule) in delays) problems[`${field}-code`] = t("admin.policy.duplicate");
    else delays[testKey(rule)] = entry(rule, value); // a test's own "at once" wins over its category's delay
  }
  return { delays, problems };
}

/** The admins' page of the organization's release policy: when results and documents are shown to patients. */
export function ReleasePolicy() {
  const { t } = useTranslation();
  usePageTitle(t("admin.policy.title"));
  return <AdminPage>{(token) => <PolicyLoader token={token} />}</AdminPage>;
}

function PolicyLoader({ token }: { token: string }) {
  const { t } = useTranslation();
  const policy = useQuery({
    queryKey: ["admin-release-policy", token],
    queryFn: () => load(() => api.GET("/v1/admin/release-policy")),
  });
  return (
    <>
      <h1>{t("admin.policy.title")}</h1>
      <p className="usa-intro">{t("admin.policy.intro")}</p>
      <div className="usa-summary-box margin-bottom-3" role="region" aria-labelledby="policy-rules">
        <div className="usa-summary-box__body">
          <h2 className="usa-summary-box__heading" id="policy-rules">
            {t("admin.policy.rulesTitle")}
          </h2>
          <ul className="usa-list">
            <li>{t("admin.policy.ruleAtOnce")}</li>
            <li>{t("admin.policy.ruleException")}</li>
            <li>{t("admin.policy.ruleTestWins")}</li>
            <li>{t("admin.policy.ruleFromNow")}</li>
            <li>{t("admin.policy.ruleHolds")}</li>
            <li>{t("admin.policy.rulePatientWaits")}</li>
            <li>{t("admin.policy.ruleCritical")}</li>
          </ul>
        </div>
      </div>
      {policy.isPending && <p>{t("app.loading")}</p>}
      {policy.isError && <Problem message={policy.error.message} />}
      {policy.data && <PolicyForm token={token} initial={formOf(policy.data)} />}
    </>
  );
}

function DelayInput({
  name,
  label,
  hint,
  delay,
  error,
  exceptionError,
  onChange,
}: {
  name: string;
  label: string;
  hint?: string;
  delay: Delay;
  error?: string;
  exceptionError?: string;
  onChange: (delay: Delay) => void;
}) {
  const { t } = useTranslation();
  const id = `field-${name}`;
  // The exception is asked for once there is a wait (anything but empty or 0).
  const waits = delay.amount.trim() !== "" && !/^0+$/.test(delay.amount.trim());
  const described = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(" ");
  return (
    <div className={`usa-form-group${error ? " usa-form-group--error" : ""}`}>
      <fieldset className="usa-fieldset">
        <legend className={`usa-legend text-bold${error ? " usa-label--error" : ""}`}>{label}</legend>
        {hint && (
          <div className="usa-hint" id={`${id}-hint`}>
            {hint}
          </div>
        )}
        {error && (
          <span className="usa-error-message" id={`${id}-error`} role="alert">
            {error}
          </span>
        )}
        <div className="display-flex flex-wrap flex-align-end">
          <div className="margin-right-2">
            <label className="usa-label margin-top-1" htmlFor={id}>
              {t("admin.policy.wait")}
            </label>
            <input
              className={`usa-input usa-input--small${error ? " usa-input--error" : ""}`}
              id={id}
              name={name}
              inputMode="numeric"
              value={delay.amount}
              placeholder="0"
              aria-invalid={error ? true : undefined}
              aria-describedby={described || undefined}
              onChange={(event) => onChange({ ...delay, amount: event.target.value })}
            />
          </div>
          <div>
            <label className="usa-label margin-top-1" htmlFor={`${id}-unit`}>
              {t("admin.policy.unit")}
            </label>
            <select
              className="usa-select"
              id={`${id}-unit`}
              value={delay.unit}
              onChange={(event) => onChange({ ...delay, unit: event.target.value as Unit })}
            >
              {(Object.keys(units) as Unit[]).map((unit) => (
                <option key={unit} value={unit}>
                  {t(`admin.policy.units.${unit}`)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <p className="margin-top-1 margin-bottom-0 text-base-dark">{delayWords(delay, t)}</p>
        {waits && (
          <div className={`margin-top-1${exceptionError ? " usa-form-group--error padding-left-1" : ""}`}>
            <label className={`usa-label margin-top-1${exceptionError ? " usa-label--error" : ""}`} htmlFor={`${id}-exception`}>
              {t("admin.policy.exception")}
            </label>
            <div className="usa-hint" id={`${id}-exception-hint`}>
              {delay.exception ? t(`admin.policy.exceptionHint.${delay.exception}`) : t("admin.policy.exceptionNeeded")}
            </div>
            {exceptionError && (
              <span className="usa-error-message" id={`${id}-exception-error`} role="alert">
                {exceptionError}
              </span>
            )}
            <select
              className={`usa-select${exceptionError ? " usa-input--error" : ""}`}
              id={`${id}-exception`}
              value={delay.exception}
              aria-invalid={exceptionError ? true : undefined}
              aria-describedby={`${id}-exception-hint` + (exceptionError ? ` ${id}-exception-error` : "")}
              onChange={(event) => onChange({ ...delay, exception: event.target.value as Exception | "" })}
            >
              <option value="">{t("admin.policy.pickException")}</option>
              {exceptions.map((code) => (
                <option key={code} value={code}>
                  {t(`admin.policy.exceptionName.${code}`)}
                </option>
              ))}
            </select>
          </div>
        )}
      </fieldset>
    </div>
  );
}

function delayWords(delay: Delay, t: TFunction): string {
  const text = delay.amount.trim();
  if (text === "" || /^0+$/.test(text)) return t("admin.policy.shownAtOnce");
  if (!/^\d+$/.test(text)) return "";
  return t(`admin.policy.shownAfter.${delay.unit}`, { count: Number(text) });
}

function PolicyForm({ token, initial }: { token: string; initial: Form }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Form>(initial);
  const [nextRow, setNextRow] = useState(initial.tests.length);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string[]>([]);
  const [saved, setSaved] = useState(false);

  const save = useMutation({
    mutationFn: async (delays: Record<string, PolicyDelay>) => {
      const { data, error } = await api.PUT("/v1/admin/release-policy", { body: { delays, held_items: form.heldItems } });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => {
      setGeneral([]);
      setSaved(false);
    },
    onSuccess: (policy) => {
      queryClient.setQueryData(["admin-release-policy", token], policy);
      setForm(formOf(policy));
      setNextRow(Object.keys(policy.delays).length);
      setSaved(true);
    },
    onError: (error) => {
      // The API names a key it refuses ("delays.category:lab", "delays.category:lab.exception"):
      // its sentence goes next to that field.
      if (!isErrorBody(error)) {
        setGeneral([t("errors.network")]);
        return;
      }
      const fields: Record<string, string> = {};
      const rest: string[] = [error.error.message];
      for (const detail of error.error.details) {
        const path = detail.field?.startsWith("delays.") ? detail.field.slice(7) : "";
        const part = /\.(seconds|exception)$/.exec(path)?.[1];
        const key = part ? path.slice(0, -part.length - 1) : path;
        const rule = form.tests.find((r) => testKey(r) === key);
        const named = rule ? `test-${rule.row}-delay` : key in form.byKey || key.startsWith("category:") || key.startsWith("document:") ? key : "";
        const field = named && part === "exception" ? `${named}-exception` : named;
        const issue = detail.issue ? sentence(detail.issue) : undefined;
        if (field) fields[field] ??= issue ?? error.error.message;
        else if (issue && !rest.includes(issue)) rest.push(issue);
      }
      setProblems(fields);
      setGeneral(rest);
      focusFirstWrong(fields);
    },
  });

  const formRef = useRef<HTMLFormElement>(null);
  // The first field the admin has to fix, in the order of the form: a keyboard or screen reader
  // user lands on it with its message.
  function focusFirstWrong(fields: Record<string, string>) {
    const ids = Object.keys(fields).map((field) => `field-${field}`);
    const first = [...(formRef.current?.querySelectorAll<HTMLInputElement | HTMLSelectElement>("input, select") ?? [])].find((input) =>
      ids.includes(input.id),
    );
    first?.focus();
  }

  function setDelay(key: string, delay: Delay) {
    setSaved(false);
    setForm({ ...form, byKey: { ...form.byKey, [key]: delay } });
  }

  function setTest(row: number, change: Partial<TestRule>) {
    setSaved(false);
    setForm({ ...form, tests: form.tests.map((r) => (r.row === row ? { ...r, ...change } : r)) });
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const { delays, problems: found } = policyOf(form, t);
    setProblems(found);
    setSaved(false);
    if (Object.keys(found).length > 0) {
      setGeneral([t("admin.policy.fixFields")]);
      focusFirstWrong(found);
      return;
    }
    if (Object.keys(delays).length > MAX_ENTRIES) {
      setGeneral([t("admin.policy.tooMany", { count: MAX_ENTRIES })]);
      return;
    }
    save.mutate(delays);
  }

  return (
    <form className="usa-form usa-form--large maxw-none" onSubmit={onSubmit} noValidate ref={formRef}>

      <h2>{t("admin.policy.resultsTitle")}</h2>
      <p>{t("admin.policy.resultsIntro")}</p>
      {categories.map((category) => {
        const key = `category:${category}`;
        return (
          <DelayInput
            key={key}
            name={key}
            label={t(`admin.policy.category.${category}`)}
            hint={t(`admin.policy.categoryHint.${category}`)}
            delay={form.byKey[key] ?? atOnce}
            error={problems[key]}
            exceptionError={problems[`${key}-exception`]}
            onChange={(delay) => setDelay(key, delay)}
          />
        );
      })}

      <h2>{t("admin.policy.documentsTitle")}</h2>
      <p>{t("admin.policy.documentsIntro")}</p>
      {documentTypes.map((type) => {
        const key = `document:${type}`;
        return (
          <DelayInput
            key={key}
            name={key}
            label={t(`admin.policy.document.${type}`)}
            hint={type === "discharge-summary" ? t("admin.policy.dischargeHint") : undefined}
            delay={form.byKey[key] ?? atOnce}
            error={problems[key]}
            exceptionError={problems[`${key}-exception`]}
            onChange={(delay) => setDelay(key, delay)}
          />
        );
      })}

      <h2>{t("admin.policy.testsTitle")}</h2>
      <p>{t("admin.policy.testsIntro")}</p>
      {form.tests.length === 0 && <p className="text-base-dark">{t("admin.policy.noTests")}</p>}
      {form.tests.map((rule, index) => {
        const field = `test-${rule.row}`;
        const number = index + 1;
        return (
          <fieldset key={rule.row} className="usa-fieldset border-1px border-base-lighter padding-2 margin-bottom-2">
            <legend className="usa-legend text-bold">{t("admin.policy.testLegend", { number })}</legend>
            {(["system", "code"] as const).map((part) => (
              <div key={part} className={`usa-form-group${problems[`${field}-${part}`] ? " usa-form-group--error" : ""}`}>
                <label className="usa-label" htmlFor={`field-${field}-${part}`}>
                  {t(`admin.policy.test.${part}`)}
                </label>
                <div className="usa-hint" id={`field-${field}-${part}-hint`}>
                  {t(`admin.policy.test.${part}Hint`)}
                </div>
                {problems[`${field}-${part}`] && (
                  <span className="usa-error-message" id={`field-${field}-${part}-error`} role="alert">
                    {problems[`${field}-${part}`]}
                  </span>
                )}
                <input
                  className={`usa-input${problems[`${field}-${part}`] ? " usa-input--error" : ""}`}
                  id={`field-${field}-${part}`}
                  value={rule[part]}
                  autoComplete="off"
                  aria-invalid={problems[`${field}-${part}`] ? true : undefined}
                  aria-describedby={
                    `field-${field}-${part}-hint` + (problems[`${field}-${part}`] ? ` field-${field}-${part}-error` : "")
                  }
                  onChange={(event) => setTest(rule.row, { [part]: event.target.value })}
                />
              </div>
            ))}
            <DelayInput
              name={`${field}-delay`}
              label={t("admin.policy.testDelay", { number })}
              delay={rule}
              error={problems[`${field}-delay`]}
              exceptionError={problems[`${field}-delay-exception`]}
              onChange={(delay) => setTest(rule.row, delay)}
            />
            <button
              type="button"
              className="usa-button usa-button--unstyled margin-top-1"
              onClick={() => {
                setSaved(false);
                setForm({ ...form, tests: form.tests.filter((r) => r.row !== rule.row) });
              }}
            >
              {t("admin.policy.removeTest", { number })}
            </button>
          </fieldset>
        );
      })}
      <button
        type="button"
        className="usa-button usa-button--outline"
        onClick={() => {
          setSaved(false);
          setForm({ ...form, tests: [...form.tests, { row: nextRow, system: "", code: "", ...atOnce }] });
          setNextRow(nextRow + 1);
        }}
      >
        {t("admin.policy.addTest")}
      </button>

      <fieldset className="usa-fieldset margin-top-4">
        <legend className="usa-legend usa-legend--large">{t("admin.policy.heldTitle")}</legend>
        <p className="usa-hint" id="held-items-hint">
          {t("admin.policy.heldIntro")}
        </p>
        {heldChoices.map((choice) => (
          <div className="usa-radio" key={choice}>
            <input
              className="usa-radio__input usa-radio__input--tile"
              id={`held-items-${choice}`}
              type="radio"
              name="held-items"
              value={choice}
              checked={form.heldItems === choice}
              aria-describedby="held-items-hint"
              onChange={() => {
                setSaved(false);
                setForm({ ...form, heldItems: choice });
              }}
            />
            <label className="usa-radio__label" htmlFor={`held-items-${choice}`}>
              {t(`admin.policy.held.${choice}`)}
              <span className="usa-checkbox__label-description">{t(`admin.policy.heldHint.${choice}`)}</span>
            </label>
          </div>
        ))}
      </fieldset>

      {/* The outcome is said beside the button that asked for it: on a phone the top of this long
          form is screens away. */}
      <div className="margin-top-4">
        <ErrorSummary messages={general} />
        <Notice text={saved ? t("admin.policy.saved") : null} />
        <button className="usa-button margin-top-2" type="submit" disabled={save.isPending}>
          {save.isPending ? t("admin.saving") : t("admin.policy.save")}
        </button>
      </div>
    </form>
  );
}
