import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, isErrorBody, load, noErrors, sentence } from "../api/errors";
import { whenText } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "./PatientPage";

type Category = Schemas["ReleasePreferences"]["wait_for_review"][number];
const categories: Category[] = ["lab", "pathology", "imaging", "other"];

export const fetchUpcoming = (patientId: string) =>
  load(() =>
    api.GET("/v1/patients/{patient_id}/upcoming-releases", { params: { path: { patient_id: patientId } } }),
  );

/** What is filed but not shown yet and when it will be; and the patient's release preferences. */
export function Upcoming() {
  const { t } = useTranslation();
  usePageTitle(t("records.upcoming.title"));
  return (
    <PatientPage area="results">
      {(record) => (
        <>
          <h1>{t("records.upcoming.title")}</h1>
          <p>{t("records.upcoming.intro")}</p>
          <UpcomingList record={record} />
          <Preferences record={record} />
        </>
      )}
    </PatientPage>
  );
}

function UpcomingList({ record: { patientId, token } }: { record: RecordView }) {
  const { t, i18n } = useTranslation();
  const upcoming = useQuery({ queryKey: ["upcoming", token, patientId], queryFn: () => fetchUpcoming(patientId) });
  if (upcoming.isPending) return <p>{t("app.loading")}</p>;
  if (upcoming.isError) return <Problem message={upcoming.error.message} />;
  if (upcoming.data.upcoming.length === 0) return <p>{t("records.upcoming.none")}</p>;
  const when = (value: string | null) => whenText(value, i18n.language) ?? "";
  const kindText = (item: (typeof upcoming.data.upcoming)[number]) =>
    item.kind === "document"
      ? t("records.upcoming.kind.document")
      : item.category
        ? `${t("records.upcoming.kind.result")} · ${t(`results.categoryName.${item.category as Category}`)}`
        : t("records.upcoming.kind.result");
  const line = "margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-1";
  return (
    <ul className="usa-list usa-list--unstyled">
      {upcoming.data.upcoming.map((item) =>
        item.being_reviewed ? (
          // Held for a reason that is itself sensitive: the API names nothing, and nor does the page.
          <li key={item.result_id} className={line}>
            <strong>{t("records.upcoming.beingReviewed")}</strong>
            <br />
            {t("records.upcoming.beingReviewedNote")}
          </li>
        ) : (
          <li key={item.result_id} className={line}>
            <strong>{item.name ?? (item.type ? t(`documents.type.${item.type}`) : t("records.upcoming.unnamed"))}</strong>
            <br />
            <span className="text-base">{kindText(item)}</span>
            <br />
            {item.release_at === null
              ? t("records.upcoming.held")
              : item.waiting_for_review
                ? t("records.upcoming.review", { when: when(item.release_at) })
                : t("records.upcoming.at", { when: when(item.release_at) })}
          </li>
        ),
      )}
    </ul>
  );
}

function Preferences({ record: { patientId, token } }: { record: RecordView }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const key = ["release-preferences", token, patientId];
  const preferences = useQuery({
    queryKey: key,
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/release-preferences", { params: { path: { patient_id: patientId } } }),
      ),
  });
  return (
    <section aria-labelledby="release-preferences" className="margin-top-4">
      <h2 id="release-preferences">{t("records.upcoming.prefsTitle")}</h2>
      {preferences.isPending && <p>{t("app.loading")}</p>}
      {preferences.isError && <Problem message={preferences.error.message} />}
      {preferences.data && (
        <PreferencesForm
          saved={preferences.data}
          save={async (choices) => {
            const answer = await api.PUT("/v1/patients/{patient_id}/release-preferences", {
              params: { path: { patient_id: patientId } },
              body: { choices },
            });
            if (answer.data === undefined) throw answer.error;
            queryClient.setQueryData(key, answer.data);
            return answer.data;
          }}
        />
      )}
    </section>
  );
}

type When = Schemas["ReleaseChoice"]["release"];
type ChoiceChange = Schemas["ReleaseChoiceChange"];
const whens: When[] = ["at_once", "after_review", "after_days"];
/** A category's choice as the form holds it: the days as typed. */
type Draft = Record<Category, { release: When; days: string }>;

function draftOf(saved: Schemas["ReleasePreferences"]): Draft {
  const draft = Object.fromEntries(categories.map((c) => [c, { release: "at_once" as When, days: "" }])) as Draft;
  for (const choice of saved.choices) {
    if (choice.category in draft) draft[choice.category] = { release: choice.release, days: choice.days ? String(choice.days) : "" };
  }
  return draft;
}

/** Problems by category, from the API's "choices.<index>.<field>" (the choices go in the order of categories). */
function categoryErrors(error: unknown): Partial<Record<Category, string>> {
  const found: Partial<Record<Category, string>> = {};
  if (!isErrorBody(error)) return found;
  for (const detail of error.error.details) {
    const index = /^choices\.(\d+)\./.exec(detail.field ?? "")?.[1];
    const category = index === undefined ? undefined : categories[Number(index)];
    if (category && detail.issue) found[category] ??= sentence(detail.issue);
  }
  return found;
}

function PreferencesForm({
  saved,
  save,
}: {
  saved: Schemas["ReleasePreferences"];
  save: (choices: ChoiceChange[]) => Promise<Schemas["ReleasePreferences"]>;
}) {
  const { t } = useTranslation();
  const [draft, setDraft] = useState<Draft>(() => draftOf(saved));
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [wrong, setWrong] = useState<Partial<Record<Category, string>>>({});
  const change = useMutation({
    mutationFn: (choices: ChoiceChange[]) => save(choices),
    onMutate: () => {
      setErrors(noErrors);
      setWrong({});
    },
    onError: (error) => {
      const byCategory = categoryErrors(error);
      setWrong(byCategory);
      const found = formErrors(error, ["wait_for_review"], t("errors.network"));
      // what is said next to a category is not repeated at the top
      const beside = Object.values(byCategory);
      setErrors({ ...found, general: found.general.filter((line) => !beside.includes(line)) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // The days are checked here first, so the patient sees the problem beside the category at once.
    const problems: Partial<Record<Category, string>> = {};
    const choices: ChoiceChange[] = categories.map((category) => {
      const { release, days } = draft[category];
      if (release !== "after_days") return { category, release };
      const number = /^\d+$/.test(days.trim()) ? Number(days.trim()) : NaN;
      if (!(number >= 1 && number <= saved.most_days))
        problems[category] = t("records.upcoming.daysInvalid", { most: saved.most_days });
      return { category, release, days: number };
    });
    if (Object.keys(problems).length > 0) {
      setWrong(problems);
      setErrors(noErrors);
      return;
    }
    change.mutate(choices);
  };
  const set = (category: Category, value: Partial<Draft[Category]>) =>
    setDraft({ ...draft, [category]: { ...draft[category], ...value } });
  return (
    <form className="usa-form usa-form--large" onSubmit={submit} noValidate>
      <p>{t("records.upcoming.prefsIntro", { days: saved.longest_wait_days })}</p>
      <p>{t("records.upcoming.prefsCritical")}</p>
      <ErrorSummary messages={errors.general.concat(errors.fields.wait_for_review ?? [])} />
      {categories.map((category) => {
        const error = wrong[category];
        const id = `when-${category}`;
        return (
          <fieldset
            key={category}
            className={`usa-fieldset margin-top-3${error ? " usa-form-group usa-form-group--error" : ""}`}
            aria-describedby={error ? `${id}-error` : undefined}
          >
            <legend className="usa-legend text-bold">{t(`records.upcoming.category.${category}`)}</legend>
            {error && (
              <span className="usa-error-message" id={`${id}-error`} role="alert">
                {error}
              </span>
            )}
            {whens.map((when) => (
              <div key={when} className="usa-radio">
                <input
                  className="usa-radio__input"
                  id={`${id}-${when}`}
                  type="radio"
                  name={id}
                  value={when}
                  checked={draft[category].release === when}
                  onChange={() => set(category, { release: when })}
                />
                <label className="usa-radio__label" htmlFor={`${id}-${when}`}>
                  {t(`records.upcoming.when.${when}`, { days: saved.longest_wait_days })}
                </label>
              </div>
            ))}
            {draft[category].release === "after_days" && (
              <div className="margin-left-4">
                <label className="usa-label" htmlFor={`${id}-days`}>
                  {t("records.upcoming.days", { most: saved.most_days })}
                </label>
                <input
                  className={`usa-input usa-input--small${error ? " usa-input--error" : ""}`}
                  id={`${id}-days`}
                  inputMode="numeric"
                  value={draft[category].days}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `${id}-error` : undefined}
                  onChange={(event) => set(category, { days: event.target.value })}
                />
              </div>
            )}
          </fieldset>
        );
      })}
      <button type="submit" className="usa-button margin-top-3" disabled={change.isPending}>
        {t("records.upcoming.save")}
      </button>
      <Notice text={change.isSuccess ? t("records.upcoming.saved") : null} />
    </form>
  );
}
