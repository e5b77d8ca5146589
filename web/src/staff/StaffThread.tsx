import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api } from "../api/client";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { fetchMe } from "../api/me";
import { Confirm } from "../components/Confirm";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AttachmentLinks } from "../messages/AttachmentLinks";
import { MessageList } from "../messages/MessageList";
import type { StaffThread as Thread, ThreadStatus } from "../messages/types";
import { StaffPage } from "./StaffPage";
import { staffMessagesKey, threadStatuses } from "./StaffMessages";

type After = "waiting_on_patient" | "open" | "closed";
const afterChoices: After[] = ["waiting_on_patient", "open", "closed"];

/** One conversation as its care team sees it: who the patient is, the messages, the reply, and its handling. */
export function StaffThread() {
  const { t } = useTranslation();
  // The title names no one and nothing of the subject: the page says them.
  usePageTitle(t("staffMessages.thread.title"));
  const { threadId = "" } = useParams();
  return <StaffPage>{(token) => <ThreadView token={token} threadId={threadId} />}</StaffPage>;
}

/** A change's answer (the conversation as it is now), or its refusal thrown as the API's body. */
async function changed(call: () => Promise<{ data?: unknown; error?: unknown }>): Promise<Thread> {
  let result: { data?: unknown; error?: unknown };
  try {
    result = await call();
  } catch {
    throw null; // formErrors says a network failure in plain words
  }
  if (result.data === undefined) throw result.error;
  return result.data as Thread;
}

function ThreadView({ token, threadId }: { token: string; threadId: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const queryClient = useQueryClient();
  const key = [...staffMessagesKey(token), "thread", threadId];
  const me = useQuery({ queryKey: ["me", token], queryFn: fetchMe });
  const thread = useQuery({
    queryKey: key,
    queryFn: () =>
      load(() => api.GET("/v1/staff/messages/{thread_id}", { params: { path: { thread_id: threadId } } })),
  });
  const [said, setSaid] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [reply, setReply] = useState("");
  const [after, setAfter] = useState<After>("waiting_on_patient");
  const [confirmUrgent, setConfirmUrgent] = useState(false);
  const urgentButton = useRef<HTMLButtonElement>(null);
  const submission = useSubmissionKey();

  const saved = (detail: Thread, text: string) => {
    queryClient.setQueryData(key, detail);
    void queryClient.invalidateQueries({ queryKey: staffMessagesKey(token), predicate: (query) => query.queryKey[2] !== "thread" });
    setSaid(text);
  };
  const starting = () => {
    setSaid("");
    setErrors(noErrors);
  };
  const failed = (fields: string[]) => (error: unknown) => setErrors(formErrors(error, fields, t("errors.network")));

  const markRead = useMutation({
    mutationFn: () =>
      load(() => api.POST("/v1/staff/messages/{thread_id}/read", { params: { path: { thread_id: threadId } } })).catch(
        () => undefined, // (still unread for the team: nothing for this page to do about it)
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: staffMessagesKey(token), predicate: (query) => query.queryKey[2] !== "thread" }),
  });
  const unread = thread.data?.messages.some((message) => message.from === "patient" && !message.read) ?? false;
  const { mutate: markReadNow } = markRead;
  useEffect(() => {
    if (unread) markReadNow();
  }, [unread, markReadNow]);

  const send = useMutation({
    mutationFn: async (body: { body: string; status_after: After }) => {
      const { data, error } = await api
        .POST("/v1/staff/messages/{thread_id}/replies", {
          params: { path: { thread_id: threadId }, header: { "Idempotency-Key": submission.keyFor(body) } },
          body,
        })
        .catch(() => ({ data: undefined, error: null }));
      if (data === undefined) throw error;
      return body.status_after;
    },
    onMutate: starting,
    onError: failed(["body", "status_after"]),
    onSuccess: async (statusAfter) => {
      submission.done();
      setReply("");
      setSaid(t("staffMessages.thread.replySent", { status: t(`staffMessages.status.${statusAfter}`) }));
      await queryClient.invalidateQueries({ queryKey: staffMessagesKey(token) });
    },
  });
  const assign = useMutation({
    mutationFn: (accountId: string | null) =>
      changed(() =>
        api.PUT("/v1/staff/messages/{thread_id}/assignment", {
          params: { path: { thread_id: threadId } },
          body: { account_id: accountId },
        }),
      ),
    onMutate: starting,
    onError: failed([]),
    onSuccess: (detail) =>
      saved(
        detail,
        detail.assigned_to
          ? t("staffMessages.thread.assigned", { name: detail.assigned_to.name })
          : t("staffMessages.thread.unassignedNow"),
      ),
  });
  const setStatus = useMutation({
    mutationFn: (status: ThreadStatus) =>
      changed(() =>
        api.PUT("/v1/staff/messages/{thread_id}/status", { params: { path: { thread_id: threadId } }, body: { status } }),
      ),
    onMutate: starting,
    onError: failed([]),
    onSuccess: (detail) => saved(detail, t("staffMessages.thread.statusSaved", { status: t(`staffMessages.status.${detail.status}`) })),
  });
  const setUrgent = useMutation({
    mutationFn: (urgent: boolean) =>
      changed(() =>
        api.PUT("/v1/staff/messages/{thread_id}/urgent", { params: { path: { thread_id: threadId } }, body: { urgent } }),
      ),
    onMutate: starting,
    onError: failed([]),
    onSuccess: (detail) => {
      setConfirmUrgent(false);
      saved(detail, detail.urgent ? t("staffMessages.thread.urgentMarked") : t("staffMessages.thread.urgentCleared"));
    },
  });

  function onReply(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (send.isPending) return;
    const text = reply.trim();
    if (!text) {
      setErrors({ fields: { body: t("errors.required") }, general: [] });
      return;
    }
    send.mutate({ body: text, status_after: after });
  }

  const back = (
    <p>
      <Link to="/staff/messages">{t("staffMessages.thread.back")}</Link>
    </p>
  );
  if (thread.isPending) return <p>{t("app.loading")}</p>;
  if (thread.isError) {
    return (
      <>
        {back}
        <h1>{t("staffMessages.thread.title")}</h1>
        <Problem message={thread.error.message} />
      </>
    );
  }
  const data = thread.data;
  const myId = me.data?.account.account_id;
  const busy = assign.isPending || setStatus.isPending || setUrgent.isPending;
  return (
    <>
      {back}
      {data.urgent && data.status === "closed" && (
        // closed, the patient no longer sees the call notice: kept as a plain note, not an alarm
        <p>
          <span className="usa-tag text-no-wrap bg-base-dark">{t("staffMessages.urgentClosedTag")}</span>
        </p>
      )}
      {data.urgent_notice && data.status !== "closed" && (
        <div className="usa-alert usa-alert--emergency" role="region" aria-label={t("staffMessages.thread.urgentHeading")}>
          <div className="usa-alert__body">
            <h2 className="usa-alert__heading">{t("staffMessages.thread.urgentHeading")}</h2>
            <p className="usa-alert__text">
              {data.urgent_marked_by && data.urgent_marked_at
                ? t("staffMessages.thread.urgentBy", { name: data.urgent_marked_by, when: dates.moment(data.urgent_marked_at) })
                : t("staffMessages.thread.urgentToldPatient")}
            </p>
            <p className="usa-alert__text">{t("staffMessages.thread.patientSees", { notice: data.urgent_notice })}</p>
          </div>
        </div>
      )}
      <h1>{data.subject}</h1>
      <Notice text={said} />
      <ErrorSummary messages={errors.general} />
      <dl className="grid-row grid-gap">
        <div className="tablet:grid-col-6">
          <dt className="text-bold">{t("staffMessages.inbox.patient")}</dt>
          <dd className="margin-left-0 margin-bottom-1">
            <Link to={`/staff/patients/${encodeURIComponent(data.patient.patient_id)}`}>{data.patient.name}</Link>
            {data.patient.birth_date && `, ${t("staffMessages.born", { date: dates.day(data.patient.birth_date) })}`}
          </dd>
          <dt className="text-bold">{t("staffMessages.inbox.teamColumn")}</dt>
          <dd className="margin-left-0 margin-bottom-1">{data.care_team.name}</dd>
          <dt className="text-bold">{t("staffMessages.inbox.status")}</dt>
          <dd className="margin-left-0 margin-bottom-1">{t(`staffMessages.status.${data.status}`)}</dd>
        </div>
        <div className="tablet:grid-col-6">
          <dt className="text-bold">{t("staffMessages.inbox.assignedTo")}</dt>
          <dd className="margin-left-0 margin-bottom-1">{data.assigned_to ? data.assigned_to.name : t("staffMessages.unassigned")}</dd>
          <dt className="text-bold">{t("staffMessages.inbox.waitingSince")}</dt>
          <dd className="margin-left-0 margin-bottom-1">
            {data.waiting_since ? dates.moment(data.waiting_since) : t("staffMessages.notWaiting")}
          </dd>
          <dt className="text-bold">{t("staffMessages.inbox.replyDue")}</dt>
          <dd className="margin-left-0 margin-bottom-1">
            {data.reply_due_by ? dates.moment(data.reply_due_by) : t("staffMessages.noReplyDue")}
            {data.overdue && " "}
            {data.overdue && <span className="usa-tag text-no-wrap bg-secondary-dark margin-left-05">{t("staffMessages.overdue")}</span>}
          </dd>
        </div>
      </dl>
      <h2>{t("staffMessages.thread.messages")}</h2>
      <MessageList
        messages={data.messages}
        isOwn={(message) => message.from === "care_team"}
        attachments={(message) => (
          <AttachmentLinks
            attachments={message.attachments}
            fetchLink={(attachmentId) =>
              load(() =>
                api.GET("/v1/staff/messages/{thread_id}/attachments/{attachment_id}", {
                  params: { path: { thread_id: threadId, attachment_id: attachmentId } },
                }),
              )
            }
          />
        )}
      />
      {data.status === "closed" ? (
        <p>{t("staffMessages.thread.closed")}</p>
      ) : (
        <form className="usa-form usa-form--large" onSubmit={onReply} noValidate>
          <TextArea
            name="body"
            label={t("staffMessages.thread.replyLabel")}
            hint={t("staffMessages.thread.replyHint")}
            error={errors.fields.body}
            value={reply}
            onChange={(event) => setReply(event.target.value)}
            maxLength={10000}
          />
          <fieldset className="usa-fieldset margin-top-2">
            <legend className="usa-legend">{t("staffMessages.thread.after")}</legend>
            {afterChoices.map((choice) => (
              <div className="usa-radio" key={choice}>
                <input
                  className="usa-radio__input"
                  type="radio"
                  id={`after-${choice}`}
                  name="status_after"
                  value={choice}
                  checked={after === choice}
                  onChange={() => setAfter(choice)}
                />
                <label className="usa-radio__label" htmlFor={`after-${choice}`}>
                  {t(`staffMessages.thread.afterChoice.${choice}`)}
                </label>
              </div>
            ))}
          </fieldset>
          <button className="usa-button margin-top-2" type="submit" disabled={send.isPending}>
            {send.isPending ? t("staffMessages.thread.sending") : t("staffMessages.thread.send")}
          </button>
        </form>
      )}
      <h2>{t("staffMessages.thread.handling")}</h2>
      <ul className="usa-button-group">
        {myId && data.assigned_to?.account_id !== myId && (
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--outline" disabled={busy} onClick={() => assign.mutate(myId)}>
              {t("staffMessages.thread.assignToMe")}
            </button>
          </li>
        )}
        {data.assigned_to && (
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--outline" disabled={busy} onClick={() => assign.mutate(null)}>
              {t("staffMessages.thread.unassign")}
            </button>
          </li>
        )}
        {threadStatuses
          .filter((status) => status !== data.status)
          .map((status) => (
            <li key={status} className="usa-button-group__item">
              <button type="button" className="usa-button usa-button--outline" disabled={busy} onClick={() => setStatus.mutate(status)}>
                {t(`staffMessages.thread.markAs.${status}`)}
              </button>
            </li>
          ))}
        <li className="usa-button-group__item">
          {data.urgent ? (
            <button type="button" className="usa-button usa-button--outline" disabled={busy} onClick={() => setUrgent.mutate(false)}>
              {t("staffMessages.thread.clearUrgent")}
            </button>
          ) : (
            <button
              ref={urgentButton}
              type="button"
              className="usa-button usa-button--secondary"
              disabled={busy || confirmUrgent}
              onClick={() => setConfirmUrgent(true)}
            >
              {t("staffMessages.thread.markUrgent")}
            </button>
          )}
        </li>
      </ul>
      {confirmUrgent && (
        <Confirm
          question={t("staffMessages.thread.urgentQuestion")}
          confirmLabel={t("staffMessages.thread.urgentConfirm")}
          onConfirm={() => setUrgent.mutate(true)}
          onCancel={() => setConfirmUrgent(false)}
          busy={setUrgent.isPending}
          opener={urgentButton.current}
        >
          <p className="usa-alert__text">{t("staffMessages.thread.urgentExplain")}</p>
        </Confirm>
      )}
    </>
  );
}
