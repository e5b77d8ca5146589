import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { whenText } from "../components/dates";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { DocumentLabels } from "./DocumentLabels";
import { writtenText } from "./format";
import { OpenFile } from "./OpenFile";
import { PatientPage, type RecordView } from "./PatientPage";

/**
 * One released document: how it came to be (an addendum, a replacement, an update), its file, its
 * addenda, and the earlier versions the writer changed or replaced, each with its own file.
 */
export function DocumentDetail() {
  const { t } = useTranslation();
  // The title names the kind of page, never the document: a tab title outlives the page in history.
  usePageTitle(t("records.document.title"));
  const { documentId = "" } = useParams();
  return <PatientPage area="documents">{(record) => <DocumentView record={record} documentId={documentId} />}</PatientPage>;
}

function DocumentView({ record, documentId }: { record: RecordView; documentId: string }) {
  const { patientId, token } = record;
  const { t, i18n } = useTranslation();
  const document = useQuery({
    queryKey: ["document", token, patientId, documentId],
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/documents/{document_id}", {
          params: { path: { patient_id: patientId, document_id: documentId } },
        }),
      ),
  });
  const back = (
    <p>
      <Link to={record.to("/documents")}>{t("records.document.back")}</Link>
    </p>
  );
  if (document.isPending) return <p>{t("app.loading")}</p>;
  if (document.isError)
    return (
      <>
        <h1>{t("records.document.title")}</h1>
        <Problem message={document.error.message} />
        {back}
      </>
    );
  const data = document.data;
  const name = (shown: { title: string | null }) => shown.title ?? t(`documents.type.${data.type}`);
  const current = (id: string) => () =>
    load(() =>
      api.GET("/v1/patients/{patient_id}/documents/{document_id}/content-link", {
        params: { path: { patient_id: patientId, document_id: id } },
      }),
    );
  return (
    <>
      {back}
      <h1>{name(data)}</h1>
      <DocumentLabels document={data} />
      {data.addendum_to && (
        <p>
          {t("records.document.addendumIntro")}{" "}
          {data.addendum_to_title && (
            <Link to={record.to(`/documents/${encodeURIComponent(data.addendum_to)}`)}>{data.addendum_to_title}</Link>
          )}
        </p>
      )}
      <ul className="usa-list usa-list--unstyled margin-top-1">
        <li>{t("records.document.type", { type: t(`documents.type.${data.type}`) })}</li>
        <li>{t("documents.written", { when: writtenText(data, i18n.language) ?? t("results.unknownDate") })}</li>
        {data.author && <li>{t("documents.author", { name: data.author })}</li>}
        <li>{t("records.document.status", { status: t(`records.status.${data.status}`) })}</li>
        {data.version > 1 && <li>{t("records.document.version", { version: data.version })}</li>}
      </ul>
      <OpenFile label={t("records.file.openNamed", { name: name(data) })} fetchLink={current(data.document_id)} />
      {data.addenda.length > 0 && (
        <section aria-labelledby="document-addenda">
          <h2 id="document-addenda">{t("records.document.addenda")}</h2>
          <ul className="usa-list usa-list--unstyled">
            {data.addenda.map((addendum) => (
              <li key={addendum.document_id} className="margin-bottom-2">
                <Link to={record.to(`/documents/${encodeURIComponent(addendum.document_id)}`)}>
                  {t("records.document.addendumTo", { title: name(data) })}
                </Link>
                <br />
                <span className="text-base">
                  {t("documents.written", { when: writtenText(addendum, i18n.language) ?? t("results.unknownDate") })}
                </span>
                <br />
                <OpenFile
                  label={t("records.file.openNamed", { name: t("records.document.addendumTo", { title: name(data) }) })}
                  fetchLink={current(addendum.document_id)}
                />
              </li>
            ))}
          </ul>
        </section>
      )}
      {data.earlier_versions.length > 0 && (
        <section aria-labelledby="document-earlier">
          <h2 id="document-earlier">{t("records.document.earlierVersions")}</h2>
          <p>{t("records.document.earlierIntro")}</p>
          <ul className="usa-list usa-list--unstyled">
            {data.earlier_versions.map((earlier) => (
              <EarlierVersion
                key={earlier.version}
                earlier={earlier}
                label={t("records.document.openEarlier", { version: earlier.version, name: name(earlier) })}
                fetchLink={() =>
                  load(() =>
                    api.GET("/v1/patients/{patient_id}/documents/{document_id}/versions/{version}/content-link", {
                      params: {
                        path: { patient_id: patientId, document_id: data.document_id, version: String(earlier.version) },
                      },
                    }),
                  )
                }
              />
            ))}
          </ul>
        </section>
      )}
    </>
  );
}

function EarlierVersion({
  earlier,
  label,
  fetchLink,
}: {
  earlier: Schemas["EarlierDocumentVersion"];
  label: string;
  fetchLink: () => Promise<Schemas["FileLinkView"]>;
}) {
  const { t, i18n } = useTranslation();
  return (
    <li className="margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-1">
      {t("records.document.earlierVersion", {
        version: earlier.version,
        status: t(`records.status.${earlier.status}`),
        when: whenText(earlier.filed_at, i18n.language) ?? t("results.unknownDate"),
      })}
      <br />
      {earlier.size > 0 ? <OpenFile label={label} fetchLink={fetchLink} /> : <span>{t("records.document.noFile")}</span>}
    </li>
  );
}
