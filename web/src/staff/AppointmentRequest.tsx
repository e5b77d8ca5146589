import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api } from "../api/client";
import { type FormErrors, formErrors, isErrorBody, load, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { flatFields } from "../appointments/errors";
import { dayWords, slotTime, statusText } from "../appointments/format";
import type { Slot, StaffAppointmentRequest } from "../appointments/types";
import { VisitFacts } from "../appointments/VisitFacts";
import { namedMoment } from "../components/clinicTime";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Fact, Facts } from "../components/Facts";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { appointmentQueueKey } from "./AppointmentRequests";
import { type SlotAction, type SlotBody, SlotForm, slotFields } from "./AppointmentRequestSlot";
import { StaffPage } from "./StaffPage";

type Action =
  | { kind: "book"; body: SlotBody }
  | { kind: "propose"; body: SlotBody }
  | { kind: "decline"; body: { reason: string } };

const open = (status: StaffAppointmentRequest["status"]) => status === "requested" || status === "accepted";

/**
 * One appointment request with its patient: staff book a time (once it is in the scheduling
 * system), propose another for the patient to answer, or decline it with a reason the patient
 * reads. A request someone else dealt with meanwhile (409) is said so, and shown as it is now.
 */
export function AppointmentRequest() {
  const { t } = useTranslation();
  // (the title names no one: the patient is on the page)
  usePageTitle(t("staff.appointmentRequests.detailTitle"));
  const { requestId = "" } = useParams();
  return <StaffPage>{(token) => <DetailView token={token} requestId={requestId} />}</StaffPage>;
}

const fetchDetail = (requestId: string) =>
  load(() => api.GET("/v1/staff/appointment-requests/{request_id}", { params: { path: { request_id: requestId } } }));

function DetailView({ token, requestId }: { token: string; requestId: string }) {
  const { t, i18n } = useTranslation();
  const dates = useDates();
  const queryClient = useQueryClient();
  const key = ["staff-appointment-request", token, requestId];
  const request = useQuery({ queryKey: key, queryFn: () => fetchDetail(requestId) });
  const [said, setSaid] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [reason, setReason] = useState("");
  const submission = useSubmissionKey();

  const act = useMutation({
    mutationFn: async (action: Action) => {
      const params = {
        path: { request_id: requestId },
        header: { "Idempotency-Key": submission.keyFor({ requestId, ...action }) },
      };
      const { data, error } =
        action.kind === "book"
          ? await api.POST("/v1/staff/appointment-requests/{request_id}/book", { params, body: action.body })
          : action.kind === "propose"
            ? await api.POST("/v1/staff/appointment-requests/{request_id}/propose", { params, body: action.body })
            : await api.POST("/v1/staff/appointment-requests/{request_id}/decline", { params, body: action.body });
      if (data === undefined) throw error;
      return data as StaffAppointmentRequest;
    },
    onMutate: () => {
      setSaid("");
      setErrors(noErrors);
    },
    onError: async (error) => {
      const found = formErrors(flatFields(error), [...slotFields, "reason"], t("errors.network"));
      if (isErrorBody(error) && error.error.code === "conflict") {
        // Dealt with by someone else meanwhile (or the patient withdrew it): show it as it is now.
        const fresh = await queryClient.fetchQuery({ queryKey: key, queryFn: () => fetchDetail(requestId) }).catch(() => null);
        if (fresh && !open(fresh.status)) {
          setErrors({ fields: {}, general: [t("staff.appointmentRequests.alreadyDone")] });
          return;
        }
      }
      setErrors(found);
    },
    onSuccess: (detail, action) => {
      submission.done();
      setReason("");
      queryClient.setQueryData(key, detail);
      void queryClient.invalidateQueries({ queryKey: appointmentQueueKey(token) });
      setSaid(t(`staff.appointmentRequests.done.${action.kind}`));
    },
  });

  function onDecline(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = reason.trim();
    if (!text) {
      setSaid("");
      setErrors({ fields: { reason: t("staff.appointmentRequests.reasonRequired") }, general: [] });
      return;
    }
    act.mutate({ kind: "decline", body: { reason: text } });
  }

  const slot = (value: Slot) => (
    <>
      <span className="display-block text-bold">{slotTime(value.starts_at, i18n.language)}</span>
      <span className="display-block">
        {t("appointments.minutes", { count: value.minutes })} · {t(`appointments.mode.${value.mode}`)}
      </span>
      {value.clinician && <span className="display-block">{value.clinician}</span>}
      {value.place && <span className="display-block">{value.place}</span>}
    </>
  );

  return (
    <>
      <p>
        <Link to="/staff/appointment-requests">{t("staff.appointmentRequests.back")}</Link>
      </p>
      <h1>{t("staff.appointmentRequests.detailTitle")}</h1>
      {request.isPending && <p>{t("app.loading")}</p>}
      {request.isError && <Problem message={request.error.message} />}
      {request.data && (
        <>
          <Notice text={said} />
          <ErrorSummary messages={errors.general} />
          <Facts>
            <Fact term={t("staff.appointmentRequests.patient")}>
              {request.data.patient.name}
              {request.data.patient.birth_date && (
                <span className="display-block">
                  {t("staff.appointmentRequests.born", { date: dates.day(request.data.patient.birth_date) })}
                </span>
              )}
              <Link className="display-block" to={`/staff/patients/${encodeURIComponent(request.data.patient.patient_id)}`}>
                {t("staff.appointmentRequests.patientRecord")}
              </Link>
              {request.data.requested_by && (
                <span className="display-block">
                  {t("staff.appointmentRequests.requestedBy", { who: request.data.requested_by.label })}
                </span>
              )}
            </Fact>
            <Fact term={t("staff.appointmentRequests.request")}>{t(`staff.appointmentRequests.kind.${request.data.kind}`)}</Fact>
            <Fact term={t("staff.appointmentRequests.statusLabel")}>
              <span className="text-bold">{t(`staff.appointmentRequests.status.${request.data.status}`)}</span>
            </Fact>
            {request.data.care_team && (
              <Fact term={t("staff.appointmentRequests.team")}>{request.data.care_team.name}</Fact>
            )}
            <Fact term={t("staff.appointmentRequests.reason")}>
              <span style={{ whiteSpace: "pre-wrap" }}>{request.data.reason}</span>
            </Fact>
            <Fact term={t("appointments.visitLabel")}>{t(`appointments.mode.${request.data.mode}`)}</Fact>
            <Fact term={t("staff.appointmentRequests.preferred")}>
              {request.data.preferred.map((choice, index) => (
                <span className="display-block" key={index}>
                  {dayWords(choice.date, i18n.language)}, {t(`appointments.timeOfDay.${choice.time_of_day}`)}
                </span>
              ))}
            </Fact>
            {request.data.proposal && (
              <Fact term={t("staff.appointmentRequests.proposal")}>{slot(request.data.proposal)}</Fact>
            )}
            {request.data.booking && <Fact term={t("staff.appointmentRequests.booking")}>{slot(request.data.booking)}</Fact>}
            {request.data.decline_reason && (
              <Fact term={t("staff.appointmentRequests.declineReason")}>
                <span style={{ whiteSpace: "pre-wrap" }}>{request.data.decline_reason}</span>
              </Fact>
            )}
            {request.data.staff_note && (
              <Fact term={t("staff.appointmentRequests.staffNote")}>
                <span style={{ whiteSpace: "pre-wrap" }}>{request.data.staff_note}</span>
              </Fact>
            )}
            {request.data.decided_by && (
              <Fact term={t("staff.appointmentRequests.decidedBy")}>{request.data.decided_by}</Fact>
            )}
            {/* A reschedule's visit names the clinic's zone; a new request's times name the reader's. */}
            <Fact term={t("staff.appointmentRequests.asked")}>
              {namedMoment(request.data.requested_at, i18n.language, request.data.appointment?.time_zone)}
            </Fact>
            <Fact term={t("staff.appointmentRequests.updated")}>
              {namedMoment(request.data.updated_at, i18n.language, request.data.appointment?.time_zone)}
            </Fact>
          </Facts>
          {request.data.appointment && (
            <section aria-labelledby="moved-visit">
              <h2 id="moved-visit">{t("staff.appointmentRequests.movedVisit")}</h2>
              <p className="text-bold">
                {t("appointments.statusLabel")}: {statusText(t, request.data.appointment.status)}
              </p>
              <VisitFacts appointment={request.data.appointment} />
            </section>
          )}
          {open(request.data.status) && (
            <section aria-labelledby="request-decision">
              <h2 id="request-decision">{t("staff.appointmentRequests.decideTitle")}</h2>
              <p>{t("staff.appointmentRequests.decideIntro")}</p>
              <SlotForm
                initial={request.data.status === "accepted" ? request.data.proposal : null}
                mode={request.data.mode}
                errors={errors}
                busy={act.isPending}
                onSend={(kind: SlotAction, body) => act.mutate(kind === "book" ? { kind, body } : { kind: "propose", body })}
                onProblems={(fields) => {
                  setSaid("");
                  setErrors({ fields, general: [] });
                }}
              />
              <form className="usa-form usa-form--large margin-top-4" onSubmit={onDecline} noValidate aria-labelledby="request-decline">
                <h3 id="request-decline">{t("staff.appointmentRequests.declineTitle")}</h3>
                <TextArea
                  name="reason"
                  label={t("staff.appointmentRequests.declineLabel")}
                  hint={t("staff.appointmentRequests.declineHint")}
                  error={errors.fields.reason}
                  value={reason}
                  onChange={(event) => setReason(event.target.value)}
                  maxLength={500}
                  required
                />
                <button className="usa-button usa-button--secondary" type="submit" disabled={act.isPending}>
                  {t("staff.appointmentRequests.decline")}
                </button>
              </form>
            </section>
          )}
        </>
      )}
    </>
  );
}
