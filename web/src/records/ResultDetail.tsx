import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { OpenFile } from "./OpenFile";
import { PatientPage, type RecordView } from "./PatientPage";
import { TrendChart } from "./TrendChart";
import { whenText } from "../components/dates";
import { flagWords, valueText } from "./format";

/** One released result: its values, the report's status, and every earlier version of it. */
export function ResultDetail() {
  const { t } = useTranslation();
  // The title names the kind of page, never the test: a tab title outlives the page in history.
  usePageTitle(t("result.title"));
  const { resultId = "" } = useParams();
  return (
    <PatientPage area="results">{(record) => <ResultView record={record} resultId={resultId} />}</PatientPage>
  );
}

function ResultView({ record, resultId }: { record: RecordView; resultId: string }) {
  const { patientId, token } = record;
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
      <Link to={record.to("/results")}>{t("result.back")}</Link>
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
      <Report
        report={data.report}
        caption={t("result.values")}
        file={(index) =>
          load(() =>
            api.GET("/v1/patients/{patient_id}/results/{result_id}/files/{index}/link", {
              params: { path: { patient_id: patientId, result_id: resultId, index: String(index) } },
            }),
          )
        }
      />
      {/* Asked for only when there is a number to chart: each ask is reads and an audit event. */}
      {data.has_numeric_values && <Trends record={record} resultId={resultId} />}
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

/** The result's numeric tests over time: a chart for each test with more than one value in this
 * result's units, and a table of its values (in other units too). */
function Trends({ record: { patientId, token }, resultId }: { record: RecordView; resultId: string }) {
  const { t } = useTranslation();
  const trends = useQuery({
    queryKey: ["result-trends", token, patientId, resultId],
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/results/{result_id}/trends", {
          params: { path: { patient_id: patientId, result_id: resultId } },
        }),
      ),
  });
  if (trends.isPending) return null;
  if (trends.isError)
    return (
      <>
        <h2>{t("records.trend.heading")}</h2>
        <Problem message={trends.error.message} />
      </>
    );
  if (trends.data.trends.length === 0) return null;
  const drawn = trends.data.trends.filter((trend) => trend.points.length + trend.other_units.length > 1);
  return (
    <section aria-labelledby="result-trends">
      <h2 id="result-trends">{t("records.trend.heading")}</h2>
      {drawn.length === 0 ? (
        <p>{t("records.trend.notEnough")}</p>
      ) : (
        drawn.map((trend) => (
          <TrendChart key={`${trend.code.system}|${trend.code.code}|${trend.units ?? ""}`} trend={trend} />
        ))
      )}
      {!trends.data.complete && <p className="usa-hint">{t("records.trend.incomplete")}</p>}
    </section>
  );
}

function Report({
  report,
  caption,
  file,
}: {
  report: Schemas["Report"];
  caption: string;
  file?: (index: number) => Promise<Schemas["FileLinkView"]>;
}) {
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
                  {file && observation.value.type === "document" && observation.value.href && (
                    <>
                      {" "}
                      <OpenFile
                        label={t("records.file.openNamed", {
                          name: observation.code.display || observation.code.code || t("records.attachedFile"),
                        })}
                        fetchLink={() => file(index)}
                      />
                    </>
                  )}
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
