import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { whenText } from "../components/dates";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "./PatientPage";

type RecordExport = Schemas["RecordExport"];

/** How often the list asks again while a download is being prepared. */
export const POLL_MS = 3000;

const fetchExports = (patientId: string) =>
  load(() => api.GET("/v1/patients/{patient_id}/exports", { params: { path: { patient_id: patientId } } }));

/**
 * "Download my record": a copy of everything the portal shows of the record being viewed (a
 * proxy's: the parts their access covers), as a file for health apps (FHIR) and a PDF summary.
 * The copy is prepared in the background: the list asks again while one is being prepared, and
 * the links to a ready one's files are asked for only when wanted (they work for five minutes).
 */
export function Download() {
  const { t } = useTranslation();
  usePageTitle(t("records.download.title"));
  return (
    <PatientPage>
      {(record) => (
        <>
          <h1>{t("records.download.title")}</h1>
          <p>{record.says("records.download.introOwn", "records.download.introOther")}</p>
          <ul className="usa-list">
            <li>{t("records.download.holdsBundle")}</li>
            <li>{t("records.download.holdsPdf")}</li>
          </ul>
          <p>{t("records.download.kept")}</p>
          <Downloads record={record} />
        </>
      )}
    </PatientPage>
  );
}

function Downloads({ record: { patientId, token } }: { record: RecordView }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const key = ["exports", token, patientId];
  const exports = useQuery({
    queryKey: key,
    queryFn: () => fetchExports(patientId),
    refetchInterval: (query) =>
      query.state.data?.exports.some((item) => item.status === "building") ? POLL_MS : false,
  });
  const ask = useMutation({
    mutationFn: () =>
      load(() => api.POST("/v1/patients/{patient_id}/exports", { params: { path: { patient_id: patientId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: key }),
  });
  const building = exports.data?.exports.some((item) => item.status === "building") ?? false;
  return (
    <>
      <button type="button" className="usa-button" disabled={ask.isPending || building} onClick={() => ask.mutate()}>
        {ask.isPending ? t("records.download.asking") : t("records.download.ask")}
      </button>
      {ask.isError && <Problem message={ask.error.message} />}
      <section aria-labelledby="downloads" className="margin-top-4">
        <h2 id="downloads">{t("records.download.listTitle")}</h2>
        {exports.isPending && <p>{t("app.loading")}</p>}
        {exports.isError && <Problem message={exports.error.message} />}
        {exports.data && exports.data.exports.length === 0 && <p>{t("records.download.none")}</p>}
        {exports.data && exports.data.exports.length > 0 && (
          <ul className="usa-list usa-list--unstyled">
            {exports.data.exports.map((item) => (
              <ExportItem key={item.export_id} item={item} patientId={patientId} token={token} />
            ))}
          </ul>
        )}
      </section>
    </>
  );
}

function ExportItem({ item, patientId, token }: { item: RecordExport; patientId: string; token: string }) {
  const { t, i18n } = useTranslation();
  const [wanted, setWanted] = useState(false);
  const when = (value: string | null | undefined) => whenText(value ?? null, i18n.language) ?? "";
  const expired = item.status === "ready" && !!item.expires_at && Date.parse(item.expires_at) <= Date.now();
  const files = useQuery({
    queryKey: ["export", token, patientId, item.export_id],
    enabled: wanted,
    staleTime: 0,
    gcTime: 0,
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/exports/{export_id}", {
          params: { path: { patient_id: patientId, export_id: item.export_id } },
        }),
      ),
  });
  return (
    <li className="margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-1">
      <strong>{t("records.download.asked", { when: when(item.requested_at) })}</strong>
      <br />
      {item.status === "building" && <span role="status">{t("records.download.building")}</span>}
      {item.status === "failed" && <span>{t("records.download.failed")}</span>}
      {item.status === "ready" && expired && <span>{t("records.download.expired")}</span>}
      {item.status === "ready" && !expired && (
        <>
          <span>{t("records.download.ready", { when: when(item.expires_at) })}</span>
          <br />
          {!wanted && (
            <button type="button" className="usa-button usa-button--outline margin-top-1" onClick={() => setWanted(true)}>
              {t("records.download.getFiles")}
            </button>
          )}
          {wanted && files.isPending && <p>{t("app.loading")}</p>}
          {wanted && files.isError && <Problem message={files.error.message} />}
          {wanted && files.data && (
            <ul className="usa-list">
              {(files.data.files ?? []).map((file) => (
                <li key={file.kind}>
                  <a href={file.url} download={file.name}>
                    {file.kind === "fhir_bundle" ? t("records.download.fileBundle") : t("records.download.filePdf")}
                  </a>{" "}
                  <span className="text-base">{t("records.download.size", { size: sizeText(file.size) })}</span>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </li>
  );
}

/** A file's size in words a person reads: KB below a megabyte, MB from one. */
export function sizeText(bytes: number): string {
  if (bytes < 1024 * 1024) return `${Math.max(1, Math.round(bytes / 1024))} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
