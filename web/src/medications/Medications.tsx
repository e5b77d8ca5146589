import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client";
import { load } from "../api/errors";
import { useDates } from "../components/dates";
import { Fact, Facts } from "../components/Facts";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import {
  fetchMedications,
  type Medication,
  medicationsKey,
  type RefillRequest,
  reasonText,
  refillRequestsKey,
  statusText,
} from "./queries";

const PAGE_SIZE = 10;

/**
 * The patient's medications as the clinic's feeds sent them, each with a way to ask for a refill
 * or, where that cannot be done online, why not in plain words; then the refill requests made.
 */
export function Medications() {
  const { t } = useTranslation();
  usePageTitle(t("medications.title"));
  return (
    <PatientPage area="medications">
      {(record) => (
        <>
          <h1>{t("medications.title")}</h1>
          <p>{t("medications.intro")}</p>
          <MedicationList record={record} />
          <RefillRequests record={record} />
        </>
      )}
    </PatientPage>
  );
}

export const requestPath = (record: RecordView, requestId: string) =>
  record.to(`/medications/refill-requests/${encodeURIComponent(requestId)}`);

function MedicationList({ record }: { record: RecordView }) {
  const { t } = useTranslation();
  const medications = useQuery({
    queryKey: medicationsKey(record.token, record.patientId),
    queryFn: () => fetchMedications(record.patientId),
  });
  return (
    <section aria-labelledby="medication-list">
      <h2 id="medication-list">{t("medications.listTitle")}</h2>
      {medications.isPending && <p>{t("app.loading")}</p>}
      {medications.isError && <Problem message={medications.error.message} />}
      {medications.data &&
        (medications.data.medications.length === 0 ? (
          <p>{record.says("medications.none", "records.forOther.medicationsNone")}</p>
        ) : (
          <ul className="usa-list usa-list--unstyled">
            {medications.data.medications.map((medication) => (
              <MedicationItem key={medication.medication_id} medication={medication} record={record} />
            ))}
          </ul>
        ))}
    </section>
  );
}

function MedicationItem({ medication, record }: { medication: Medication; record: RecordView }) {
  const { t, i18n } = useTranslation();
  const dates = useDates();
  const { refill } = medication;
  const headingId = `medication-${medication.medication_id}`;
  return (
    <li className="margin-bottom-3 border-bottom-1px border-base-lighter padding-bottom-2" aria-labelledby={headingId}>
      <h3 id={headingId} className="margin-bottom-1">
        {medication.name}
      </h3>
      <Facts>
        <Fact term={t("medications.howToTake")}>
          {medication.dosage.length === 0
            ? t("medications.notStated")
            : medication.dosage.map((line, index) => <div key={index}>{line}</div>)}
        </Fact>
        <Fact term={t("medications.prescriber")}>{medication.prescriber || t("medications.notStated")}</Fact>
        {medication.authored_on && <Fact term={t("medications.prescribedOn")}>{dates.when(medication.authored_on)}</Fact>}
        <Fact term={t("medications.refillsAllowed")}>
          {medication.refills_allowed === null
            ? t("medications.notStated")
            : medication.refills_allowed === 0
              ? t("medications.noRefillsCount")
              : t("medications.refillsCount", { count: medication.refills_allowed })}
        </Fact>
        {medication.expires_on && <Fact term={t("medications.expires")}>{dates.day(medication.expires_on)}</Fact>}
        {medication.status !== "active" && (
          <Fact term={t("medications.statusLabel")}>{statusText(t, medication.status)}</Fact>
        )}
      </Facts>
      {record.readOnly ? null : refill.can_request ? (
        <Link
          className="usa-button"
          to={record.to(`/medications/${encodeURIComponent(medication.medication_id)}/refill`)}
        >
          {t("medications.requestRefill")}{" "}
          {/* the visible words start the link's name, so a voice command "click Request a refill" still works */}
          <span className="usa-sr-only">{t("medications.requestRefillOf", { name: medication.name })}</span>
        </Link>
      ) : (
        <div className="usa-alert usa-alert--info usa-alert--slim usa-alert--no-icon">
          <div className="usa-alert__body">
            <p className="usa-alert__text">
              {reasonText(t, medication, i18n.language)}
              {refill.pending_request_id && (
                <>
                  {" "}
                  <Link to={requestPath(record, refill.pending_request_id)}>{t("medications.seePending")}</Link>
                </>
              )}
            </p>
          </div>
        </div>
      )}
    </li>
  );
}

/** What a request came to, in a sentence: waiting, approved on a day, or denied on a day (and why). */
export function Outcome({ request }: { request: RefillRequest }) {
  const { t } = useTranslation();
  const dates = useDates();
  const when = request.decided_at ? dates.moment(request.decided_at) : "";
  if (request.status === "approved") return <>{t("medications.approvedOn", { when })}</>;
  if (request.status === "denied")
    return (
      <>
        {t("medications.deniedOn", { when })}
        {request.decision_reason && (
          <>
            {" "}
            <span style={{ whiteSpace: "pre-wrap" }}>{t("medications.deniedBecause", { reason: request.decision_reason })}</span>
          </>
        )}
      </>
    );
  return null;
}

function RefillRequests({ record }: { record: RecordView }) {
  const { t } = useTranslation();
  const dates = useDates();
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const requests = useQuery({
    queryKey: [...refillRequestsKey(record.token, record.patientId), "page", cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/refill-requests", {
          params: { path: { patient_id: record.patientId }, query: { limit: PAGE_SIZE, ...(cursor && { cursor }) } },
        }),
      ),
  });
  return (
    <section aria-labelledby="refill-requests" className="margin-top-4">
      <h2 id="refill-requests">{t("medications.requestsTitle")}</h2>
      {requests.isPending && <p>{t("app.loading")}</p>}
      {requests.isError && <Problem message={requests.error.message} />}
      {requests.data &&
        (requests.data.refill_requests.length === 0 ? (
          <p>{t("medications.requestsNone")}</p>
        ) : (
          <>
            <ul className="usa-list usa-list--unstyled">
              {requests.data.refill_requests.map((request) => (
                <li key={request.request_id} className="margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-1">
                  <Link to={requestPath(record, request.request_id)} className="text-bold">
                    {request.medication.name}
                  </Link>
                  <br />
                  <span className="text-bold">{t(`medications.requestStatus.${request.status}`)}</span>
                  {" · "}
                  {t("medications.asked", { when: dates.moment(request.requested_at) })}
                  {request.requested_by && <> · {t("medications.requestedBy", { who: request.requested_by.label })}</>}
                  <br />
                  {t("medications.toPharmacy", { pharmacy: request.pharmacy.name })}
                  {request.status !== "requested" && (
                    <>
                      <br />
                      <Outcome request={request} />
                    </>
                  )}
                </li>
              ))}
            </ul>
            <Pager
              page={page}
              nextCursor={requests.data.next_cursor ?? null}
              onPrevious={() => setCursors(cursors.slice(0, -1))}
              onNext={(next) => setCursors([...cursors, next])}
            />
          </>
        ))}
    </section>
  );
}
