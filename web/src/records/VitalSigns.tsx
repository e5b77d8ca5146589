import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { whenText } from "../components/dates";
import { Problem } from "../components/Problem";
import type { RecordView } from "./PatientPage";
import { TrendChart } from "./TrendChart";

type Trend = Schemas["Trend"];

function measurementName(trend: Trend): string {
  return trend.code.display || trend.code.code;
}

/**
 * The latest reading of each vital sign (pulse, blood pressure, weight ...) in a table, then each
 * one's readings over time, drawn and listed by the results' trend chart. Every reading, numbers
 * or not, follows in the section's own list.
 */
export function VitalSignsHistory({ record: { patientId, token } }: { record: RecordView }) {
  const { t, i18n } = useTranslation();
  const history = useQuery({
    queryKey: ["vital-signs-history", token, patientId],
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/health-summary/vital_signs/history", {
          params: { path: { patient_id: patientId } },
        }),
      ),
  });
  if (history.isPending) return <p>{t("app.loading")}</p>;
  if (history.isError) return <Problem message={history.error.message} />;
  const trends = history.data.trends.filter((trend) => trend.points.length > 0);
  if (trends.length === 0) return null;
  return (
    <>
      <h3>{t("records.vitalSigns.latestHeading")}</h3>
      <table className="usa-table usa-table--stacked usa-table--borderless width-full">
        <caption className="usa-sr-only">{t("records.vitalSigns.latestCaption")}</caption>
        <thead>
          <tr>
            <th scope="col">{t("records.vitalSigns.measurement")}</th>
            <th scope="col">{t("records.vitalSigns.latest")}</th>
            <th scope="col">{t("records.vitalSigns.measured")}</th>
          </tr>
        </thead>
        <tbody>
          {trends.map((trend) => {
            const latest = trend.points[trend.points.length - 1]!;
            return (
              <tr key={`${trend.code.system}|${trend.code.code}|${trend.units ?? ""}`}>
                <th scope="row" data-label={t("records.vitalSigns.measurement")}>
                  {measurementName(trend)}
                </th>
                <td data-label={t("records.vitalSigns.latest")}>
                  {latest.value}
                  {latest.units && ` ${latest.units}`}
                </td>
                <td data-label={t("records.vitalSigns.measured")}>
                  {whenText(latest.at, i18n.language) ?? t("results.unknownDate")}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {!history.data.complete && <p className="usa-hint">{t("records.vitalSigns.incomplete")}</p>}
      {trends.some((trend) => trend.points.length > 1) && <h3>{t("records.vitalSigns.overTime")}</h3>}
      {trends
        .filter((trend) => trend.points.length > 1)
        .map((trend) => (
          <TrendChart key={`${trend.code.system}|${trend.code.code}|${trend.units ?? ""}`} trend={trend} />
        ))}
      <h3>{t("records.vitalSigns.allReadings")}</h3>
    </>
  );
}
