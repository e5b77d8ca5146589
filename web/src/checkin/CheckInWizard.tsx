import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { load } from "../api/errors";
import { Link, useParams } from "react-router";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { fetchVisit, visitKey, visitPath } from "../appointments/queries";
import { checkInKey, patientCheckIn } from "./calls";
import { DetailsStep } from "./DetailsStep";
import { FormsStep } from "./FormsStep";
import { clinicTime } from "./format";
import { QuestionsStep } from "./QuestionsStep";
import { SignedFormList } from "./SignedForms";
import type { CheckIn } from "./types";

/**
 * Check-in has closed (the visit has started). What to do next depends on the kind of visit, which
 * the visit's own answer says: at the clinic, changes are told at the front desk; a video visit
 * has no front desk, and is joined from the visit's page.
 */
function Closed({ record, checkIn }: { record: RecordView; checkIn: CheckIn }) {
  const { t, i18n } = useTranslation();
  const visit = useQuery({
    queryKey: visitKey(record.token, record.patientId, checkIn.appointment_id),
    queryFn: () => fetchVisit(record.patientId, checkIn.appointment_id),
  });
  const video = visit.data ? visit.data.mode === "video" || Boolean(visit.data.video) : null;
  return (
    <>
      <div className="usa-alert usa-alert--warning" role="status">
        <div className="usa-alert__body">
          <h2 className="usa-alert__heading">{t("checkin.closedTitle")}</h2>
          <p className="usa-alert__text">
            {t("checkin.closed", { date: clinicTime(checkIn.closes_at, i18n.language) })}
            {video === false && <> {t("checkin.closedInPerson")}</>}
          </p>
          {video === true && (
            <p className="usa-alert__text">
              {t("checkin.closedVideo")} <Link to={record.to(visitPath(checkIn.appointment_id))}>{t("checkin.visitPage")}</Link>
            </p>
          )}
        </div>
      </div>
      <SignedFormList record={record} checkIn={checkIn} />
    </>
  );
}

export type Step = "details" | "questions" | "forms";
const STEPS: Step[] = ["details", "questions", "forms"];

/** The first step not yet done (the forms step when all are: it finishes the check-in). */
function firstOpenStep(checkIn: CheckIn): Step {
  if (!checkIn.steps.details) return "details";
  if (!checkIn.steps.questionnaire) return "questions";
  return "forms";
}

/**
 * Checking in for an upcoming visit, in steps: the patient's details (confirmed, or changes sent to
 * staff), the visit type's questions, the forms to sign, then done. The step is kept in the page,
 * not the address; the API's check-in says which steps are done, so a patient who comes back starts
 * where they left off. Outside the window the page says when it opens, or that it has closed.
 */
export function CheckInWizard() {
  const { t } = useTranslation();
  usePageTitle(t("checkin.title"));
  const { appointmentId = "" } = useParams();
  return (
    <PatientPage area="appointments">
      {(record) => (
        <>
          <p>
            <Link to={record.to("/appointments")}>{t("checkin.backToAppointments")}</Link>
          </p>
          <h1>{t("checkin.title")}</h1>
          <Wizard record={record} appointmentId={appointmentId} />
        </>
      )}
    </PatientPage>
  );
}

function Wizard({ record, appointmentId }: { record: RecordView; appointmentId: string }) {
  const { t, i18n } = useTranslation();
  const key = checkInKey(record.token, record.patientId, appointmentId);
  const queryClient = useQueryClient();
  const checkIn = useQuery({
    queryKey: key,
    queryFn: () => load(() => patientCheckIn.get(record.patientId, appointmentId)),
  });
  const [step, setStep] = useState<Step | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const moved = useRef(false);
  useEffect(() => {
    // The focus follows the patient to each new step's heading (not on the page's first load).
    if (moved.current) heading.current?.focus();
  }, [step]);

  if (checkIn.isPending) return <p>{t("checkin.loading")}</p>;
  if (checkIn.isError) return <Problem message={checkIn.error.message} />;
  const current = checkIn.data;
  const language = i18n.language;
  if (current.state === "not_open") {
    return (
      <div className="usa-alert usa-alert--info" role="status">
        <div className="usa-alert__body">
          <h2 className="usa-alert__heading">{t("checkin.notOpenTitle")}</h2>
          <p className="usa-alert__text">{t("checkin.notOpen", { date: clinicTime(current.opens_at, language) })}</p>
        </div>
      </div>
    );
  }
  if (current.state === "closed") return <Closed record={record} checkIn={current} />;
  if (current.state === "completed") return <Done record={record} checkIn={current} />;

  const shown = step ?? firstOpenStep(current);
  const go = (next: Step) => {
    moved.current = true;
    setStep(next);
  };
  const updated = (next: CheckIn) => queryClient.setQueryData(key, next);
  const index = STEPS.indexOf(shown);
  return (
    <>
      <p>{t("checkin.intro", { date: clinicTime(current.closes_at, language) })}</p>
      <div className="usa-step-indicator usa-step-indicator--counters-sm" role="group" aria-label={t("checkin.progress")}>
        <ol className="usa-step-indicator__segments">
          {STEPS.map((name, at) => (
            <li
              key={name}
              className={`usa-step-indicator__segment${
                at === index ? " usa-step-indicator__segment--current" : at < index ? " usa-step-indicator__segment--complete" : ""
              }`}
              aria-current={at === index ? "step" : undefined}
            >
              <span className="usa-step-indicator__segment-label">
                {t(`checkin.steps.${name}`)}
                {at !== index && (
                  <span className="usa-sr-only">
                    {" "}
                    {doneStep(current, name) ? t("checkin.stepDone") : t("checkin.stepNotDone")}
                  </span>
                )}
              </span>
            </li>
          ))}
        </ol>
      </div>
      <h2 ref={heading} tabIndex={-1} className="margin-top-3">
        {t("checkin.stepOf", { at: index + 1, count: STEPS.length, name: t(`checkin.steps.${shown}`) })}
      </h2>
      {shown === "details" && (
        <DetailsStep record={record} checkIn={current} onDone={(next) => (updated(next), go("questions"))} />
      )}
      {shown === "questions" && (
        <QuestionsStep
          record={record}
          checkIn={current}
          onBack={() => go("details")}
          onDone={(next) => (updated(next), go("forms"))}
        />
      )}
      {shown === "forms" && (
        <FormsStep
          record={record}
          checkIn={current}
          onBack={() => go("questions")}
          onChanged={() => queryClient.invalidateQueries({ queryKey: key })}
          onCompleted={updated}
        />
      )}
    </>
  );
}

function doneStep(checkIn: CheckIn, step: Step): boolean {
  return step === "details" ? checkIn.steps.details : step === "questions" ? checkIn.steps.questionnaire : checkIn.steps.forms;
}

function Done({ record, checkIn }: { record: RecordView; checkIn: CheckIn }) {
  const { t, i18n } = useTranslation();
  return (
    <>
      <div className="usa-alert usa-alert--success" role="status">
        <div className="usa-alert__body">
          <h2 className="usa-alert__heading">{t("checkin.doneTitle")}</h2>
          <p className="usa-alert__text">
            {checkIn.completed_at
              ? t("checkin.doneAt", { date: clinicTime(checkIn.completed_at, i18n.language) })
              : t("checkin.done")}
          </p>
        </div>
      </div>
      {checkIn.details.change_requested && <p>{t("checkin.details.changesSent")}</p>}
      <SignedFormList record={record} checkIn={checkIn} />
    </>
  );
}
