import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useDates } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { fetchStaffQueue } from "../proxies/calls";
import { relationshipText, requestStatusText } from "../proxies/format";
import { StaffPage } from "./StaffPage";

type Queue = "to_do" | "done";

/**
 * The organization's proxy access requests: those to review (sent, oldest first) and those
 * decided, a page at a time. Each opens its page with the documents and the signed form.
 */
export function ProxyRequests() {
  const { t } = useTranslation();
  usePageTitle(t("staff.proxyRequests.title"));
  return <StaffPage>{(token) => <QueueView token={token} />}</StaffPage>;
}

function QueueView({ token }: { token: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const [queue, setQueue] = useState<Queue>("to_do");
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const requests = useQuery({
    queryKey: ["staff-proxy-requests", token, queue, cursor],
    queryFn: () => fetchStaffQueue(queue, cursor),
  });
  return (
    <>
      <h1>{t("staff.proxyRequests.title")}</h1>
      <p>{t("staff.proxyRequests.intro")}</p>
      <div className="usa-form-group">
        <label className="usa-label" htmlFor="proxy-queue">
          {t("staff.proxyRequests.show")}
        </label>
        <select
          className="usa-select"
          id="proxy-queue"
          value={queue}
          onChange={(event) => {
            setQueue(event.target.value as Queue);
            setCursors([]);
          }}
        >
          <option value="to_do">{t("staff.proxyRequests.queue.to_do")}</option>
          <option value="done">{t("staff.proxyRequests.queue.done")}</option>
        </select>
      </div>
      {requests.isPending && <p>{t("app.loading")}</p>}
      {requests.isError && <Problem message={requests.error.message} />}
      {requests.data &&
        (requests.data.requests.length === 0 ? (
          <p>{t(`staff.proxyRequests.none.${queue}`)}</p>
        ) : (
          <>
            <table className="usa-table usa-table--stacked usa-table--borderless width-full">
              <caption className="text-left">{t("staff.proxyRequests.caption", { count: requests.data.requests.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("staff.proxyRequests.patient")}</th>
                  <th scope="col">{t("staff.proxyRequests.requester")}</th>
                  <th scope="col">{t("staff.proxyRequests.relationship")}</th>
                  <th scope="col">{t("staff.proxyRequests.sent")}</th>
                  <th scope="col">{t("staff.proxyRequests.status")}</th>
                </tr>
              </thead>
              <tbody>
                {requests.data.requests.map((request) => (
                  <tr key={request.request_id}>
                    <th scope="row" data-label={t("staff.proxyRequests.patient")}>
                      <Link to={`/staff/proxy-requests/${encodeURIComponent(request.request_id)}`}>
                        {request.patient.given_name} {request.patient.family_name}
                      </Link>
                      <span className="display-block text-base">
                        {t("staff.proxyRequests.born", { date: dates.day(request.patient.birth_date) })}
                      </span>
                    </th>
                    <td data-label={t("staff.proxyRequests.requester")}>{request.requester_name}</td>
                    <td data-label={t("staff.proxyRequests.relationship")}>{relationshipText(t, request.relationship)}</td>
                    <td data-label={t("staff.proxyRequests.sent")}>
                      {request.submitted_at ? dates.moment(request.submitted_at) : ""}
                    </td>
                    <td data-label={t("staff.proxyRequests.status")}>{requestStatusText(t, request.status)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              page={page}
              nextCursor={requests.data.next_cursor}
              onPrevious={() => setCursors(cursors.slice(0, -1))}
              onNext={(next) => setCursors([...cursors, next])}
            />
          </>
        ))}
    </>
  );
}
