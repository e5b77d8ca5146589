import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useParams } from "react-router";
import { submit } from "../account/submit";
import { api } from "../api/client";
import { type FormErrors, load, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import type { ChosenFile } from "./attachments";
import { AttachmentLinks } from "./AttachmentLinks";
import { AttachmentsField, filesProblem, readyIds } from "./AttachmentsField";
import { MessageList } from "./MessageList";
import { fetchAttachmentLink, fetchThread, inboxKey, threadKey } from "./queries";
import type { Thread } from "./types";

/**
 * One conversation, oldest message first, and a reply box unless it is closed. Shown, its care
 * team's messages count as read (POST .../read), and the unread counts (the site's navigation,
 * home, inbox) are asked again.
 */
export function ThreadPage() {
  const { t } = useTranslation();
  // The subject may say something about the patient's health: the tab's title says nothing of it.
  usePageTitle(t("messages.thread.title"));
  const { threadId = "" } = useParams();
  return <PatientPage area="messages">{(record) => <ThreadView record={record} threadId={threadId} />}</PatientPage>;
}

function ThreadView({ record, threadId }: { record: RecordView; threadId: string }) {
  const { t } = useTranslation();
  const location = useLocation();
  const sent = (location.state as { sent?: boolean } | null)?.sent === true;
  const queryClient = useQueryClient();
  const key = threadKey(record.token, record.patientId, threadId);
  const thread = useQuery({ queryKey: key, queryFn: () => fetchThread(record.patientId, threadId) });
  const markRead = useMutation({
    mutationFn: () =>
      load(() =>
        api.POST("/v1/patients/{patient_id}/messages/{thread_id}/read", {
          params: { path: { patient_id: record.patientId, thread_id: threadId } },
        }),
      ).catch(() => undefined), // (unread stays unread: nothing for the reader to act on)
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["me", record.token] });
      void queryClient.invalidateQueries({ queryKey: inboxKey(record.token) });
    },
  });
  const unread = thread.data?.messages.some((message) => message.from === "care_team" && !message.read) ?? false;
  const { mutate } = markRead;
  useEffect(() => {
    if (unread) mutate();
  }, [unread, mutate]);

  if (thread.isPending) return <p>{t("app.loading")}</p>;
  if (thread.isError) {
    return (
      <>
        <p>
          <Link to={record.to("/messages")}>{t("messages.backToInbox")}</Link>
        </p>
        <h1>{t("messages.thread.title")}</h1>
        <Problem message={thread.error.message} />
      </>
    );
  }
  const data = thread.data;
  return (
    <>
      <p>
        <Link to={record.to("/messages")}>{t("messages.backToInbox")}</Link>
      </p>
      {/* once closed, the call to action is over: the closed notice below says what to do instead */}
      {data.urgent_notice && data.status !== "closed" && (
        <div className="usa-alert usa-alert--emergency" role="alert">
          <div className="usa-alert__body">
            <h2 className="usa-alert__heading">{t("messages.thread.urgentHeading")}</h2>
            <p className="usa-alert__text">{data.urgent_notice}</p>
            {data.care_team_phone && (
              <p className="usa-alert__text">
                <a className="text-white text-bold" href={`tel:${data.care_team_phone.replace(/[^\d+]/g, "")}`}>
                  {t("messages.thread.call", { phone: data.care_team_phone })}
                </a>
              </p>
            )}
          </div>
        </div>
      )}
      <h1>{data.subject}</h1>
      {sent && <Notice text={t("messages.compose.sent")} />}
      <p>
        {t("messages.thread.with", { team: data.care_team.name })} · {t(`messages.status.${data.status}`)}
      </p>
      <MessageList
        messages={data.messages}
        isOwn={(message) => message.from === "patient"}
        attachments={(message) => (
          <AttachmentLinks
            attachments={message.attachments}
            fetchLink={(attachmentId) => fetchAttachmentLink(record.patientId, threadId, attachmentId)}
          />
        )}
      />
      {data.status === "closed" ? (
        <div className="usa-summary-box margin-top-3">
          <div className="usa-summary-box__body">
            <p className="usa-summary-box__text">{t("messages.thread.closed")}</p>
            <Link className="usa-button" to={record.to("/messages/new")}>
              {t("messages.inbox.write")}
            </Link>
          </div>
        </div>
      ) : (
        !record.readOnly && <ReplyForm record={record} thread={data} />
      )}
    </>
  );
}

function ReplyForm({ record, thread }: { record: RecordView; thread: Thread }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [text, setText] = useState("");
  const [files, setFiles] = useState<ChosenFile[]>([]);
  const [said, setSaid] = useState("");
  const submission = useSubmissionKey();
  // Set at once, not on the next render as `busy` is: the second click of a double click meets it.
  const sending = useRef(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending.current) return;
    const body = { body: text.trim(), attachment_ids: readyIds(files) };
    const missing: Record<string, string> = {};
    if (!body.body) missing.body = t("errors.required");
    const notReady = filesProblem(files, t);
    if (notReady) missing.attachment_ids = notReady;
    if (Object.keys(missing).length > 0) {
      setErrors({ fields: missing, general: [] });
      return;
    }
    sending.current = true;
    setBusy(true);
    setErrors(noErrors);
    setSaid("");
    const key = submission.keyFor(body);
    const outcome = await submit(
      () =>
        api.POST("/v1/patients/{patient_id}/messages/{thread_id}/replies", {
          params: { path: { patient_id: record.patientId, thread_id: thread.thread_id }, header: { "Idempotency-Key": key } },
          body,
        }),
      ["body", "attachment_ids"],
    );
    sending.current = false;
    setBusy(false);
    if (outcome.errors) {
      setErrors(outcome.errors);
      return;
    }
    submission.done();
    setText("");
    setFiles([]);
    setSaid(t("messages.thread.replySent"));
    await queryClient.invalidateQueries({ queryKey: threadKey(record.token, record.patientId, thread.thread_id) });
    void queryClient.invalidateQueries({ queryKey: inboxKey(record.token) });
  }

  return (
    <section aria-labelledby="reply-heading" className="margin-top-4">
      <h2 id="reply-heading">{t("messages.thread.replyHeading")}</h2>
      <Notice text={said} />
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <TextArea
          name="body"
          label={t("messages.thread.replyLabel")}
          error={errors.fields.body}
          value={text}
          onChange={(event) => setText(event.target.value)}
          maxLength={10000}
        />
        <AttachmentsField patientId={record.patientId} files={files} onChange={setFiles} error={errors.fields.attachment_ids} />
        <button className="usa-button margin-top-3" type="submit" disabled={busy}>
          {busy ? t("messages.compose.sending") : t("messages.thread.sendReply")}
        </button>
      </form>
    </section>
  );
}
