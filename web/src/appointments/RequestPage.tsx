import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useParams } from "react-router";
import { api } from "../api/client";
import { formErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { Confirm } from "../components/Confirm";
import { namedMoment } from "../components/clinicTime";
import { ErrorSummary } from "../components/ErrorSummary";
import { Fact, Facts } from "../components/Facts";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { useClinicZone } from "./clinicZone";
import { flatFields } from "./errors";
import { dayWords, slotTime } from "./format";
import { appointmentRequestsKey, fetchAppointmentRequest, requestListKey, visitPath, visitsKey } from "./queries";
import { type AppointmentRequest, type Slot, withdrawable } from "./types";

/**
 * One of the patient's appointment requests: what was asked, where it stands in words, the time
 * staff offered (to accept or decline), what they booked or why they declined. A request not yet
 * booked may be withdrawn.
 */
export function RequestPage() {
  const { t } = useTranslation();
  // The title names no reason or team: a title is kept in the browser's history.
  usePageTitle(t("appointments.requestPage.title"));
  const { requestId = "" } = useParams();
  return (
    <PatientPage area="appointments">
      {(record) => (
        <>
          <p>
            <Link to={record.to("/appointments")}>{t("appointments.back")}</Link>
          </p>
          <h1>{t("appointments.requestPage.title")}</h1>
          <RequestView record={record} requestId={requestId} />
        </>
      )}
    </PatientPage>
  );
}

type Action = { kind: "answer"; accept: boolean } | { kind: "withdraw" };

function RequestView({ record, requestId }: { record: RecordView; requestId: string }) {
  const { t, i18n } = useTranslation();
  const zone = useClinicZone(record);
  const queryClient = useQueryClient();
  const key = [...appointmentRequestsKey(record.token, record.patientId), requestId];
  // Just sent from the form (the history entry says so; it carries nothing about the patient).
  const sent = (useLocation().state as { sent?: boolean } | null)?.sent === true;
  const request = useQuery({ queryKey: key, queryFn: () => fetchAppointmentRequest(record.patientId, requestId) });
  const [said, setSaid] = useState("");
  const [problems, setProblems] = useState<string[]>([]);
  const [confirming, setConfirming] = useState(false);
  const withdrawButton = useRef<HTMLButtonElement>(null);
  const submission = useSubmissionKey();

  const act = useMutation({
    mutationFn: async (action: Action) => {
      const path = { patient_id: record.patientId, request_id: requestId };
      const header = { "Idempotency-Key": submission.keyFor({ requestId, ...action }) };
      const { data, error } =
        action.kind === "answer"
          ? await api.POST("/v1/patients/{patient_id}/appointment-requests/{request_id}/answer", {
              params: { path, header },
              body: { accept: action.accept },
            })
          : await api.POST("/v1/patients/{patient_id}/appointment-requests/{request_id}/withdraw", { params: { path, header } });
      if (data === undefined) throw error;
      return data as AppointmentRequest;
    },
    onMutate: () => {
      setSaid("");
      setProblems([]);
    },
    onError: (error) => {
      setProblems(formErrors(flatFields(error), [], t("errors.network")).general);
      // The request may have moved on meanwhile (staff booked it): show it as it is now.
      void queryClient.invalidateQueries({ queryKey: key });
    },
    onSuccess: (updated, action) => {
      submission.done();
      setConfirming(false);
      queryClient.setQueryData(key, updated);
      // (the list's pages; this request's own answer is the one just set)
      void queryClient.invalidateQueries({ queryKey: requestListKey(record.token, record.patientId) });
      void queryClient.invalidateQueries({ queryKey: visitsKey(record.token, record.patientId) });
      setSaid(
        action.kind === "withdraw"
          ? t("appointments.requestPage.withdrawn")
          : action.accept
            ? t("appointments.requestPage.accepted")
            : t("appointments.requestPage.proposalDeclined"),
      );
    },
  });

  if (request.isPending) return <p>{t("app.loading")}</p>;
  if (request.isError) return <Problem message={request.error.message} />;
  const data = request.data;
  const slot = (value: Slot) => (
    <>
      <span className="display-block text-bold">{slotTime(value.starts_at, i18n.language, zone)}</span>
      <span className="display-block">{t("appointments.minutes", { count: value.minutes })}</span>
      <span className="display-block">{t(`appointments.mode.${value.mode}`)}</span>
      {value.clinician && <span className="display-block">{t("appointments.requestPage.with", { name: value.clinician })}</span>}
      {value.place && <span className="display-block">{value.place}</span>}
    </>
  );
  return (
    <>
      <Notice text={said || (sent ? t("appointments.requestPage.sent") : null)} />
      <ErrorSummary messages={problems} />
      <p className="text-bold font-body-md">{t(`appointments.requestStatus.${data.status}`)}</p>
      <p>{t(`appointments.requestNext.${data.status}`)}</p>
      {data.status === "proposed" && data.proposal && (
        <section aria-labelledby="proposal-title" className="usa-summary-box margin-y-3">
          <div className="usa-summary-box__body">
            <h2 className="usa-summary-box__heading" id="proposal-title">
              {t("appointments.requestPage.proposalTitle")}
            </h2>
            <p>{slot(data.proposal)}</p>
            {data.staff_note && <p style={{ whiteSpace: "pre-wrap" }}>{data.staff_note}</p>}
            <ul className="usa-button-group">
              <li className="usa-button-group__item">
                <button
                  type="button"
                  className="usa-button"
                  disabled={act.isPending}
                  onClick={() => act.mutate({ kind: "answer", accept: true })}
                >
                  {t("appointments.requestPage.accept")}
                </button>
              </li>
              <li className="usa-button-group__item">
                <button
                  type="button"
                  className="usa-button usa-button--outline"
                  disabled={act.isPending}
                  onClick={() => act.mutate({ kind: "answer", accept: false })}
                >
                  {t("appointments.requestPage.decline")}
                </button>
              </li>
            </ul>
          </div>
        </section>
      )}
      <Facts>
        <Fact term={t("appointments.requestPage.kind")}>{t(`appointments.requestKind.${data.kind}`)}</Fact>
        {data.care_team && <Fact term={t("appointments.requestPage.team")}>{data.care_team.name}</Fact>}
        <Fact term={t("appointments.requestPage.reason")}>
          <span style={{ whiteSpace: "pre-wrap" }}>{data.reason}</span>
        </Fact>
        <Fact term={t("appointments.visitLabel")}>{t(`appointments.mode.${data.mode}`)}</Fact>
        <Fact term={t("appointments.requestPage.preferred")}>
          <ul className="usa-list usa-list--unstyled">
            {data.preferred.map((choice, index) => (
              <li key={index}>
                {t("appointments.requestPage.preferredDay", {
                  day: dayWords(choice.date, i18n.language),
                  time: t(`appointments.timeOfDay.${choice.time_of_day}`),
                })}
              </li>
            ))}
          </ul>
        </Fact>
        {data.status === "accepted" && data.proposal && (
          <Fact term={t("appointments.requestPage.acceptedTime")}>{slot(data.proposal)}</Fact>
        )}
        {data.booking && <Fact term={t("appointments.requestPage.booking")}>{slot(data.booking)}</Fact>}
        {data.decline_reason && (
          <Fact term={t("appointments.requestPage.declineReason")}>
            <span style={{ whiteSpace: "pre-wrap" }}>{data.decline_reason}</span>
          </Fact>
        )}
        {data.staff_note && data.status !== "proposed" && (
          <Fact term={t("appointments.requestPage.staffNote")}>
            <span style={{ whiteSpace: "pre-wrap" }}>{data.staff_note}</span>
          </Fact>
        )}
        <Fact term={t("appointments.requestPage.asked")}>{namedMoment(data.requested_at, i18n.language, zone)}</Fact>
        {data.requested_by && <Fact term={t("appointments.requestPage.requestedBy")}>{data.requested_by.label}</Fact>}
        <Fact term={t("appointments.requestPage.updated")}>{namedMoment(data.updated_at, i18n.language, zone)}</Fact>
      </Facts>
      {data.appointment_id && (
        <p>
          <Link to={record.to(visitPath(data.appointment_id))}>{t("appointments.requestPage.movedVisit")}</Link>
        </p>
      )}
      {data.scheduled_appointment_id && (
        <p>
          <Link className="usa-button" to={record.to(visitPath(data.scheduled_appointment_id))}>
            {t("appointments.requestPage.scheduledVisit")}
          </Link>
        </p>
      )}
      {withdrawable(data.status) &&
        (confirming ? (
          <Confirm
            question={t("appointments.requestPage.withdrawQuestion")}
            confirmLabel={t("appointments.requestPage.withdrawConfirm")}
            cancelLabel={t("appointments.requestPage.keep")}
            busy={act.isPending}
            opener={withdrawButton.current}
            onConfirm={() => act.mutate({ kind: "withdraw" })}
            onCancel={() => setConfirming(false)}
          />
        ) : (
          <button
            ref={withdrawButton}
            type="button"
            className="usa-button usa-button--secondary margin-top-2"
            onClick={() => setConfirming(true)}
          >
            {t("appointments.requestPage.withdraw")}
          </button>
        ))}
    </>
  );
}
