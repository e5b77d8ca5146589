import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useDates } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { fetchInbox, inboxKey } from "./queries";

/** The patient's conversations with their care teams, newest activity first, a page at a time. */
export function Inbox() {
  const { t } = useTranslation();
  usePageTitle(t("messages.inbox.title"));
  return <PatientPage area="messages">{(record) => <InboxView record={record} />}</PatientPage>;
}

function InboxView({ record }: { record: RecordView }) {
  const { t } = useTranslation();
  const dates = useDates();
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const inbox = useQuery({
    queryKey: [...inboxKey(record.token), record.patientId, cursor],
    queryFn: () => fetchInbox(record.patientId, cursor),
  });

  return (
    <>
      <h1>{t("messages.inbox.title")}</h1>
      <p>{record.says("messages.inbox.intro", "records.forOther.messagesIntro")}</p>
      {/* a read-only proxy reads the conversations but writes none */}
      {!record.readOnly && (
        <p>
          <Link className="usa-button" to={record.to("/messages/new")}>
            {t("messages.inbox.write")}
          </Link>
        </p>
      )}
      {inbox.isPending && <p>{t("app.loading")}</p>}
      {inbox.isError && <Problem message={inbox.error.message} />}
      {inbox.data && (
        <>
          <p>{t("messages.inbox.unread", { count: inbox.data.unread_count })}</p>
          {inbox.data.threads.length === 0 ? (
            <p>{page === 0 ? t("messages.inbox.none") : t("messages.inbox.noMore")}</p>
          ) : (
            <table className="usa-table usa-table--stacked usa-table--borderless width-full">
              <caption className="text-left">{t("messages.inbox.caption", { count: inbox.data.threads.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("messages.inbox.subject")}</th>
                  <th scope="col">{t("messages.inbox.team")}</th>
                  <th scope="col">{t("messages.inbox.lastMessage")}</th>
                  <th scope="col">{t("messages.inbox.status")}</th>
                </tr>
              </thead>
              <tbody>
                {inbox.data.threads.map((thread) => (
                  <tr key={thread.thread_id}>
                    <th scope="row" data-label={t("messages.inbox.subject")}>
                      <Link to={record.to(`/messages/${encodeURIComponent(thread.thread_id)}`)}>{thread.subject}</Link>
                      {/* each badge kept on one line, and a space before it so it is not read run into the words before */}
                      {thread.unread_count > 0 && (
                        <>
                          {" "}
                          <span className="usa-tag text-no-wrap bg-secondary-dark margin-left-05">
                            {t("messages.inbox.newCount", { count: thread.unread_count })}
                          </span>
                        </>
                      )}
                      {/* a closed conversation needs no call: the urgent mark is kept only for the staff's record */}
                      {thread.urgent && thread.status !== "closed" && (
                        <>
                          {" "}
                          <span className="usa-tag text-no-wrap bg-emergency margin-left-05">{t("messages.inbox.urgent")}</span>
                        </>
                      )}
                    </th>
                    <td data-label={t("messages.inbox.team")}>{thread.care_team.name}</td>
                    <td data-label={t("messages.inbox.lastMessage")}>
                      {t(thread.last_message_from === "patient" ? "messages.inbox.fromYou" : "messages.inbox.fromTeam", {
                        when: dates.moment(thread.last_message_at),
                      })}
                    </td>
                    <td data-label={t("messages.inbox.status")}>{t(`messages.status.${thread.status}`)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pager
            page={page}
            nextCursor={inbox.data.next_cursor ?? null}
            onPrevious={() => setCursors(cursors.slice(0, -1))}
            onNext={(next) => setCursors([...cursors, next])}
          />
        </>
      )}
    </>
  );
}
