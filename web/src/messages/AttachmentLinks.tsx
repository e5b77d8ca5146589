import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Problem } from "../components/Problem";
import { sizeText } from "./attachments";
import type { Attachment, AttachmentLink } from "./types";

/**
 * Hands the browser a five-minute link to download. The link answers with the file as a download
 * (Content-Disposition: attachment), so following it in this tab saves the file and leaves the
 * page where it is; the link is used at once and kept nowhere.
 */
function download(url: string) {
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.rel = "noopener noreferrer";
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
}

/**
 * A message's files: each a button that asks the API for its short-lived link with the session's
 * token (a plain link cannot carry the token), then downloads it.
 */
export function AttachmentLinks({
  attachments,
  fetchLink,
}: {
  attachments: Attachment[];
  fetchLink: (attachmentId: string) => Promise<AttachmentLink>;
}) {
  const { t, i18n } = useTranslation();
  const open = useMutation({
    mutationFn: async (attachmentId: string) => download((await fetchLink(attachmentId)).url),
  });
  if (attachments.length === 0) return null;
  return (
    <>
      <p className="margin-bottom-05 text-bold">{t("messages.thread.attachments", { count: attachments.length })}</p>
      <ul className="usa-list margin-top-0">
        {attachments.map((attachment) => (
          <li key={attachment.attachment_id}>
            <button
              type="button"
              className="usa-button usa-button--unstyled"
              onClick={() => open.mutate(attachment.attachment_id)}
              disabled={open.isPending && open.variables === attachment.attachment_id}
            >
              {t("messages.thread.download", { name: attachment.file_name })}
            </button>{" "}
            <span className="text-base-dark">({sizeText(attachment.size_bytes, i18n.language)})</span>
          </li>
        ))}
      </ul>
      {open.isError && <Problem message={open.error.message} />}
    </>
  );
}
