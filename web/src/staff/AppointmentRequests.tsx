import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client";
import { load } from "../api/errors";
import { dayWords } from "../appointments/format";
import { namedMoment } from "../components/clinicTime";
import { useDates } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";

export type Queue = "to_do" | "waiting" | "done";
export const queues: Queue[] = ["to_do", "waiting", "done"];
const PAGE_SIZE = 25;

export const appointmentQueueKey = (token: string) => ["staff-appointment-requests", token];

/**
 * The organization's appointment requests in three queues: to do (new requests and times patients
 * accepted, oldest first, so the longest wait is on top), waiting (on the patient's answer or on
 * the scheduling system), and done (newest first).
 */
export function AppointmentRequests() {
  const { t } = useTranslation();
  usePageTitle(t("staff.appointmentRequests.title"));
  return <StaffPage>{(token) => <QueueView token={token} />}</StaffPage>;
}

function QueueView({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const dates = useDates();
  const [queue, setQueue] = useState<Queue>("to_do");
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const requests = useQuery({
    queryKey: [...appointmentQueueKey(token), queue, cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/staff/appointment-requests", {
          params: { query: { queue, limit: PAGE_SIZE, ...(cursor && { cursor }) } },
        }),
      ),
  });

  return (
    <>
      <h1>{t("staff.appointmentRequests.title")}</h1>
      <p>{t("staff.appointmentRequests.intro")}</p>
      <nav aria-label={t("staff.appointmentRequests.queues")}>
        <ul className="usa-button-group usa-button-group--segmented margin-bottom-2">
          {queues.map((value) => (
            <li className="usa-button-group__item" key={value}>
              <button
                type="button"
                className={`usa-button${value === queue ? "" : " usa-button--outline"}`}
                aria-pressed={value === queue}
                onClick={() => {
                  setQueue(value);
                  setCursors([]);
                }}
              >
                {t(`staff.appointmentRequests.queue.${value}`)}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      {requests.isPending && <p>{t("app.loading")}</p>}
      {requests.isError && <Problem message={requests.error.message} />}
      {requests.data &&
        (requests.data.appointment_requests.length === 0 ? (
          <p>{t(`staff.appointmentRequests.none.${queue}`)}</p>
        ) : (
          <>
            <table className="usa-table usa-table--stacked usa-table--borderless width-full">
              <caption className="text-left">
                {t("staff.appointmentRequests.caption", {
                  count: requests.data.appointment_requests.length,
                  queue: t(`staff.appointmentRequests.queue.${queue}`),
                })}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t("staff.appointmentRequests.request")}</th>
                  <th scope="col">{t("staff.appointmentRequests.patient")}</th>
                  <th scope="col">{t("staff.appointmentRequests.statusLabel")}</th>
                  <th scope="col">{t("staff.appointmentRequests.preferred")}</th>
                  <th scope="col">{t("staff.appointmentRequests.asked")}</th>
                </tr>
              </thead>
              <tbody>
                {requests.data.appointment_requests.map((request) => (
                  <tr key={request.request_id}>
                    <th scope="row" data-label={t("staff.appointmentRequests.request")}>
                      <Link to={`/staff/appointment-requests/${encodeURIComponent(request.request_id)}`}>
                        {t(`staff.appointmentRequests.kind.${request.kind}`)}{" "}
                        <span className="usa-sr-only">{t("staff.appointmentRequests.forPatient", { name: request.patient.name })}</span>
                      </Link>
                      <span className="display-block text-base">
                        {t(`appointments.mode.${request.mode}`)}
                        {request.care_team && <> · {request.care_team.name}</>}
                      </span>
                    </th>
                    <td data-label={t("staff.appointmentRequests.patient")}>
                      {request.patient.name}
                      {request.patient.birth_date && (
                        <span className="display-block text-base">
                          {t("staff.appointmentRequests.born", { date: dates.day(request.patient.birth_date) })}
                        </span>
                      )}
                      {request.requested_by && (
                        <span className="display-block text-base">
                          {t("staff.appointmentRequests.requestedBy", { who: request.requested_by.label })}
                        </span>
                      )}
                    </td>
                    <td data-label={t("staff.appointmentRequests.statusLabel")}>{t(`staff.appointmentRequests.status.${request.status}`)}</td>
                    <td data-label={t("staff.appointmentRequests.preferred")}>
                      {request.preferred.map((choice, index) => (
                        <span className="display-block" key={index}>
                          {dayWords(choice.date, i18n.language)}, {t(`appointments.timeOfDay.${choice.time_of_day}`)}
                        </span>
                      ))}
                    </td>
                    <td data-label={t("staff.appointmentRequests.asked")}>
                      {namedMoment(request.requested_at, i18n.language, request.appointment?.time_zone)}
                    </td>
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
