import i18next from "i18next";
import { api } from "../api/client";
import { isErrorBody, sentence } from "../api/errors";
import type { Attachment, AttachmentUpload } from "./types";

/** What the API takes (docs/api.md, "Attachments"): at most 10 MB, a PDF, JPEG or PNG; five to a message. */
export const MAX_BYTES = 10 * 1024 * 1024;
export const MAX_FILES = 5;
export const ACCEPTED_TYPES = ["application/pdf", "image/jpeg", "image/png"] as const;
type Accepted = (typeof ACCEPTED_TYPES)[number];

export type FileState = "uploading" | "checking" | "ready" | "refused";

/** One file the person chose, and how far it has got: announced, sent, checked by the API. */
export interface ChosenFile {
  key: string;
  file: File;
  state: FileState;
  /** The API's refusal (or this page's, before sending), in plain words. */
  problem?: string;
  attachment?: Attachment;
}

/** A refusal in the API's own words: the issue of the detail that names a field, else its message. */
function refusal(error: unknown): string {
  if (!isErrorBody(error)) return i18next.t("errors.unexpected");
  const issue = error.error.details.find((detail) => detail.issue)?.issue;
  return sentence(issue ?? error.error.message);
}

/** What this page refuses before sending anything: the API would refuse it too. */
export function refusedHere(file: File): string | null {
  if (file.size > MAX_BYTES) return i18next.t("messages.files.tooLarge");
  if (file.size === 0) return i18next.t("messages.files.empty");
  if (!(ACCEPTED_TYPES as readonly string[]).includes(file.type)) return i18next.t("messages.files.wrongType");
  return null;
}

/** The file's size in words ("2.4 MB", "830 KB"). */
export function sizeText(bytes: number, language: string): string {
  const number = (value: number) => new Intl.NumberFormat(language, { maximumFractionDigits: 1 }).format(value);
  if (bytes >= 1024 * 1024) return i18next.t("messages.files.megabytes", { size: number(bytes / (1024 * 1024)) });
  return i18next.t("messages.files.kilobytes", { size: number(Math.max(1, Math.round(bytes / 1024))) });
}

/** The API (or storage) refused the file: its words, and the answer's status. */
export class Refused extends Error {
  constructor(
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

/**
 * The three steps of an attachment: the API is told of the file and answers a short-lived upload
 * form (POST .../attachments); the file goes straight to storage with that form (its fields first,
 * then the file, as the storage's POST form requires); then the API reads what arrived and says
 * whether it is a PDF, JPEG or PNG within the limit (POST .../check). `onState` says each step.
 * A refusal throws Refused with the API's words; a network failure throws with plain words.
 */
export async function sendAttachment(
  patientId: string,
  file: File,
  idempotencyKey: string,
  onState: (state: FileState) => void,
): Promise<Attachment> {
  return sendFile(
    file,
    async () => {
      const announced: AttachmentUpload = await call(() =>
        api.POST("/v1/patients/{patient_id}/attachments", {
          params: { path: { patient_id: patientId }, header: { "Idempotency-Key": idempotencyKey } },
          body: { file_name: file.name, content_type: file.type as Accepted, size_bytes: file.size },
        }),
      );
      return { id: announced.attachment_id, upload: announced.upload };
    },
    (attachmentId) =>
      call(() =>
        api.POST("/v1/patients/{patient_id}/attachments/{attachment_id}/check", {
          params: { path: { patient_id: patientId, attachment_id: attachmentId } },
        }),
      ),
    onState,
  );
}

/**
 * The same three steps for any file the API takes this way (a message's attachment, a proxy
 * request's legal document): `announce` tells the API and answers the upload form, `check` asks
 * the API to read what arrived. Both throw as `call` does.
 */
export async function sendFile<T>(
  file: File,
  announce: () => Promise<{ id: string; upload: { url: string; fields: Record<string, string> } }>,
  check: (id: string) => Promise<T>,
  onState: (state: FileState) => void,
): Promise<T> {
  onState("uploading");
  const upload = await announce();
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.upload.fields)) form.append(name, value);
  form.append("file", file, file.name);
  let stored: Response | null;
  try {
    stored = await globalThis.fetch(new Request(upload.upload.url, { method: "POST", body: form }));
  } catch {
    // Either the network failed or storage's answer is one the browser keeps from the page (a
    // bucket without CORS headers still stores a form's file): the check below tells which.
    stored = null;
  }
  // Storage refuses a file outside the form's conditions (size, type) itself; the check would say
  // so too, but these words are plainer.
  if (stored && stored.status >= 400 && stored.status < 500) throw new Refused(i18next.t("messages.files.storageRefused"));
  if (stored && !stored.ok) throw new Error(i18next.t("messages.files.uploadFailed"));
  onState("checking");
  try {
    return await check(upload.id);
  } catch (problem) {
    // (the API's "not uploaded yet" after a failed upload: the upload's failure is what to say)
    if (stored === null && problem instanceof Refused && problem.status === 409) {
      throw new Error(i18next.t("messages.files.uploadFailed"));
    }
    throw problem;
  }
}

/** A call's data, or Refused with the API's words (4xx), or an Error in plain words. */
export async function call<T>(request: () => Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: T; error?: unknown; response: Response };
  try {
    result = await request();
  } catch {
    throw new Error(i18next.t("errors.network"));
  }
  if (result.data !== undefined) return result.data;
  const status = result.response.status;
  if (status >= 400 && status < 500) throw new Refused(refusal(result.error), status);
  throw new Error(isErrorBody(result.error) ? result.error.error.message : i18next.t("errors.unexpected"));
}
