import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { namedMoment } from "../components/clinicTime";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import type { RecordView } from "../records/PatientPage";
import { useClinicZone } from "./clinicZone";
import { slotTime } from "./format";
import { fetchAppointmentRequests, requestListKey, requestPath } from "./queries";
import type { AppointmentRequest } from "./types";

const PAGE_SIZE = 5;

/**
 * The patient's requests for a visit, newest first, each with where it stands in words; a time
 * staff offered is shown with the way to answer it.
 */
export function YourRequests({ record }: { record: RecordView }) {
  const { t } = useTranslation();
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const listed = useQuery({
    queryKey: [...requestListKey(record.token, record.patientId), cursor],
    queryFn: () => fetchAppointmentRequests(record.patientId, cursor, PAGE_SIZE),
  });
  return (
    <section aria-labelledby="appointment-requests" className="margin-top-4">
      <h2 id="appointment-requests">{t("appointments.requests.title")}</h2>
      {listed.isPending && <p>{t("appointments.requests.loading")}</p>}
      {listed.isError && <Problem message={listed.error.message} />}
      {listed.data &&
        (listed.data.appointment_requests.length === 0 ? (
          <p>{t("appointments.requests.none")}</p>
        ) : (
          <>
            <ul className="usa-list usa-list--unstyled">
              {listed.data.appointment_requests.map((request) => (
                <RequestItem key={request.request_id} request={request} record={record} />
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

function RequestItem({ request, record }: { request: AppointmentRequest; record: RecordView }) {
  const { t, i18n } = useTranslation();
  const zone = useClinicZone(record);
  const headingId = `request-${request.request_id}`;
  const title =
    request.kind === "reschedule"
      ? t("appointments.requests.rescheduleTitle")
      : request.care_team
        ? t("appointments.requests.newTitle", { team: request.care_team.name })
        : t("appointments.requestKind.new");
  return (
    <li className="margin-bottom-3 border-bottom-1px border-base-lighter padding-bottom-2" aria-labelledby={headingId}>
      <h3 id={headingId} className="margin-bottom-1">
        <Link to={record.to(requestPath(request.request_id))}>{title}</Link>
        <span className="display-block font-body-sm text-normal">
          {t("appointments.requests.asked", { date: namedMoment(request.requested_at, i18n.language, zone) })}
          {request.requested_by && <> · {t("appointments.requests.requestedBy", { who: request.requested_by.label })}</>}
        </span>
      </h3>
      <p className="text-bold margin-y-05">{t(`appointments.requestStatus.${request.status}`)}</p>
      {request.status === "proposed" && request.proposal && (
        <p className="margin-y-05">
          {t("appointments.requests.offered", { time: slotTime(request.proposal.starts_at, i18n.language, zone) })}{" "}
          <Link to={record.to(requestPath(request.request_id))}>{t("appointments.requests.answer")}</Link>
        </p>
      )}
    </li>
  );
}
