import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { momentText } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";
import { statuses, supportQueueKey } from "./SupportRequests";

type Detail = Schemas["SupportRequestDetail"];
type Status = Detail["status"];

/** One support request: what the person wrote, how to reach them, the answers recorded; staff record an answer or change its status. */
export function SupportRequest() {
  const { t } = useTranslation();
  // (the title names no one: the reference number is on the page)
  usePageTitle(t("staff.support.detailTitle"));
  const { requestId = "" } = useParams();
  return <StaffPage>{(token) => <DetailView token={token} requestId={requestId} />}</StaffPage>;
}

async function changed(call: () => Promise<{ data?: Detail; error?: unknown }>): Promise<Detail> {
  const { data, error } = await call();
  if (data === undefined) throw error;
  return data;
}

function DetailView({ token, requestId }: { token: string; requestId: string }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const key = ["staff-support-request", token, requestId];
  const request = useQuery({
    queryKey: key,
    queryFn: () => load(() => api.GET("/v1/staff/support-requests/{request_id}", { params: { path: { request_id: requestId } } })),
  });
  const [said, setSaid] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [answer, setAnswer] = useState("");
  const submission = useSubmissionKey();
  const saved = (detail: Detail, text: string) => {
    queryClient.setQueryData(key, detail);
    void queryClient.invalidateQueries({ queryKey: supportQueueKey(token) });
    setSaid(text);
  };
  const record = useMutation({
    mutationFn: (text: string) =>
      changed(() =>
        api.POST("/v1/staff/support-requests/{request_id}/answers", {
          params: { path: { request_id: requestId }, header: { "Idempotency-Key": submission.keyFor({ requestId, text }) } },
          body: { text },
        }),
      ),
    onMutate: () => {
      setSaid("");
      setErrors(noErrors);
    },
    onError: (error) => setErrors(formErrors(error, ["text"], t("errors.network"))),
    onSuccess: (detail) => {
      submission.done();
      setAnswer("");
      saved(detail, t("staff.support.answerSaved"));
    },
  });
  const setStatus = useMutation({
    mutationFn: (status: Status) =>
      changed(() =>
        api.PUT("/v1/staff/support-requests/{request_id}/status", {
          params: { path: { request_id: requestId } },
          body: { status },
        }),
      ),
    onMutate: () => {
      setSaid("");
      setErrors(noErrors);
    },
    onError: (error) => setErrors(formErrors(error, [], t("errors.network"))),
    onSuccess: (detail) => saved(detail, t("staff.support.statusSaved", { status: t(`staff.support.status.${detail.status}`) })),
  });

  function onAnswer(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = answer.trim();
    if (!text) {
      setErrors({ fields: { text: t("errors.required") }, general: [] });
      return;
    }
    record.mutate(text);
  }

  return (
    <>
      <p>
        <Link to="/staff/support">{t("staff.support.back")}</Link>
      </p>
      {request.isPending && <p>{t("app.loading")}</p>}
      {request.isError && (
        <>
          <h1>{t("staff.support.detailTitle")}</h1>
          <Problem message={request.error.message} />
        </>
      )}
      {request.data && (
        <>
          <h1>{t("staff.support.detailHeading", { reference: request.data.reference })}</h1>
          <Notice text={said} />
          <ErrorSummary messages={errors.general} />
          <dl>
            <dt className="text-bold">{t("staff.support.topic")}</dt>
            <dd className="margin-left-0 margin-bottom-1">{t(`support.topic.${request.data.topic}`)}</dd>
            <dt className="text-bold">{t("staff.support.received")}</dt>
            <dd className="margin-left-0 margin-bottom-1">{momentText(request.data.received_at, i18n.language)}</dd>
            <dt className="text-bold">{t("staff.support.statusLabel")}</dt>
            <dd className="margin-left-0 margin-bottom-1">{t(`staff.support.status.${request.data.status}`)}</dd>
            <dt className="text-bold">{t("staff.support.from")}</dt>
            <dd className="margin-left-0 margin-bottom-1">
              {request.data.name || t("staff.support.noName")}
              {request.data.signed_in && ` (${t("staff.support.signedIn")})`}
            </dd>
            <dt className="text-bold">{t("staff.support.email")}</dt>
            <dd className="margin-left-0 margin-bottom-1">
              {request.data.email ? <a href={`mailto:${request.data.email}`}>{request.data.email}</a> : t("staff.notGiven")}
            </dd>
            <dt className="text-bold">{t("staff.support.phone")}</dt>
            <dd className="margin-left-0 margin-bottom-1">
              {request.data.phone ? <a href={`tel:${request.data.phone}`}>{request.data.phone}</a> : t("staff.notGiven")}
            </dd>
          </dl>
          <h2>{t("staff.support.whatTheyWrote")}</h2>
          <p style={{ whiteSpace: "pre-wrap" }}>{request.data.description}</p>
          <h2>{t("staff.support.answers")}</h2>
          {request.data.answers.length === 0 ? (
            <p>{t("staff.support.noAnswers")}</p>
          ) : (
            <ul className="usa-list">
              {request.data.answers.map((given) => (
                <li key={given.answered_at + given.text}>
                  <span className="text-bold">{momentText(given.answered_at, i18n.language)}: </span>
                  <span style={{ whiteSpace: "pre-wrap" }}>{given.text}</span>
                </li>
              ))}
            </ul>
          )}
          <form className="usa-form usa-form--large" onSubmit={onAnswer} noValidate>
            <TextArea
              name="text"
              label={t("staff.support.answerLabel")}
              hint={t("staff.support.answerHint")}
              error={errors.fields.text}
              value={answer}
              onChange={(event) => setAnswer(event.target.value)}
              maxLength={4000}
            />
            <button className="usa-button" type="submit" disabled={record.isPending}>
              {t("staff.support.recordAnswer")}
            </button>
          </form>
          <h2>{t("staff.support.changeStatus")}</h2>
          <ul className="usa-button-group">
            {statuses
              .filter((status) => status !== request.data.status)
              .map((status) => (
                <li key={status} className="usa-button-group__item">
                  <button
                    type="button"
                    className="usa-button usa-button--outline"
                    disabled={setStatus.isPending}
                    onClick={() => setStatus.mutate(status)}
                  >
                    {t(`staff.support.markAs.${status}`)}
                  </button>
                </li>
              ))}
          </ul>
        </>
      )}
    </>
  );
}
