import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { momentText } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import en from "../locales/en.json";
import { typeWords } from "../apps/words";
import { PatientPage, type RecordView } from "./PatientPage";

const PAGE_SIZE = 25;
// A page opened once reads several parts of the record within moments: one line for them, not one each.
const FOLD_MS = 60 * 1000;

type AccessEvent = Schemas["AccessEvent"];
interface Line {
  event: AccessEvent; // the newest of the folded events
  times: number;
}

/** Consecutive events (newest first) of the same person doing the same thing within a minute of the line's newest, as one line. */
function folded(events: AccessEvent[]): Line[] {
  const lines: Line[] = [];
  for (const event of events) {
    const last = lines.at(-1);
    if (
      last &&
      last.event.who === event.who &&
      last.event.proxy_name === event.proxy_name &&
      last.event.app_name === event.app_name &&
      last.event.what === event.what &&
      last.event.resource_type === event.resource_type &&
      last.event.outcome === event.outcome &&
      Date.parse(last.event.at) - Date.parse(event.at) <= FOLD_MS
    )
      last.times += 1;
    else lines.push({ event, times: 1 });
  }
  return lines;
}
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
  const whatCode = (code: string) =>
    code in en.records.accessLog.whatName
      ? t(`records.accessLog.whatName.${code as KnownWhat}`)
      : t("records.accessLog.whatOther", { what: code });
  // An app's read names the part it read, in the words the consent page used ("your test results ...").
  const what = (event: AccessEvent) => {
    const part = event.who === "app" && event.resource_type ? typeWords(event.resource_type, t) : "";
    if (part && (event.what === "fhir.read" || event.what === "fhir.search")) {
      const words = part.charAt(0).toLowerCase() + part.slice(1);
      return t(event.what === "fhir.read" ? "records.accessLog.appReadPart" : "records.accessLog.appSearchPart", {
        part: words,
      });
    }
    return whatCode(event.what);
  };
  const who = (event: AccessEvent) =>
    event.what === "health_link.use"
      ? t("records.accessLog.linkOpener")
      : event.who === "proxy" && event.proxy_name
      ? t("records.accessLog.proxyNamed", { name: event.proxy_name })
      : event.who === "app" && event.app_name
        ? t("records.accessLog.appNamed", { name: event.app_name })
        : t(`records.accessLog.whoName.${event.who}`);
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
                {folded(log.data.events).map(({ event, times }, index) => (
                  <tr key={`${event.at}-${index}`}>
                    <th scope="row" data-label={t("records.accessLog.when")}>
                      {momentText(event.at, i18n.language)}
                    </th>
                    <td data-label={t("records.accessLog.who")}>{who(event)}</td>
                    <td data-label={t("records.accessLog.what")}>
                      {times > 1 ? t("records.accessLog.repeated", { what: what(event), count: times }) : what(event)}
                    </td>
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
