import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client";
import { load } from "../api/errors";
import { useDates } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import type { ThreadStatus } from "../messages/types";
import { StaffPage } from "./StaffPage";

export const threadStatuses: ThreadStatus[] = ["open", "waiting_on_patient", "closed"];
type Assigned = "anyone" | "me" | "unassigned";
const assignments: Assigned[] = ["anyone", "me", "unassigned"];
const PAGE_SIZE = 25;

// Keyed by the session's token, so another session never sees this one's answers.
export const staffMessagesKey = (token: string) => ["staff-messages", token];

/**
 * The care teams' inboxes: the teams of the staff member (every team for an admin) with what is
 * open, unread and overdue, and their conversations filtered by team, status and assignment. Open
 * conversations come most overdue first, so the oldest unanswered patient is at the top.
 */
export function StaffMessages() {
  const { t } = useTranslation();
  usePageTitle(t("staffMessages.inbox.title"));
  return <StaffPage>{(token) => <InboxView token={token} />}</StaffPage>;
}

function InboxView({ token }: { token: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const [team, setTeam] = useState("");
  const [status, setStatus] = useState<ThreadStatus>("open");
  const [assigned, setAssigned] = useState<Assigned>("anyone");
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const teams = useQuery({
    queryKey: [...staffMessagesKey(token), "teams"],
    queryFn: () => load(() => api.GET("/v1/staff/messages/teams")),
  });
  const threads = useQuery({
    queryKey: [...staffMessagesKey(token), "threads", team, status, assigned, cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/staff/messages", {
          params: {
            query: { limit: PAGE_SIZE, status, assigned, ...(team && { team_id: team }), ...(cursor && { cursor }) },
          },
        }),
      ),
  });
  const filter =
    <T,>(set: (value: T) => void) =>
    (value: T) => {
      set(value);
      setCursors([]);
    };

  return (
    <>
      <h1>{t("staffMessages.inbox.title")}</h1>
      <p>{t("staffMessages.inbox.intro")}</p>
      <h2>{t("staffMessages.inbox.teams")}</h2>
      {teams.isPending && <p>{t("app.loading")}</p>}
      {teams.isError && <Problem message={teams.error.message} />}
      {teams.data &&
        (teams.data.teams.length === 0 ? (
          <p>{t("staffMessages.inbox.noTeams")}</p>
        ) : (
          <ul className="usa-card-group">
            {teams.data.teams.map((inbox) => (
              <li key={inbox.team_id} className="usa-card tablet:grid-col-4">
                <div className="usa-card__container">
                  <div className="usa-card__header">
                    <h3 className="usa-card__heading">{inbox.name}</h3>
                  </div>
                  <div className="usa-card__body">
                    <p>
                      {t("staffMessages.inbox.openCount", { count: inbox.open_count })}
                      <br />
                      {t("staffMessages.inbox.unreadCount", { count: inbox.unread_count })}
                      <br />
                      {inbox.overdue_count > 0 ? (
                        <span className="text-bold text-secondary-dark">
                          {t("staffMessages.inbox.overdueCount", { count: inbox.overdue_count })}
                        </span>
                      ) : (
                        t("staffMessages.inbox.overdueCount", { count: 0 })
                      )}
                    </p>
                  </div>
                  <div className="usa-card__footer">
                    <button
                      type="button"
                      className="usa-button usa-button--outline"
                      aria-pressed={team === inbox.team_id}
                      onClick={() => filter(setTeam)(inbox.team_id)}
                    >
                      {t("staffMessages.inbox.showTeam", { team: inbox.name })}
                    </button>
                  </div>
                </div>
              </li>
            ))}
          </ul>
        ))}
      <h2>{t("staffMessages.inbox.conversations")}</h2>
      <div className="grid-row grid-gap">
        <div className="tablet:grid-col-4">
          <label className="usa-label" htmlFor="messages-team">
            {t("staffMessages.inbox.team")}
          </label>
          <select className="usa-select" id="messages-team" value={team} onChange={(event) => filter(setTeam)(event.target.value)}>
            <option value="">{t("staffMessages.inbox.allTeams")}</option>
            {teams.data?.teams.map((inbox) => (
              <option key={inbox.team_id} value={inbox.team_id}>
                {inbox.name}
              </option>
            ))}
          </select>
        </div>
        <div className="tablet:grid-col-4">
          <label className="usa-label" htmlFor="messages-status">
            {t("staffMessages.inbox.status")}
          </label>
          <select
            className="usa-select"
            id="messages-status"
            value={status}
            onChange={(event) => filter(setStatus)(event.target.value as ThreadStatus)}
          >
            {threadStatuses.map((value) => (
              <option key={value} value={value}>
                {t(`staffMessages.status.${value}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="tablet:grid-col-4">
          <label className="usa-label" htmlFor="messages-assigned">
            {t("staffMessages.inbox.assigned")}
          </label>
          <select
            className="usa-select"
            id="messages-assigned"
            value={assigned}
            onChange={(event) => filter(setAssigned)(event.target.value as Assigned)}
          >
            {assignments.map((value) => (
              <option key={value} value={value}>
                {t(`staffMessages.assignedFilter.${value}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {threads.isPending && <p>{t("app.loading")}</p>}
      {threads.isError && <Problem message={threads.error.message} />}
      {threads.data &&
        (threads.data.threads.length === 0 ? (
          <p className="margin-top-3">{t("staffMessages.inbox.none")}</p>
        ) : (
          <>
            <table className="usa-table usa-table--stacked usa-table--borderless width-full">
              <caption className="text-left">{t("staffMessages.inbox.caption", { count: threads.data.threads.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("staffMessages.inbox.subject")}</th>
                  <th scope="col">{t("staffMessages.inbox.patient")}</th>
                  <th scope="col">{t("staffMessages.inbox.teamColumn")}</th>
                  <th scope="col">{t("staffMessages.inbox.waitingSince")}</th>
                  <th scope="col">{t("staffMessages.inbox.replyDue")}</th>
                  <th scope="col">{t("staffMessages.inbox.assignedTo")}</th>
                </tr>
              </thead>
              <tbody>
                {threads.data.threads.map((thread) => (
                  <tr key={thread.thread_id}>
                    <th scope="row" data-label={t("staffMessages.inbox.subject")}>
                      <Link to={`/staff/messages/${encodeURIComponent(thread.thread_id)}`}>{thread.subject}</Link>
                      {/* each badge kept on one line, and a space before it so it is not read run into the words before */}
                      {thread.unread_count > 0 && (
                        <>
                          {" "}
                          <span className="usa-tag text-no-wrap bg-secondary-dark margin-left-05">
                            {t("staffMessages.inbox.newCount", { count: thread.unread_count })}
                          </span>
                        </>
                      )}
                      {thread.urgent && " "}
                      {thread.urgent &&
                        (thread.status === "closed" ? (
                          // the patient no longer sees the call notice once closed: no alarm colour
                          <span className="usa-tag text-no-wrap bg-base-dark margin-left-05">{t("staffMessages.urgentClosedTag")}</span>
                        ) : (
                          <span className="usa-tag text-no-wrap bg-emergency margin-left-05">{t("staffMessages.urgentTag")}</span>
                        ))}
                    </th>
                    <td data-label={t("staffMessages.inbox.patient")}>
                      {thread.patient.name}
                      {thread.patient.birth_date && (
                        <>
                          <br />
                          <span className="text-base-dark">{t("staffMessages.born", { date: dates.day(thread.patient.birth_date) })}</span>
                        </>
                      )}
                    </td>
                    <td data-label={t("staffMessages.inbox.teamColumn")}>{thread.care_team.name}</td>
                    <td data-label={t("staffMessages.inbox.waitingSince")}>
                      {thread.waiting_since ? dates.moment(thread.waiting_since) : t("staffMessages.notWaiting")}
                    </td>
                    <td data-label={t("staffMessages.inbox.replyDue")}>
                      {thread.reply_due_by ? dates.moment(thread.reply_due_by) : t("staffMessages.noReplyDue")}
                      {thread.overdue && " "}
                      {thread.overdue && <span className="usa-tag text-no-wrap bg-secondary-dark margin-left-05">{t("staffMessages.overdue")}</span>}
                    </td>
                    <td data-label={t("staffMessages.inbox.assignedTo")}>
                      {thread.assigned_to ? thread.assigned_to.name : t("staffMessages.unassigned")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager
              page={page}
              nextCursor={threads.data.next_cursor ?? null}
              onPrevious={() => setCursors(cursors.slice(0, -1))}
              onNext={(next) => setCursors([...cursors, next])}
            />
          </>
        ))}
    </>
  );
}
