import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { load } from "../api/errors";
import { Link, useParams } from "react-router";
import { staffCheckIns } from "../checkin/calls";
import { CheckInSummary } from "../checkin/CheckInSummary";
import { clinicClock } from "../checkin/format";
import type { StaffVisit } from "../checkin/types";
import { useDates } from "../components/dates";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";

/**
 * A day's visits at the organization with each one's check-in: its state, forms signed of those
 * asked for, questions answered, changes the patient asked for. The day is picked in the page (not
 * the address); without one the API gives today on the clinic's calendar.
 */
export function CheckIns() {
  const { t } = useTranslation();
  usePageTitle(t("staff.checkIns.title"));
  return <StaffPage>{(token) => <DayView token={token} />}</StaffPage>;
}

function DayView({ token }: { token: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const [date, setDate] = useState<string | null>(null);
  const day = useQuery({
    queryKey: ["staff-check-ins", token, date],
    queryFn: () => load(() => staffCheckIns.day(date)),
  });
  const shownDate = date ?? day.data?.date ?? "";
  return (
    <>
      <h1>{t("staff.checkIns.title")}</h1>
      <p>{t("staff.checkIns.intro")}</p>
      <div className="usa-form-group">
        <label className="usa-label" htmlFor="check-in-day">
          {t("staff.checkIns.day")}
        </label>
        <input
          className="usa-input"
          id="check-in-day"
          type="date"
          value={shownDate}
          onChange={(event) => setDate(event.target.value || null)}
        />
      </div>
      {day.isPending && <p>{t("staff.checkIns.loading")}</p>}
      {day.isError && <Problem message={day.error.message} />}
      {day.data &&
        (day.data.visits.length === 0 ? (
          <p>{t("staff.checkIns.none")}</p>
        ) : (
          <>
            <p className="text-base">{t("staff.checkIns.zone", { zone: day.data.time_zone })}</p>
            <div className="usa-table-container--scrollable" tabIndex={0}>
              <table className="usa-table usa-table--borderless usa-table--stacked width-full">
                <caption className="text-left">
                  {t("staff.checkIns.caption", { count: day.data.visits.length, day: dates.day(day.data.date) })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t("staff.checkIns.time")}</th>
                    <th scope="col">{t("staff.checkIns.patient")}</th>
                    <th scope="col">{t("staff.checkIns.visit")}</th>
                    <th scope="col">{t("staff.checkIns.state")}</th>
                    <th scope="col">{t("staff.checkIns.forms")}</th>
                    <th scope="col">{t("staff.checkIns.questions")}</th>
                    <th scope="col">{t("staff.checkIns.changes")}</th>
                  </tr>
                </thead>
                <tbody>
                  {day.data.visits.map((visit) => (
                    <VisitRow key={visit.appointment_id} visit={visit} />
                  ))}
                </tbody>
              </table>
            </div>
          </>
        ))}
    </>
  );
}

function VisitRow({ visit }: { visit: StaffVisit }) {
  const { t, i18n } = useTranslation();
  const dates = useDates();
  const check = visit.check_in;
  const time = clinicClock(visit.starts_at, i18n.language);
  return (
    <tr>
      <th scope="row" data-label={t("staff.checkIns.time")}>
        {time}
      </th>
      <td data-label={t("staff.checkIns.patient")}>
        {check ? (
          <Link
            to={`/staff/patients/${encodeURIComponent(visit.patient.patient_id)}/appointments/${encodeURIComponent(visit.appointment_id)}/check-in`}
          >
            {visit.patient.name}
            <span className="usa-sr-only"> {t("staff.checkIns.seeCheckIn")}</span>
          </Link>
        ) : (
          visit.patient.name
        )}
        {visit.patient.birth_date && (
          <span className="display-block text-base">{t("staff.checkIns.born", { date: dates.day(visit.patient.birth_date) })}</span>
        )}
      </td>
      <td data-label={t("staff.checkIns.visit")}>
        {visit.type || t("staff.notGiven")}
        {visit.clinicians.length > 0 && <span className="display-block text-base">{visit.clinicians.join(", ")}</span>}
      </td>
      <td data-label={t("staff.checkIns.state")}>{check ? t(`checkin.state.${check.state}`) : t("staff.checkIns.notApplicable")}</td>
      <td data-label={t("staff.checkIns.forms")}>
        {check ? t("staff.checkIns.formsSigned", { signed: check.forms_signed, count: check.forms_required }) : ""}
      </td>
      <td data-label={t("staff.checkIns.questions")}>{check ? (check.answered ? t("staff.yes") : t("staff.no")) : ""}</td>
      <td data-label={t("staff.checkIns.changes")}>
        {check?.change_requested ? <strong>{t("staff.checkIns.changesAsked")}</strong> : check ? t("staff.no") : ""}
      </td>
    </tr>
  );
}

/** One visit's check-in, read-only, for staff. */
export function StaffCheckIn() {
  const { t } = useTranslation();
  usePageTitle(t("staff.checkIns.oneTitle"));
  const { patientId = "", appointmentId = "" } = useParams();
  return (
    <StaffPage>
      {(token) => (
        <>
          <p>
            <Link to="/staff/check-ins">{t("staff.checkIns.back")}</Link>
          </p>
          <h1>{t("staff.checkIns.oneTitle")}</h1>
          <OneCheckIn token={token} patientId={patientId} appointmentId={appointmentId} />
        </>
      )}
    </StaffPage>
  );
}

function OneCheckIn({ token, patientId, appointmentId }: { token: string; patientId: string; appointmentId: string }) {
  const { t } = useTranslation();
  const checkIn = useQuery({
    queryKey: ["staff-check-in", token, patientId, appointmentId],
    queryFn: () => load(() => staffCheckIns.get(patientId, appointmentId)),
  });
  if (checkIn.isPending) return <p>{t("app.loading")}</p>;
  if (checkIn.isError) return <Problem message={checkIn.error.message} />;
  return <CheckInSummary checkIn={checkIn.data} patientId={patientId} />;
}
