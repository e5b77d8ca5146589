import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { momentText } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";

type Status = Schemas["SupportRequestSummary"]["status"];
export const statuses: Status[] = ["new", "in_progress", "answered", "closed"];
const PAGE_SIZE = 25;

export const supportQueueKey = (token: string) => ["staff-support-requests", token];

/** The organization's support requests, newest first, a status at a time if the staff member chooses. */
export function SupportRequests() {
  const { t } = useTranslation();
  usePageTitle(t("staff.support.title"));
  return <StaffPage>{(token) => <QueueView token={token} />}</StaffPage>;
}

function QueueView({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const [status, setStatus] = useState<Status | "">("");
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const requests = useQuery({
    queryKey: [...supportQueueKey(token), status, cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/staff/support-requests", {
          params: { query: { limit: PAGE_SIZE, ...(status && { status }), ...(cursor && { cursor }) } },
        }),
      ),
  });

  return (
    <>
      <h1>{t("staff.support.title")}</h1>
      <p>{t("staff.support.intro")}</p>
      <div className="usa-form-group">
        <label className="usa-label" htmlFor="support-status">
          {t("staff.support.show")}
        </label>
        <select
          className="usa-select"
          id="support-status"
          value={status}
          onChange={(event) => {
            setStatus(event.target.value as Status | "");
            setCursors([]);
          }}
        >
          <option value="">{t("staff.support.all")}</option>
          {statuses.map((value) => (
            <option key={value} value={value}>
              {t(`staff.support.status.${value}`)}
            </option>
          ))}
        </select>
      </div>
      {requests.isPending && <p>{t("app.loading")}</p>}
      {requests.isError && <Problem message={requests.error.message} />}
      {requests.data &&
        (requests.data.requests.length === 0 ? (
          <p>{t("staff.support.none")}</p>
        ) : (
          <>
            <table className="usa-table usa-table--stacked usa-table--borderless width-full">
              <caption className="text-left">{t("staff.support.caption", { count: requests.data.requests.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("staff.support.reference")}</th>
                  <th scope="col">{t("staff.support.received")}</th>
                  <th scope="col">{t("staff.support.topic")}</th>
                  <th scope="col">{t("staff.support.statusLabel")}</th>
                </tr>
              </thead>
              <tbody>
                {requests.data.requests.map((request) => (
                  <tr key={request.request_id}>
                    <th scope="row" data-label={t("staff.support.reference")}>
                      <Link to={`/staff/support/${encodeURIComponent(request.request_id)}`}>{request.reference}</Link>
                    </th>
                    <td data-label={t("staff.support.received")}>{momentText(request.received_at, i18n.language)}</td>
                    <td data-label={t("staff.support.topic")}>{t(`support.topic.${request.topic}`)}</td>
                    <td data-label={t("staff.support.statusLabel")}>{t(`staff.support.status.${request.status}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              page={page}
              nextCursor={requests.data.next_cursor ?? null}
              onPrevious={() => setCursors(cursors.slice(0, -1))}
              onNext={(next) => setCursors([...cursors, next])}
            />
          </>
        ))}
    </>
  );
}
