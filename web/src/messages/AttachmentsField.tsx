import { useRef } from "react";
import { useTranslation } from "react-i18next";
import { Field } from "../components/Field";
import { type ChosenFile, MAX_FILES, Refused, refusedHere, sendAttachment, sizeText } from "./attachments";

let counter = 0;
// Each file's own Idempotency-Key: a file chosen twice is two attachments, a retry of one is one.
const fileKey = () =>
  typeof crypto.randomUUID === "function" ? crypto.randomUUID() : `file-${Date.now()}-${++counter}-${Math.random()}`;

/**
 * "Attach files": each chosen file is sent as soon as it is chosen (announced, uploaded, checked:
 * attachments.ts), and listed with how far it got, or why it was refused, in words. What this page
 * can tell without sending (too large, not a PDF, JPEG or PNG by its type) is refused at once; the
 * API has the last word on what the file really is. The list is a live region, so a screen reader
 * hears each file become ready or be refused.
 */
export function AttachmentsField({
  patientId,
  files,
  onChange,
  error,
}: {
  patientId: string;
  files: ChosenFile[];
  onChange: (update: (files: ChosenFile[]) => ChosenFile[]) => void;
  error?: string;
}) {
  const { t, i18n } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const update = (key: string, change: Partial<ChosenFile>) =>
    onChange((current) => current.map((chosen) => (chosen.key === key ? { ...chosen, ...change } : chosen)));

  function choose(list: FileList | null) {
    const room = MAX_FILES - files.length;
    const picked = Array.from(list ?? []);
    if (input.current) input.current.value = ""; // the same file may be chosen again after a removal
    const taken = picked.slice(0, Math.max(0, room));
    const added: ChosenFile[] = taken.map((file) => {
      const problem = refusedHere(file);
      return { key: fileKey(), file, state: problem ? "refused" : "uploading", ...(problem && { problem }) };
    });
    if (picked.length > taken.length) {
      added.push({
        key: fileKey(),
        file: picked[taken.length]!,
        state: "refused",
        problem: t("messages.files.tooMany", { count: MAX_FILES }),
      });
    }
    onChange((current) => [...current, ...added]);
    for (const chosen of added.filter((file) => file.state === "uploading")) {
      sendAttachment(patientId, chosen.file, chosen.key, (state) => update(chosen.key, { state }))
        .then((attachment) => update(chosen.key, { state: "ready", attachment }))
        .catch((problem: unknown) =>
          update(chosen.key, {
            state: "refused",
            problem:
              problem instanceof Refused || problem instanceof Error ? problem.message : t("errors.unexpected"),
          }),
        );
    }
  }

  return (
    <>
      <Field name="attachment_ids" label={t("messages.files.label")} hint={t("messages.files.hint", { count: MAX_FILES })} error={error}>
        {(control) => (
          <input
            {...control}
            ref={input}
            type="file"
            className="usa-file-input display-block margin-top-1"
            multiple
            accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
            disabled={files.length >= MAX_FILES}
            onChange={(event) => choose(event.target.files)}
          />
        )}
      </Field>
      <ul className="usa-list usa-list--unstyled margin-top-1" aria-live="polite" aria-label={t("messages.files.listLabel")}>
        {files.map((chosen) => (
          <li key={chosen.key} className="margin-bottom-1 border-left-05 padding-left-1 border-base-lighter">
            <span className="text-bold">{chosen.file.name}</span>{" "}
            <span className="text-base-dark">({sizeText(chosen.file.size, i18n.language)})</span>
            {": "}
            {chosen.state === "refused" ? (
              <span className="usa-error-message display-inline">{chosen.problem}</span>
            ) : (
              <span>{t(`messages.files.state.${chosen.state}`)}</span>
            )}{" "}
            <button
              type="button"
              className="usa-button usa-button--unstyled"
              aria-label={t("messages.files.removeNamed", { name: chosen.file.name })}
              onClick={() => onChange((current) => current.filter((file) => file.key !== chosen.key))}
            >
              {t("messages.files.remove")}
            </button>
          </li>
        ))}
      </ul>
    </>
  );
}

/** What a form must say before sending with these files, or null when they are all ready. */
export function filesProblem(files: ChosenFile[], t: (key: "messages.files.stillSending" | "messages.files.removeRefused") => string) {
  if (files.some((file) => file.state === "uploading" || file.state === "checking")) return t("messages.files.stillSending");
  if (files.some((file) => file.state === "refused")) return t("messages.files.removeRefused");
  return null;
}

export const readyIds = (files: ChosenFile[]) =>
  files.flatMap((file) => (file.state === "ready" && file.attachment ? [file.attachment.attachment_id] : []));
