import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { momentText, whenText } from "../components/dates";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";
import { act } from "./act";
import { patientName } from "./format";
import { ReleaseChoices } from "./ReleaseChoices";
import { fetchStaffPatient, staffPatientKey } from "./queries";

type HoldReason = Schemas["HoldRequest"]["reason"];
type Release = Pick<Schemas["StaffResult"], "released_at" | "held" | "held_reason" | "delayed_by_policy" | "delay_exception">;
type Said = { ok: boolean; text: string } | null;
/** A result or a document, as one row of the page: what both share. */
interface Row extends Release {
  id: string;
  name: string;
  kind: "result" | "document";
  detail: string;
}

// The exceptions a hold may rest on; the patient's own request comes first, as the likeliest.
const holdReasons: HoldReason[] = ["patient_request", "harm_exception", "legal_hold", "clinician_review", "other"];

/**
 * Where a release stands: held by staff, waiting for a review the patient asked for, waiting some
 * days as the patient asked, delayed (by the release policy), or shown.
 */
export function releaseState(
  release: Release,
  now: number,
): "held" | "waiting" | "patientDays" | "delayed" | "released" {
  if (release.held || release.released_at === null) return "held";
  if (new Date(release.released_at).getTime() > now) {
    if (release.held_reason === "patient_waits_for_review") return "waiting";
    return release.held_reason === "patient_waits_days" ? "patientDays" : "delayed";
  }
  return "released";
}

/**
 * A patient's results and documents, released or not (GET /v1/staff/patients/{id}/results), with
 * where each release stands; staff hold back what is not shown yet, or release it early.
 */
export function PatientResults() {
  const { t } = useTranslation();
  usePageTitle(t("staff.results.title"));
  const { patientId = "" } = useParams();
  return <StaffPage>{(token) => <ResultsView key={patientId} token={token} patientId={patientId} />}</StaffPage>;
}

function ResultsView({ token, patientId }: { token: string; patientId: string }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const key = ["staff-results", token, patientId];
  const patient = useQuery({
    queryKey: staffPatientKey(token, patientId),
    queryFn: () => fetchStaffPatient(patientId),
  });
  const listed = useQuery({
    queryKey: key,
    queryFn: () =>
      load(() => api.GET("/v1/staff/patients/{patient_id}/results", { params: { path: { patient_id: patientId } } })),
  });
  const [asking, setAsking] = useState<{ row: Row; action: "hold" | "release" } | null>(null);
  // No reason is chosen for staff: the audit trail keeps the one they pick.
  const [reason, setReason] = useState<HoldReason | "">("");
  const [reasonMissing, setReasonMissing] = useState(false);
  const [said, setSaid] = useState<Said>(null);
  const change = useMutation({
    mutationFn: ({ row, action }: { row: Row; action: "hold" | "release" }) =>
      action === "hold"
        ? act(() =>
            api.POST("/v1/staff/results/{result_id}/hold", {
              params: { path: { result_id: row.id } },
              body: { reason: reason as HoldReason },
            }),
          ).then((held) =>
            t("staff.results.heldNow", { name: row.name, reason: t(`staff.holdReason.${held?.held_reason ?? (reason as HoldReason)}`) }),
          )
        : act(() => api.POST("/v1/staff/results/{result_id}/release", { params: { path: { result_id: row.id } } })).then(
            (released) =>
              t("staff.results.releasedNow", {
                name: row.name,
                when: released ? momentText(released.released_at, i18n.language) : "",
              }),
          ),
    onSuccess: (text) => {
      setSaid({ ok: true, text });
      void queryClient.invalidateQueries({ queryKey: key });
    },
    onError: (error) => setSaid({ ok: false, text: error.message }),
    onSettled: () => setAsking(null),
  });

  const back = (
    <p>
      <Link to={`/staff/patients/${encodeURIComponent(patientId)}`}>{t("staff.results.back")}</Link>
    </p>
  );
  const heading = (
    <>
      <h1>{t("staff.results.title")}</h1>
      {patient.data && <p className="font-sans-lg">{t("staff.results.of", { name: patientName(patient.data.patient) })}</p>}
      {back}
    </>
  );
  if (listed.isPending) return <>{heading}<p>{t("app.loading")}</p></>;
  if (listed.isError) return <>{heading}<Problem message={listed.error.message} /></>;

  const rows: Row[] = [
    ...listed.data.results.map((result) => ({
      id: result.result_id,
      name: result.name ?? t("results.unnamed"),
      kind: "result" as const,
      detail: `${t(`results.categoryName.${result.category}`)} · ${t("results.reported", {
        when: whenText(result.reported_at, i18n.language) ?? t("results.unknownDate"),
      })} · ${t(`records.status.${result.status}`)}${result.critical ? ` · ${t("results.hasCritical")}` : ""}`,
      released_at: result.released_at,
      held: result.held,
      held_reason: result.held_reason,
      delayed_by_policy: result.delayed_by_policy,
      delay_exception: result.delay_exception,
    })),
    ...listed.data.documents.map((document) => ({
      id: document.document_id,
      name: document.title ?? t(`documents.type.${document.type}`),
      kind: "document" as const,
      detail: `${t(`documents.type.${document.type}`)} · ${t("documents.written", {
        when: whenText(document.authored_at, i18n.language) ?? t("results.unknownDate"),
      })} · ${t(`records.status.${document.status}`)}`,
      released_at: document.released_at,
      held: document.held,
      held_reason: document.held_reason,
      delayed_by_policy: document.delayed_by_policy,
      delay_exception: document.delay_exception,
    })),
  ];
  const now = Date.now();

  function stateText(row: Row): string {
    const state = releaseState(row, now);
    const when = row.released_at ? momentText(row.released_at, i18n.language) : "";
    if (state === "held")
      return t("staff.results.state.held", {
        reason: row.held_reason ? t(`staff.holdReason.${row.held_reason}`) : t("staff.notGiven"),
      });
    // A policy delay says the exception it rests on, so staff can tell a patient why it waits.
    if (state === "delayed" && row.delayed_by_policy)
      return t("staff.results.state.delayedFor", {
        when,
        exception: row.delay_exception ? t(`staff.exception.${row.delay_exception}`) : t("staff.results.noException"),
      });
    return t(`staff.results.state.${state}`, { when });
  }

  return (
    <>
      {heading}
      <ReleaseChoices token={token} patientId={patientId} />
      <h2>{t("staff.results.listTitle")}</h2>
      <Notice text={said?.text} ok={said?.ok} />
      {asking && (
        <Confirm
          key={`${asking.action}-${asking.row.kind}-${asking.row.id}`}
          question={t(asking.action === "hold" ? "staff.results.askHold" : "staff.results.askRelease", { name: asking.row.name })}
          confirmLabel={t(asking.action === "hold" ? "staff.results.confirmHold" : "staff.results.confirmRelease")}
          busy={change.isPending}
          onConfirm={() => {
            if (asking.action === "hold" && reason === "") return setReasonMissing(true);
            change.mutate(asking);
          }}
          onCancel={() => setAsking(null)}
        >
          {asking.action === "hold" && (
            <div className={`usa-form-group${reasonMissing ? " usa-form-group--error" : ""}`}>
              <label className="usa-label" htmlFor="hold-reason">
                {t("staff.results.holdReason")}
              </label>
              {reasonMissing && (
                <span className="usa-error-message" id="hold-reason-error">
                  {t("staff.results.chooseReason")}
                </span>
              )}
              <select
                className={`usa-select${reasonMissing ? " usa-input--error" : ""}`}
                id="hold-reason"
                value={reason}
                aria-invalid={reasonMissing || undefined}
                aria-describedby={reasonMissing ? "hold-reason-error" : undefined}
                onChange={(event) => {
                  setReason(event.target.value as HoldReason | "");
                  setReasonMissing(false);
                }}
              >
                <option value="">{t("staff.results.pickReason")}</option>
                {holdReasons.map((code) => (
                  <option key={code} value={code}>
                    {t(`staff.holdReason.${code}`)}
                  </option>
                ))}
              </select>
            </div>
          )}
        </Confirm>
      )}
      {rows.length === 0 ? (
        <p>{t("staff.results.none")}</p>
      ) : (
        <table className="usa-table usa-table--stacked usa-table--borderless width-full">
          <caption className="text-left">{t("staff.results.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("staff.results.name")}</th>
              <th scope="col">{t("staff.results.kind")}</th>
              <th scope="col">{t("staff.results.release")}</th>
              <th scope="col">{t("staff.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const shown = releaseState(row, now) === "released";
              return (
                <tr key={`${row.kind}-${row.id}`}>
                  <th scope="row" data-label={t("staff.results.name")}>
                    {row.name}
                    <br />
                    <span className="text-base text-normal">{row.detail}</span>
                  </th>
                  <td data-label={t("staff.results.kind")}>{t(`staff.results.kindName.${row.kind}`)}</td>
                  <td data-label={t("staff.results.release")}>{stateText(row)}</td>
                  <td data-label={t("staff.actions")}>
                    {shown ? (
                      t("staff.results.nothingToDo")
                    ) : (
                      <>
                        {!row.held && (
                          <button
                            type="button"
                            className="usa-button usa-button--outline margin-y-05"
                            disabled={change.isPending}
                            aria-label={t("staff.results.holdNamed", { name: row.name })}
                            onClick={() => {
                              setSaid(null);
                              setReason("");
                              setReasonMissing(false);
                              setAsking({ row, action: "hold" });
                            }}
                          >
                            {t("staff.results.hold")}
                          </button>
                        )}
                        <button
                          type="button"
                          className="usa-button margin-y-05"
                          disabled={change.isPending}
                          aria-label={t("staff.results.releaseNamed", { name: row.name })}
                          onClick={() => {
                            setSaid(null);
                            setAsking({ row, action: "release" });
                          }}
                        >
                          {t("staff.results.releaseNow")}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
