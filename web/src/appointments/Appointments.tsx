import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { type Appointment, statusText, visitTime } from "./format";
import { appointmentsKey, fetchAppointments, visitPath } from "./queries";
import { YourRequests } from "./YourRequests";
import { VisitFacts, visitTitle } from "./VisitFacts";

type When = "upcoming" | "past";

/**
 * The patient's appointments as the clinic's scheduling system sent them: those to come, soonest
 * first, then those gone by, newest first. Times are on the clinic's clock, its zone named.
 */
export function Appointments() {
  const { t } = useTranslation();
  usePageTitle(t("appointments.title"));
  return (
    <PatientPage area="appointments">
      {(record) => (
        <>
          <h1>{t("appointments.title")}</h1>
          <p>{record.says("appointments.intro", "records.forOther.appointmentsIntro")}</p>
          {!record.readOnly && (
            <p>
              <Link className="usa-button" to={record.to("/appointments/request")}>
                {t("appointments.requestButton")}
              </Link>
            </p>
          )}
          <AppointmentList record={record} when="upcoming" />
          <YourRequests record={record} />
          <AppointmentList record={record} when="past" />
        </>
      )}
    </PatientPage>
  );
}

function AppointmentList({ record, when }: { record: RecordView; when: When }) {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const listed = useQuery({
    queryKey: appointmentsKey(record.token, record.patientId, when, cursor),
    queryFn: () => fetchAppointments(record.patientId, when, cursor),
  });
  const headingId = `appointments-${when}`;
  return (
    <section aria-labelledby={headingId} className="margin-top-4">
      <h2 id={headingId}>{t(when === "upcoming" ? "appointments.upcomingTitle" : "appointments.pastTitle")}</h2>
      {listed.isPending && <p>{t("appointments.loading")}</p>}
      {listed.isError && <Problem message={listed.error.message} />}
      {listed.data &&
        (listed.data.appointments.length === 0 ? (
          <p>{t(when === "upcoming" ? "appointments.noneUpcoming" : "appointments.nonePast")}</p>
        ) : (
          <>
            <p className="text-base">{t("appointments.zone", { zone: listed.data.time_zone })}</p>
            <ul className="usa-list usa-list--unstyled">
              {listed.data.appointments.map((appointment) => (
                <AppointmentItem key={appointment.id} appointment={appointment} record={record} />
              ))}
            </ul>
            <Pager
              page={page}
              nextCursor={listed.data.next_cursor ?? null}
              onPrevious={() => setCursors(cursors.slice(0, -1))}
              onNext={(next) => setCursors([...cursors, next])}
            />
          </>
        ))}
    </section>
  );
}

function AppointmentItem({ appointment, record }: { appointment: Appointment; record: RecordView }) {
  const { t, i18n } = useTranslation();
  const start = appointment.starts_at ?? "";
  const title = visitTitle(appointment, t("appointments.untitled"));
  // The heading names the visit and its day, so a screen reader's list of headings tells them apart;
  // its link opens the visit (to cancel, move, join or check in).
  const startText = start ? visitTime(start, appointment.time_zone, i18n.language) : t("appointments.noTime");
  const headingId = `appointment-${appointment.id}`;
  const cancelled = appointment.status === "cancelled";
  return (
    <li className="margin-bottom-3 border-bottom-1px border-base-lighter padding-bottom-2" aria-labelledby={headingId}>
      <h3 id={headingId} className="margin-bottom-1">
        <Link to={record.to(visitPath(appointment.id))}>{title}</Link>
        <span className="display-block font-body-sm text-normal">{startText}</span>
      </h3>
      <p className={cancelled ? "text-bold text-secondary-dark margin-top-0" : "text-bold margin-top-0"}>
        {t("appointments.statusLabel")}: {statusText(t, appointment.status)}
      </p>
      <VisitFacts appointment={appointment} />
    </li>
  );
}
