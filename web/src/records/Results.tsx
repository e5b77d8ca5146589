import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { whenText } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "./PatientPage";

type Category = Schemas["ResultSummary"]["category"];
const categories: Category[] = ["lab", "pathology", "imaging", "other"];
const PAGE_SIZE = 20;

/** The patient's released results, newest first, a page at a time, optionally of one category. */
export function Results() {
  const { t } = useTranslation();
  usePageTitle(t("results.title"));
  return <PatientPage area="results">{(record) => <ResultsList record={record} />}</PatientPage>;
}

function ResultsList({ record: { patientId, token, to } }: { record: RecordView }) {
  const { t, i18n } = useTranslation();
  const [category, setCategory] = useState<Category | "">("");
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const results = useQuery({
    queryKey: ["results", token, patientId, category, cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/results", {
          params: {
            path: { patient_id: patientId },
            query: { limit: PAGE_SIZE, ...(cursor && { cursor }), ...(category && { category }) },
          },
        }),
      ),
  });

  return (
    <>
      <h1>{t("results.title")}</h1>
      <div className="usa-form-group">
        <label className="usa-label" htmlFor="results-category">
          {t("results.category")}
        </label>
        <select
          className="usa-select"
          id="results-category"
          value={category}
          onChange={(event) => {
            setCategory(event.target.value as Category | "");
            setCursors([]);
          }}
        >
          <option value="">{t("results.allCategories")}</option>
          {categories.map((value) => (
            <option key={value} value={value}>
              {t(`results.categoryName.${value}`)}
            </option>
          ))}
        </select>
      </div>
      {results.isPending && <p>{t("app.loading")}</p>}
      {results.isError && <Problem message={results.error.message} />}
      {results.data && (
        <>
          {results.data.results.length === 0 ? (
            <p>{t("results.none")}</p>
          ) : (
            <ul className="usa-list usa-list--unstyled margin-top-2">
              {results.data.results.map((result) => (
                <li key={result.result_id} className="margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-1">
                  <Link to={to(`/results/${encodeURIComponent(result.result_id)}`)}>
                    {result.name ?? t("results.unnamed")}
                  </Link>
                  <br />
                  <span className="text-base">
                    {t(`results.categoryName.${result.category}`)} ·{" "}
                    {t("results.reported", {
                      when: whenText(result.reported_at, i18n.language) ?? t("results.unknownDate"),
                    })}{" "}
                    · {t(`records.status.${result.status}`)}
                  </span>
                  {(result.critical || result.abnormal) && (
                    <>
                      <br />
                      <span className={`usa-tag ${result.critical ? "bg-secondary-dark" : "bg-gold text-ink"}`}>
                        {result.critical ? t("results.hasCritical") : t("results.hasAbnormal")}
                      </span>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
          <Pager
            page={page}
            nextCursor={results.data.next_cursor}
            onPrevious={() => setCursors(cursors.slice(0, -1))}
            onNext={(next) => setCursors([...cursors, next])}
          />
        </>
      )}
    </>
  );
}
