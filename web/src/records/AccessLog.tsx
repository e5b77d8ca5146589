import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import { load } from "../api/errors";
import { momentText } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import en from "../locales/en.json";
import { PatientPage, type RecordView } from "./PatientPage";

const PAGE_SIZE = 25;
type KnownWhat = keyof typeof en.records.accessLog.whatName;

/** "Who looked at my record": each read or change of the record, newest first, in plain words. */
export function AccessLog() {
  const { t } = useTranslation();
  usePageTitle(t("records.accessLog.title"));
  return <PatientPage area="access_log">{(record) => <AccessLogList record={record} />}</PatientPage>;
}

function AccessLogList({ record: { patientId, token } }: { record: RecordView }) {
  const { t, i18n } = useTranslation();
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const log = useQuery({
    queryKey: ["access-log", token, patientId, cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/access-log", {
          params: { path: { patient_id: patientId }, query: { limit: PAGE_SIZE, ...(cursor && { cursor }) } },
        }),
      ),
  });
  const what = (code: string) =>
    code in en.records.accessLog.whatName
      ? t(`records.accessLog.whatName.${code as KnownWhat}`)
      : t("records.accessLog.whatOther", { what: code });
  return (
    <>
      <h1>{t("records.accessLog.title")}</h1>
      <p>{t("records.accessLog.intro")}</p>
      {log.isPending && <p>{t("app.loading")}</p>}
      {log.isError && <Problem message={log.error.message} />}
      {log.data && (
        <>
          {log.data.events.length === 0 ? (
            <p>{t("records.accessLog.none")}</p>
          ) : (
            <table className="usa-table usa-table--stacked usa-table--borderless width-full">
              <caption className="usa-sr-only">{t("records.accessLog.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("records.accessLog.when")}</th>
                  <th scope="col">{t("records.accessLog.who")}</th>
                  <th scope="col">{t("records.accessLog.what")}</th>
                  <th scope="col">{t("records.accessLog.outcome")}</th>
                </tr>
              </thead>
              <tbody>
                {log.data.events.map((event, index) => (
                  <tr key={`${event.at}-${index}`}>
                    <th scope="row" data-label={t("records.accessLog.when")}>
                      {momentText(event.at, i18n.language)}
                    </th>
                    <td data-label={t("records.accessLog.who")}>{t(`records.accessLog.whoName.${event.who}`)}</td>
                    <td data-label={t("records.accessLog.what")}>{what(event.what)}</td>
                    <td data-label={t("records.accessLog.outcome")}>
                      {t(`records.accessLog.outcomeName.${event.outcome}`)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager
            page={page}
            nextCursor={log.data.next_cursor}
            onPrevious={() => setCursors(cursors.slice(0, -1))}
            onNext={(next) => setCursors([...cursors, next])}
          />
        </>
      )}
    </>
  );
}
