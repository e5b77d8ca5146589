import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { CancelVisit } from "./CancelVisit";
import { statusText, visitTime } from "./format";
import { JoinVideo } from "./JoinVideo";
import { fetchVisit, requestPath, visitKey } from "./queries";
import type { Appointment } from "./types";
import { VisitFacts, visitTitle } from "./VisitFacts";

// The visit is read again once, just after the next moment its page changes by the clock alone
// (a video window or check-in opening or closing), so the Join button comes and goes without a
// reload; and only when that moment is near. Every read is audited and keeps the session alive,
// so a page left open on a visit weeks away (or a check-in already done) reads nothing more.
const NEAR_MS = 6 * 60 * 60_000;
// (a moment past the boundary, so the API's clock has passed it too)
const PAST_BOUNDARY_MS = 2_000;

/** Milliseconds until the visit should be read again, or false when nothing changes soon. */
export function nextRead(appointment: Appointment | undefined, now: number): number | false {
  const moments: string[] = [];
  const video = appointment?.video;
  if (video && video.state !== "ended") moments.push(video.opens_at, video.closes_at);
  const checkIn = appointment?.check_in;
  if (checkIn && (checkIn.state === "not_open" || checkIn.state === "open")) moments.push(checkIn.opens_at, checkIn.closes_at);
  const waits = moments.map((moment) => Date.parse(moment) - now).filter((wait) => wait > 0 && wait <= NEAR_MS);
  return waits.length ? Math.min(...waits) + PAST_BOUNDARY_MS : false;
}

/**
 * One visit: when, where, with whom, what kind, in person or by video, and where it stands; and
 * what the patient can do about it: join its video, check in, ask to move it, or cancel it online
 * until the organization's cutoff.
 */
export function AppointmentPage() {
  const { t } = useTranslation();
  // The title names no visit: a title is kept in the browser's history.
  usePageTitle(t("appointments.visit.title"));
  const { appointmentId = "" } = useParams();
  return (
    <PatientPage area="appointments">
      {(record) => (
        <>
          <p>
            <Link to={record.to("/appointments")}>{t("appointments.back")}</Link>
          </p>
          <VisitView record={record} appointmentId={appointmentId} />
        </>
      )}
    </PatientPage>
  );
}

function VisitView({ record, appointmentId }: { record: RecordView; appointmentId: string }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const key = visitKey(record.token, record.patientId, appointmentId);
  const visit = useQuery({
    queryKey: key,
    queryFn: () => fetchVisit(record.patientId, appointmentId),
    refetchInterval: (query) => nextRead(query.state.data, Date.now()),
  });
  if (visit.isPending) return <p>{t("app.loading")}</p>;
  if (visit.isError)
    return (
      <>
        <h1>{t("appointments.visit.title")}</h1>
        <Problem message={visit.error.message} />
      </>
    );
  const appointment = visit.data;
  const start = appointment.starts_at ?? "";
  const checkIn = appointment.check_in;
  const movable = appointment.status === "booked" && appointment.cancellation?.reason !== "started";
  return (
    <>
      <h1>
        {visitTitle(appointment, t("appointments.untitled"))}
        <span className="display-block font-body-md text-normal">
          {start ? visitTime(start, appointment.time_zone, i18n.language) : t("appointments.noTime")}
        </span>
      </h1>
      <p className={appointment.status === "cancelled" ? "text-bold text-secondary-dark" : "text-bold"}>
        {t("appointments.statusLabel")}: {statusText(t, appointment.status)}
      </p>
      {appointment.cancelled_by_patient && <p>{t("appointments.visit.cancelledByYou")}</p>}
      <VisitFacts appointment={appointment} />
      {appointment.request_id && (
        <p>
          <Link to={record.to(requestPath(appointment.request_id))}>{t("appointments.visit.fromRequest")}</Link>
        </p>
      )}
      <JoinVideo
        record={record}
        appointment={appointment}
        onRefused={() => void queryClient.invalidateQueries({ queryKey: key })}
      />
      {checkIn && (
        <section aria-labelledby="check-in-title" className="margin-y-3">
          <h2 id="check-in-title">{t("appointments.checkIn.title")}</h2>
          {checkIn.state === "open" && !record.readOnly && (
            <>
              <p>{t("appointments.checkIn.open", { time: visitTime(checkIn.closes_at, appointment.time_zone, i18n.language) })}</p>
              <Link className="usa-button" to={record.to(`/appointments/${encodeURIComponent(appointment.id)}/check-in`)}>
                {t("appointments.checkIn.link")}
              </Link>
            </>
          )}
          {checkIn.state === "not_open" && (
            <p>{t("appointments.checkIn.notOpen", { time: visitTime(checkIn.opens_at, appointment.time_zone, i18n.language) })}</p>
          )}
          {checkIn.state === "completed" && <p>{t("appointments.checkIn.completed")}</p>}
          {checkIn.state === "closed" && <p>{t("appointments.checkIn.closed")}</p>}
          {/* Once checked in, the summary and the signed PDFs stay on the check-in page. */}
          {(checkIn.state === "completed" || (checkIn.state === "closed" && checkIn.completed_at)) && (
            <p>
              <Link to={record.to(`/appointments/${encodeURIComponent(appointment.id)}/check-in`)}>
                {t("appointments.checkIn.seeDone")}
              </Link>
            </p>
          )}
        </section>
      )}
      {movable && !record.readOnly && (
        <section aria-labelledby="move-title" className="margin-y-3">
          <h2 id="move-title">{t("appointments.visit.moveTitle")}</h2>
          <p>{t("appointments.visit.moveIntro")}</p>
          <Link className="usa-button usa-button--outline" to={record.to(`/appointments/${encodeURIComponent(appointment.id)}/reschedule`)}>
            {t("appointments.visit.move")}
          </Link>
        </section>
      )}
      {!record.readOnly && <CancelVisit record={record} appointment={appointment} />}
    </>
  );
}
