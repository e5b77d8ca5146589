import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api } from "../api/client";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { visitTime } from "./format";
import { fetchVisit, visitKey, visitPath } from "./queries";
import { RequestForm } from "./RequestForm";
import { visitTitle } from "./VisitFacts";

/**
 * POST .../appointments/{appointment_id}/reschedule: a request to move a booked visit to other
 * days. The visit stays booked until staff book the new time (and the scheduling system moves it).
 */
export function Reschedule() {
  const { t } = useTranslation();
  usePageTitle(t("appointments.reschedule.title"));
  const { appointmentId = "" } = useParams();
  return (
    <PatientPage area="appointments">
      {(record) => (
        <>
          <p>
            <Link to={record.to(visitPath(appointmentId))}>{t("appointments.reschedule.back")}</Link>
          </p>
          <h1>{t("appointments.reschedule.title")}</h1>
          <RescheduleView record={record} appointmentId={appointmentId} />
        </>
      )}
    </PatientPage>
  );
}

function RescheduleView({ record, appointmentId }: { record: RecordView; appointmentId: string }) {
  const { t, i18n } = useTranslation();
  const visit = useQuery({
    queryKey: visitKey(record.token, record.patientId, appointmentId),
    queryFn: () => fetchVisit(record.patientId, appointmentId),
  });
  if (visit.isPending) return <p>{t("app.loading")}</p>;
  if (visit.isError) return <Problem message={visit.error.message} />;
  const appointment = visit.data;
  return (
    <>
      <p>
        {t("appointments.reschedule.intro", {
          visit: visitTitle(appointment, t("appointments.untitled")),
          time: appointment.starts_at ? visitTime(appointment.starts_at, appointment.time_zone, i18n.language) : t("appointments.noTime"),
        })}
      </p>
      <RequestForm
        record={record}
        submitLabel={t("appointments.reschedule.send")}
        initialMode={appointment.mode ?? "in_person"}
        send={(body, key) =>
          api.POST("/v1/patients/{patient_id}/appointments/{appointment_id}/reschedule", {
            params: { path: { patient_id: record.patientId, appointment_id: appointmentId }, header: { "Idempotency-Key": key } },
            body,
          })
        }
      />
    </>
  );
}
