import { useQuery } from "@tanstack/react-query";
import type { RecordView } from "../records/PatientPage";
import { appointmentsKey, fetchAppointments } from "./queries";

/**
 * The clinic's time zone (its IANA name), as the patient's list of visits gives it, for times
 * whose own answer names no zone (a request's "asked" and "last change"). The first page of
 * upcoming visits is the one the appointments page shows, so there it is read once for both.
 * Null until known, or when it cannot be read: the times then say which clock they are on.
 */
export function useClinicZone(record: RecordView): string | null {
  const listed = useQuery({
    queryKey: appointmentsKey(record.token, record.patientId, "upcoming", ""),
    queryFn: () => fetchAppointments(record.patientId, "upcoming", ""),
  });
  return listed.data?.time_zone ?? null;
}
