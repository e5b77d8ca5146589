import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage } from "./PatientPage";
import { flagWords, valueText, whenText } from "./format";

/** One released result: its values, the report's status, and every earlier version of it. */
export function ResultDetail() {
  const { t } = useTranslation();
  // The title names the kind of page, never the test: a tab title outlives the page in history.
  usePageTitle(t("result.title"));
  const { resultId = "" } = useParams();
  return (
    <PatientPage>
      {(patientId, token) => <ResultView patientId={patientId} token={token} resultId={resultId} />}
    </PatientPage>
  );
}

function ResultView({ patientId, token, resultId }: { patientId: string; token: string; resultId: string }) {
  const { t, i18n } = useTranslation();
  const result = useQuery({
    queryKey: ["result", token, patientId, resultId],
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/results/{result_id}", {
          params: { path: { patient_id: patientId, result_id: resultId } },
        }),
      ),
  });
  const back = (
    <p>
      <Link to="/results">{t("result.back")}</Link>
    </p>
  );
  if (result.isPending) return <p>{t("app.loading")}</p>;
  if (result.isError)
    return (
      <>
        <h1>{t("result.title")}</h1>
        <Problem message={result.error.message} />
        {back}
      </>
    );
  const data = result.data;
  const when = (value: string | null) => whenText(value, i18n.language) ?? t("results.unknownDate");
  return (
    <>
      {back}
      <h1>{data.name ?? t("results.unnamed")}</h1>
      <ul className="usa-list usa-list--unstyled">
        <li>{t("result.status", { status: t(`records.status.${data.report.status}`) })}</li>
        <li>{t("result.category", { category: t(`results.categoryName.${data.category}`) })}</li>
        <li>{t("result.collected", { when: when(data.collected_at) })}</li>
        <li>{t("results.reported", { when: when(data.reported_at) })}</li>
        {data.report.ordering_provider && <li>{t("result.orderedBy", { name: data.report.ordering_provider })}</li>}
        {data.report.performing_lab && <li>{t("result.performedBy", { name: data.report.performing_lab })}</li>}
        {data.version > 1 && <li>{t("result.version", { version: data.version })}</li>}
      </ul>
      {data.critical && (
        <div className="usa-alert usa-alert--warning usa-alert--slim">
          <div className="usa-alert__body">
            <p className="usa-alert__text">{t("result.criticalNotice")}</p>
          </div>
        </div>
      )}
      <Report report={data.report} caption={t("result.values")} />
      {data.earlier_versions.length > 0 && (
        <>
          <h2>{t("result.earlierVersions")}</h2>
          <p>{t("result.earlierIntro")}</p>
          {data.earlier_versions.map((earlier) => (
            <details key={earlier.version} className="margin-bottom-2">
              <summary className="cursor-pointer">
                {t("result.earlierVersion", {
                  version: earlier.version,
                  status: t(`records.status.${earlier.status}`),
                  when: when(earlier.filed_at),
                })}
              </summary>
              <Report report={earlier.report} caption={t("result.earlierValues", { version: earlier.version })} />
            </details>
          ))}
        </>
      )}
    </>
  );
}

function Report({ report, caption }: { report: Schemas["Report"]; caption: string }) {
  const { t } = useTranslation();
  return (
    <>
      <table className="usa-table usa-table--stacked usa-table--borderless width-full">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t("result.test")}</th>
            <th scope="col">{t("result.value")}</th>
            <th scope="col">{t("result.range")}</th>
            <th scope="col">{t("result.flags")}</th>
          </tr>
        </thead>
        <tbody>
          {report.observations.map((observation, index) => {
            const flags = flagWords(observation, t);
            return (
              <tr key={index}>
                <th scope="row" data-label={t("result.test")}>
                  {observation.code.display || observation.code.code}
                </th>
                <td data-label={t("result.value")}>
                  {valueText(observation.value, t)}
                  {observation.units && ` ${observation.units}`}
                  {observation.status !== report.status && (
                    <span className="text-base"> ({t(`records.status.${observation.status}`)})</span>
                  )}
                </td>
                <td data-label={t("result.range")}>{observation.reference_range ?? t("result.noRange")}</td>
                <td data-label={t("result.flags")}>
                  {flags.length === 0 ? (
                    t("result.noFlags")
                  ) : (
                    <strong className={observation.critical ? "text-secondary-dark" : undefined}>{flags.join(", ")}</strong>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {report.notes.length > 0 && (
        <>
          <h3>{t("result.notes")}</h3>
          {report.notes.map((note, index) => (
            <p key={index}>{note}</p>
          ))}
        </>
      )}
    </>
  );
}
