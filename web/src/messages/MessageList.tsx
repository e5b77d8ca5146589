import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { useDates } from "../components/dates";
import type { Message } from "./types";

/**
 * A conversation's messages, oldest first as the API sends them: who wrote and when, the text as
 * written (its line breaks kept), and its files. Shared by the patient's and the staff's page; each
 * says which side is "you" and how a file is fetched.
 */
export function MessageList({
  messages,
  isOwn,
  attachments,
}: {
  messages: Message[];
  isOwn: (message: Message) => boolean;
  attachments: (message: Message) => ReactNode;
}) {
  const { t } = useTranslation();
  const dates = useDates();
  return (
    <ol className="usa-list usa-list--unstyled" aria-label={t("messages.thread.listLabel", { count: messages.length })}>
      {messages.map((message) => (
        <li
          key={message.message_id}
          className={`margin-bottom-2 padding-2 radius-md border-1px border-left-05 ${isOwn(message) ? "border-base-light" : "border-primary"}`}
        >
          <article aria-label={t("messages.thread.messageFrom", { author: message.author })}>
            <p className="margin-top-0 margin-bottom-1">
              <span className="text-bold">{message.author}</span>
              {!message.read && !isOwn(message) && (
                <>
                  {" "}
                  <span className="usa-tag text-no-wrap margin-left-05">{t("messages.thread.new")}</span>
                </>
              )}
              {message.sent_by && (
                // Someone acting for the patient wrote it: said apart from the patient's own words.
                <span className="display-block">
                  {message.yours ? t("messages.thread.sentByYou") : t("messages.thread.sentBy", { who: message.sent_by.label })}
                </span>
              )}
              <br />
              <span className="text-base-dark">{t("messages.thread.sentAt", { when: dates.moment(message.sent_at) })}</span>
            </p>
            <p className="margin-y-1" style={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
              {message.body}
            </p>
            {attachments(message)}
          </article>
        </li>
      ))}
    </ol>
  );
}
