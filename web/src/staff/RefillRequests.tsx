import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { useDates } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";

type Status = Schemas["StaffRefillRequest"]["status"];
export const refillStatuses: Status[] = ["requested", "approved", "denied"];
const PAGE_SIZE = 25;

export const refillQueueKey = (token: string) => ["staff-refill-requests", token];

/**
 * The organization's refill requests, a status at a time: the waiting ones (the default) oldest
 * first, so the longest wait is on top; decided ones newest decided first.
 */
export function RefillRequests() {
  const { t } = useTranslation();
  usePageTitle(t("staffRefills.title"));
  return <StaffPage>{(token) => <QueueView token={token} />}</StaffPage>;
}

function QueueView({ token }: { token: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const [status, setStatus] = useState<Status>("requested");
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const requests = useQuery({
    queryKey: [...refillQueueKey(token), status, cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/staff/refill-requests", {
          params: { query: { status, limit: PAGE_SIZE, ...(cursor && { cursor }) } },
        }),
      ),
  });
  const decided = status !== "requested";

  return (
    <>
      <h1>{t("staffRefills.title")}</h1>
      <p>{t("staffRefills.intro")}</p>
      <div className="usa-form-group">
        <label className="usa-label" htmlFor="refill-status">
          {t("staffRefills.show")}
        </label>
        <select
          className="usa-select"
          id="refill-status"
          value={status}
          onChange={(event) => {
            setStatus(event.target.value as Status);
            setCursors([]);
          }}
        >
          {refillStatuses.map((value) => (
            <option key={value} value={value}>
              {t(`staffRefills.status.${value}`)}
            </option>
          ))}
        </select>
      </div>
      {requests.isPending && <p>{t("app.loading")}</p>}
      {requests.isError && <Problem message={requests.error.message} />}
      {requests.data &&
        (requests.data.refill_requests.length === 0 ? (
          <p>{t(`staffRefills.none.${status}`)}</p>
        ) : (
          <>
            <table className="usa-table usa-table--stacked usa-table--borderless width-full">
              <caption className="text-left">
                {t("staffRefills.caption", { count: requests.data.refill_requests.length })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t("staffRefills.medication")}</th>
                  <th scope="col">{t("staffRefills.patient")}</th>
                  <th scope="col">{t("staffRefills.asked")}</th>
                  <th scope="col">{t("staffRefills.pharmacy")}</th>
                  {decided && <th scope="col">{t("staffRefills.decided")}</th>}
                </tr>
              </thead>
              <tbody>
                {requests.data.refill_requests.map((request) => (
                  <tr key={request.request_id}>
                    <th scope="row" data-label={t("staffRefills.medication")}>
                      <Link to={`/staff/refill-requests/${encodeURIComponent(request.request_id)}`}>
                        {request.medication.name}{" "}
                        <span className="usa-sr-only">{t("staffRefills.forPatient", { name: request.patient.name })}</span>
                      </Link>
                    </th>
                    <td data-label={t("staffRefills.patient")}>
                      {request.patient.name}
                      {request.patient.birth_date && (
                        <span className="display-block text-base">
                          {t("staffRefills.born", { date: dates.day(request.patient.birth_date) })}
                        </span>
                      )}
                      {request.requested_by && (
                        <span className="display-block text-base">
                          {t("staffRefills.requestedBy", { who: request.requested_by.label })}
                        </span>
                      )}
                    </td>
                    <td data-label={t("staffRefills.asked")}>{dates.moment(request.requested_at)}</td>
                    <td data-label={t("staffRefills.pharmacy")}>{request.pharmacy.name}</td>
                    {decided && (
                      <td data-label={t("staffRefills.decided")}>
                        {request.decided_at ? dates.moment(request.decided_at) : ""}
                        {request.decided_by && <span className="display-block text-base">{request.decided_by}</span>}
                      </td>
                    )}
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
