import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
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
    <PatientPage>
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
  return (
    <ul className="usa-list usa-list--unstyled">
      {upcoming.data.upcoming.map((item) => (
        <li key={item.result_id} className="margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-1">
          <strong>
            {item.name ??
              (item.type ? t(`documents.type.${item.type}`) : t("records.upcoming.unnamed"))}
          </strong>
          <br />
          <span className="text-base">
            {item.kind === "result"
              ? `${t("records.upcoming.kind.result")} · ${t(`results.categoryName.${item.category as Category}`)}`
              : t("records.upcoming.kind.document")}
          </span>
          <br />
          {item.release_at === null
            ? t("records.upcoming.held")
            : item.waiting_for_review
              ? t("records.upcoming.review", { when: when(item.release_at) })
              : t("records.upcoming.at", { when: when(item.release_at) })}
        </li>
      ))}
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
          save={async (wait) => {
            const answer = await api.PUT("/v1/patients/{patient_id}/release-preferences", {
              params: { path: { patient_id: patientId } },
              body: { wait_for_review: wait },
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

function PreferencesForm({
  saved,
  save,
}: {
  saved: Schemas["ReleasePreferences"];
  save: (wait: Category[]) => Promise<Schemas["ReleasePreferences"]>;
}) {
  const { t } = useTranslation();
  const [wait, setWait] = useState<Category[]>(saved.wait_for_review);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const change = useMutation({
    mutationFn: () => save(wait),
    onMutate: () => setErrors(noErrors),
    onError: (error) => setErrors(formErrors(error, ["wait_for_review"], t("errors.network"))),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    change.mutate();
  };
  const fieldError = errors.fields.wait_for_review;
  return (
    <form className="usa-form usa-form--large" onSubmit={submit}>
      <p>{t("records.upcoming.prefsIntro", { days: saved.longest_wait_days })}</p>
      <ErrorSummary messages={errors.general} />
      <fieldset
        className={`usa-fieldset${fieldError ? " usa-form-group usa-form-group--error" : ""}`}
        aria-describedby={fieldError ? "wait-error" : undefined}
      >
        <legend className="usa-legend">{t("records.upcoming.prefsLegend")}</legend>
        {fieldError && (
          <span className="usa-error-message" id="wait-error" role="alert">
            {fieldError}
          </span>
        )}
        {categories.map((category) => (
          <div key={category} className="usa-checkbox">
            <input
              className="usa-checkbox__input"
              id={`wait-${category}`}
              type="checkbox"
              checked={wait.includes(category)}
              onChange={(event) =>
                setWait(
                  event.target.checked
                    ? categories.filter((c) => c === category || wait.includes(c))
                    : wait.filter((c) => c !== category),
                )
              }
            />
            <label className="usa-checkbox__label" htmlFor={`wait-${category}`}>
              {t(`records.upcoming.category.${category}`)}
            </label>
          </div>
        ))}
      </fieldset>
      <button type="submit" className="usa-button" disabled={change.isPending}>
        {t("records.upcoming.save")}
      </button>
      <Notice text={change.isSuccess ? t("records.upcoming.saved") : null} />
    </form>
  );
}
