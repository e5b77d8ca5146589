import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, isErrorBody, load, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Fact, Facts } from "../components/Facts";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { refillQueueKey } from "./RefillRequests";
import { StaffPage } from "./StaffPage";

type Decision = Schemas["RefillDecision"];

/**
 * One refill request with the patient and the prescription it asks about; staff approve it, or
 * deny it with a reason the patient reads. Once decided, the outcome is shown; a request someone
 * else decided meanwhile (409) is said so, with its outcome.
 */
export function RefillRequest() {
  const { t } = useTranslation();
  // (the title names no one and no medication: both are on the page)
  usePageTitle(t("staffRefills.detailTitle"));
  const { requestId = "" } = useParams();
  return <StaffPage>{(token) => <DetailView token={token} requestId={requestId} />}</StaffPage>;
}

const fetchDetail = (requestId: string) =>
  load(() => api.GET("/v1/staff/refill-requests/{request_id}", { params: { path: { request_id: requestId } } }));

function DetailView({ token, requestId }: { token: string; requestId: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const queryClient = useQueryClient();
  const key = ["staff-refill-request", token, requestId];
  const request = useQuery({ queryKey: key, queryFn: () => fetchDetail(requestId) });
  const [said, setSaid] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [reason, setReason] = useState("");
  const submission = useSubmissionKey();

  const decide = useMutation({
    mutationFn: async (decision: Decision) => {
      const { data, error } = await api.POST("/v1/staff/refill-requests/{request_id}/decision", {
        params: { path: { request_id: requestId }, header: { "Idempotency-Key": submission.keyFor({ requestId, ...decision }) } },
        body: decision,
      });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => {
      setSaid("");
      setErrors(noErrors);
    },
    onError: async (error) => {
      const found = formErrors(error, ["reason"], t("errors.network"));
      if (isErrorBody(error) && error.error.code === "conflict") {
        // Decided by someone else meanwhile: show what they decided, and say so in words.
        const fresh = await queryClient.fetchQuery({ queryKey: key, queryFn: () => fetchDetail(requestId) }).catch(() => null);
        if (fresh && fresh.status !== "requested") {
          setErrors({ fields: {}, general: [t("staffRefills.alreadyDecided")] });
          return;
        }
      }
      setErrors(found);
    },
    onSuccess: (detail) => {
      submission.done();
      setReason("");
      queryClient.setQueryData(key, detail);
      void queryClient.invalidateQueries({ queryKey: refillQueueKey(token) });
      setSaid(detail.status === "approved" ? t("staffRefills.approved") : t("staffRefills.denied"));
    },
  });

  function onDeny(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = reason.trim();
    if (!text) {
      setSaid("");
      setErrors({ fields: { reason: t("staffRefills.reasonRequired") }, general: [] });
      return;
    }
    decide.mutate({ decision: "denied", reason: text });
  }

  const refills = (count: number | null) =>
    count === null
      ? t("staffRefills.notStated")
      : count === 0
        ? t("staffRefills.noRefills")
        : t("staffRefills.refillsCount", { count });

  return (
    <>
      <p>
        <Link to="/staff/refill-requests">{t("staffRefills.back")}</Link>
      </p>
      <h1>{t("staffRefills.detailTitle")}</h1>
      {request.isPending && <p>{t("app.loading")}</p>}
      {request.isError && <Problem message={request.error.message} />}
      {request.data && (
        <>
          <Notice text={said} />
          <ErrorSummary messages={errors.general} />
          <Facts>
            <Fact term={t("staffRefills.medication")}>{request.data.medication.name}</Fact>
            <Fact term={t("staffRefills.statusLabel")}>
              <span className="text-bold">{t(`staffRefills.status.${request.data.status}`)}</span>
            </Fact>
            {request.data.decided_at && (
              <Fact term={t("staffRefills.decided")}>{dates.moment(request.data.decided_at)}</Fact>
            )}
            {request.data.decided_by && <Fact term={t("staffRefills.decidedBy")}>{request.data.decided_by}</Fact>}
            {request.data.decision_reason && (
              <Fact term={t("staffRefills.reason")}>
                <span style={{ whiteSpace: "pre-wrap" }}>{request.data.decision_reason}</span>
              </Fact>
            )}
            <Fact term={t("staffRefills.patient")}>
              {request.data.patient.name}
              {request.data.patient.birth_date && (
                <span className="display-block">
                  {t("staffRefills.born", { date: dates.day(request.data.patient.birth_date) })}
                </span>
              )}
              <Link className="display-block" to={`/staff/patients/${encodeURIComponent(request.data.patient.patient_id)}`}>
                {t("staffRefills.patientRecord")}
              </Link>
              {request.data.requested_by && (
                <span className="display-block">{t("staffRefills.requestedBy", { who: request.data.requested_by.label })}</span>
              )}
            </Fact>
            <Fact term={t("staffRefills.asked")}>{dates.moment(request.data.requested_at)}</Fact>
            <Fact term={t("staffRefills.pharmacy")}>
              {request.data.pharmacy.name}
              {request.data.pharmacy.phone && (
                <span className="display-block">
                  {t("staffRefills.phone")}:{" "}
                  <a href={`tel:${request.data.pharmacy.phone}`}>{request.data.pharmacy.phone}</a>
                </span>
              )}
              {request.data.pharmacy.address && (
                <span className="display-block" style={{ whiteSpace: "pre-wrap" }}>
                  {t("staffRefills.address")}: {request.data.pharmacy.address}
                </span>
              )}
            </Fact>
            <Fact term={t("staffRefills.note")}>
              {request.data.note ? (
                <span style={{ whiteSpace: "pre-wrap" }}>{request.data.note}</span>
              ) : (
                t("staffRefills.noNote")
              )}
            </Fact>
          </Facts>
          <h2>{t("staffRefills.prescription")}</h2>
          <Facts>
            <Fact term={t("staffRefills.dosage")}>
              {request.data.medication_detail.dosage.length === 0
                ? t("staffRefills.notStated")
                : request.data.medication_detail.dosage.map((line, index) => <div key={index}>{line}</div>)}
            </Fact>
            <Fact term={t("staffRefills.prescriber")}>
              {request.data.medication_detail.prescriber || t("staffRefills.notStated")}
            </Fact>
            <Fact term={t("staffRefills.refillsAllowed")}>{refills(request.data.medication_detail.refills_allowed)}</Fact>
            <Fact term={t("staffRefills.expires")}>
              {request.data.medication_detail.expires_on
                ? dates.day(request.data.medication_detail.expires_on)
                : t("staffRefills.notStated")}
            </Fact>
          </Facts>
          {request.data.status === "requested" && (
            <section aria-labelledby="refill-decision">
              <h2 id="refill-decision">{t("staffRefills.decideTitle")}</h2>
              <p>{t("staffRefills.decideIntro")}</p>
              <button
                type="button"
                className="usa-button"
                disabled={decide.isPending}
                onClick={() => decide.mutate({ decision: "approved", reason: null })}
              >
                {t("staffRefills.approve")}
              </button>
              <form className="usa-form usa-form--large margin-top-3" onSubmit={onDeny} noValidate aria-labelledby="refill-deny">
                <h3 id="refill-deny">{t("staffRefills.denyTitle")}</h3>
                <TextArea
                  name="reason"
                  label={t("staffRefills.denyReason")}
                  hint={t("staffRefills.denyHint")}
                  error={errors.fields.reason}
                  value={reason}
                  onChange={(event) => setReason(event.target.value)}
                  maxLength={500}
                  required
                />
                <button className="usa-button usa-button--secondary" type="submit" disabled={decide.isPending}>
                  {t("staffRefills.deny")}
                </button>
              </form>
            </section>
          )}
        </>
      )}
    </>
  );
}
