import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useParams } from "react-router";
import { useDates } from "../components/dates";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { Fact, Facts } from "../components/Facts";
import { fetchRefillRequest, refillRequestsKey } from "./queries";

/** One refill request: what was asked, to which pharmacy, and what the care team decided. */
export function RefillRequestPage() {
  const { t } = useTranslation();
  usePageTitle(t("medications.request.title"));
  const { requestId = "" } = useParams();
  return (
    <PatientPage area="medications">
      {(record) => (
        <>
          <p>
            <Link to={record.to("/medications")}>{t("medications.form.back")}</Link>
          </p>
          <h1>{t("medications.request.title")}</h1>
          <RequestView record={record} requestId={requestId} />
        </>
      )}
    </PatientPage>
  );
}

function RequestView({ record, requestId }: { record: RecordView; requestId: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  // Just sent from the form (the history entry says so; it carries nothing about the patient).
  const sent = (useLocation().state as { sent?: boolean } | null)?.sent === true;
  const request = useQuery({
    queryKey: [...refillRequestsKey(record.token, record.patientId), requestId],
    queryFn: () => fetchRefillRequest(record.patientId, requestId),
  });
  if (request.isPending) return <p>{t("app.loading")}</p>;
  if (request.isError) return <Problem message={request.error.message} />;
  const { data } = request;
  const next =
    data.status === "approved"
      ? t("medications.request.approvedNext")
      : data.status === "denied"
        ? t("medications.request.deniedNext")
        : t("medications.request.waitingNext");
  return (
    <>
      <Notice text={sent ? t("medications.request.sent") : null} />
      <Facts>
        <Fact term={t("medications.request.medication")}>{data.medication.name}</Fact>
        <Fact term={t("medications.request.statusLabel")}>
          <span className="text-bold">{t(`medications.requestStatus.${data.status}`)}</span>
        </Fact>
        {data.decided_at && <Fact term={t("medications.request.decided")}>{dates.moment(data.decided_at)}</Fact>}
        {data.decision_reason && (
          <Fact term={t("medications.request.reason")}>
            <span style={{ whiteSpace: "pre-wrap" }}>{data.decision_reason}</span>
          </Fact>
        )}
        <Fact term={t("medications.request.asked")}>{dates.moment(data.requested_at)}</Fact>
        {data.requested_by && <Fact term={t("medications.request.requestedBy")}>{data.requested_by.label}</Fact>}
        <Fact term={t("medications.request.pharmacy")}>
          {data.pharmacy.name}
          {data.pharmacy.phone && <span className="display-block">{data.pharmacy.phone}</span>}
          {data.pharmacy.address && (
            <span className="display-block" style={{ whiteSpace: "pre-wrap" }}>
              {data.pharmacy.address}
            </span>
          )}
        </Fact>
        <Fact term={t("medications.request.note")}>
          {data.note ? <span style={{ whiteSpace: "pre-wrap" }}>{data.note}</span> : t("medications.request.noNote")}
        </Fact>
      </Facts>
      <p>{next}</p>
    </>
  );
}
