import { useMutation } from "@tanstack/react-query";
import { useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { formErrors } from "../api/errors";
import { Field } from "../components/Field";
import { Problem } from "../components/Problem";
import { type FileState, refusedHere, sizeText } from "../messages/attachments";
import { fetchRequest, removeDocument, sendDocument } from "./calls";
import { type DocumentKind, type ProxyRequest, REQUIRED_DOCUMENTS } from "./types";

/**
 * The sets of kinds of which the request has no accepted document yet (one of each set is needed):
 * a refused file counts for nothing. The API refuses to sign without them; said here first.
 */
export function stillNeeded(request: ProxyRequest): DocumentKind[][] {
  const have = new Set(request.documents.filter((one) => one.status !== "refused").map((one) => one.kind));
  return REQUIRED_DOCUMENTS[request.relationship].filter((oneOf) => !oneOf.some((kind) => have.has(kind)));
}

const KINDS: DocumentKind[] = ["birth_certificate", "court_order", "letters_of_guardianship", "power_of_attorney", "other"];

interface Sending {
  key: number;
  name: string;
  size: number;
  kind: DocumentKind;
  state: FileState;
  problem?: string;
}

/**
 * Step 2: the legal documents the relationship needs (a kind from each set), each uploaded as soon
 * as it is chosen, straight to storage, then read by the API (as a message's files are); a file
 * the API refuses says why in words. Uploaded ones are listed from the request itself, and can be
 * removed while it is a draft.
 */
export function Documents({ request, onChange }: { request: ProxyRequest; onChange: (request: ProxyRequest) => void }) {
  const { t, i18n } = useTranslation();
  const needed = REQUIRED_DOCUMENTS[request.relationship];
  const [kind, setKind] = useState<DocumentKind>(needed[0]?.[0] ?? "other");
  const [sending, setSending] = useState<Sending[]>([]);
  const counter = useRef(0);
  const input = useRef<HTMLInputElement>(null);
  const update = (key: number, change: Partial<Sending>) =>
    setSending((now) => now.map((one) => (one.key === key ? { ...one, ...change } : one)));
  const reload = () => fetchRequest(request.request_id).then(onChange);

  function choose(files: FileList | null) {
    const file = files?.[0];
    if (input.current) input.current.value = "";
    if (!file) return;
    const key = ++counter.current;
    const problem = refusedHere(file);
    setSending((now) => [
      ...now,
      { key, name: file.name, size: file.size, kind, state: problem ? "refused" : "uploading", ...(problem && { problem }) },
    ]);
    if (problem) return;
    sendDocument(request.request_id, kind, file, (state) => update(key, { state }))
      // The request's own list shows it from now on, a refused one with the API's reason: kept
      // here too, it would be listed twice until the page is loaded again.
      .then(() => reload().then(() => setSending((now) => now.filter((one) => one.key !== key))))
      .catch((problem: unknown) =>
        update(key, { state: "refused", problem: problem instanceof Error ? problem.message : t("errors.unexpected") }),
      );
  }

  const remove = useMutation({
    mutationFn: (documentId: string) =>
      removeDocument(request.request_id, documentId),
    onSuccess: () => reload(),
  });
  const kindText = (one: DocumentKind) => t(`proxies.documentKind.${one}`);

  return (
    <>
      {needed.length === 0 ? (
        <p>{t("proxies.documents.noneNeeded")}</p>
      ) : (
        <>
          <p>{t("proxies.documents.intro")}</p>
          <ul>
            {needed.map((oneOf) => (
              <li key={oneOf.join()}>{t("proxies.documents.oneOf", { kinds: oneOf.map(kindText).join(t("proxies.documents.or")) })}</li>
            ))}
          </ul>
        </>
      )}
      <div className="usa-form usa-form--large">
        <div className="usa-form-group">
          <label className="usa-label" htmlFor="document-kind">
            {t("proxies.documents.kind")}
          </label>
          <select id="document-kind" className="usa-select" value={kind} onChange={(event) => setKind(event.target.value as DocumentKind)}>
            {KINDS.map((one) => (
              <option key={one} value={one}>
                {kindText(one)}
              </option>
            ))}
          </select>
        </div>
        <Field name="document-file" label={t("proxies.documents.file")} hint={t("proxies.documents.fileHint")}>
          {(control) => (
            <input
              {...control}
              ref={input}
              type="file"
              className="usa-file-input display-block margin-top-1"
              accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
              onChange={(event) => choose(event.target.files)}
            />
          )}
        </Field>
      </div>
      <h3>{t("proxies.documents.uploaded")}</h3>
      {remove.isError && <Problem message={formErrors(remove.error, [], t("errors.network")).general.join(" ")} />}
      <ul className="usa-list usa-list--unstyled" aria-live="polite" aria-label={t("proxies.documents.uploaded")}>
        {request.documents.length === 0 && sending.length === 0 && <li>{t("proxies.documents.none")}</li>}
        {request.documents.map((document) => (
          <li key={document.document_id} className="margin-bottom-1 border-left-05 padding-left-1 border-base-lighter">
            <span className="text-bold">{document.file_name}</span> ({kindText(document.kind)},{" "}
            {sizeText(document.size, i18n.language)}):{" "}
            {document.status === "refused" ? (
              <span className="usa-error-message display-inline">{document.problem}</span>
            ) : (
              t(`proxies.documents.state.${document.status}`)
            )}{" "}
            <button
              type="button"
              className="usa-button usa-button--unstyled"
              aria-label={t("proxies.documents.removeNamed", { name: document.file_name })}
              disabled={remove.isPending}
              onClick={() => remove.mutate(document.document_id)}
            >
              {t("proxies.documents.remove")}
            </button>
          </li>
        ))}
        {sending.map((one) => (
          <li key={one.key} className="margin-bottom-1 border-left-05 padding-left-1 border-base-lighter">
            <span className="text-bold">{one.name}</span> ({kindText(one.kind)}, {sizeText(one.size, i18n.language)}):{" "}
            {one.state === "refused" ? (
              <span className="usa-error-message display-inline">{one.problem}</span>
            ) : (
              t(`messages.files.state.${one.state}`)
            )}
            {one.state === "refused" && (
              <>
                {" "}
                <button
                  type="button"
                  className="usa-button usa-button--unstyled"
                  aria-label={t("proxies.documents.removeNamed", { name: one.name })}
                  onClick={() => setSending((now) => now.filter((other) => other.key !== one.key))}
                >
                  {t("proxies.documents.remove")}
                </button>
              </>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
