import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api } from "../api/client";
import { load } from "../api/errors";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { DocumentLabels } from "./DocumentLabels";
import { writtenText } from "./format";
import { OpenFile } from "./OpenFile";
import { PatientPage, type RecordView } from "./PatientPage";

const PAGE_SIZE = 20;

/**
 * The patient's released documents, newest first, a page at a time; an addendum says what it adds
 * to, a replaced or updated document says so, and its page keeps the earlier versions.
 */
export function Documents() {
  const { t } = useTranslation();
  usePageTitle(t("documents.title"));
  return <PatientPage area="documents">{(record) => <DocumentsList record={record} />}</PatientPage>;
}

function DocumentsList({ record: { patientId, token, to } }: { record: RecordView }) {
  const { t, i18n } = useTranslation();
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const documents = useQuery({
    queryKey: ["documents", token, patientId, cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/documents", {
          params: { path: { patient_id: patientId }, query: { limit: PAGE_SIZE, ...(cursor && { cursor }) } },
        }),
      ),
  });
  return (
    <>
      <h1>{t("documents.title")}</h1>
      {documents.isPending && <p>{t("app.loading")}</p>}
      {documents.isError && <Problem message={documents.error.message} />}
      {documents.data && (
        <>
          {documents.data.documents.length === 0 ? (
            <p>{t("documents.none")}</p>
          ) : (
            <ul className="usa-list usa-list--unstyled">
              {documents.data.documents.map((document) => (
                <li key={document.document_id} className="margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-1">
                  <strong>
                    <Link
                      to={to(`/documents/${encodeURIComponent(document.document_id)}`)}
                      aria-label={t("records.document.details", {
                        name: document.title ?? t(`documents.type.${document.type}`),
                      })}
                    >
                      {document.title ?? t(`documents.type.${document.type}`)}
                    </Link>
                  </strong>
                  <br />
                  <DocumentLabels document={document} />
                  {(document.addendum_to || document.revision) && <br />}
                  <span className="text-base">
                    {t(`documents.type.${document.type}`)} ·{" "}
                    {t("documents.written", {
                      when: writtenText(document, i18n.language) ?? t("results.unknownDate"),
                    })}
                    {document.author && ` · ${t("documents.author", { name: document.author })}`} ·{" "}
                    {t(`records.status.${document.status}`)}
                  </span>
                  <br />
                  <OpenFile
                    label={t("records.file.openNamed", {
                      name: document.title ?? t(`documents.type.${document.type}`),
                    })}
                    fetchLink={() =>
                      load(() =>
                        api.GET("/v1/patients/{patient_id}/documents/{document_id}/content-link", {
                          params: { path: { patient_id: patientId, document_id: document.document_id } },
                        }),
                      )
                    }
                  />
                </li>
              ))}
            </ul>
          )}
          <Pager
            page={page}
            nextCursor={documents.data.next_cursor}
            onPrevious={() => setCursors(cursors.slice(0, -1))}
            onNext={(next) => setCursors([...cursors, next])}
          />
        </>
      )}
    </>
  );
}
