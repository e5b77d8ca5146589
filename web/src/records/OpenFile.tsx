import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../api/client";
import { Problem } from "../components/Problem";

/**
 * Where a file's link goes once the API has answered it. The page itself goes there (the file
 * opens in this tab, or downloads): a new tab opened after the API's answer would be taken for a
 * pop-up and blocked, since the click that asked for it is over by then. Tests replace `open`.
 */
export const fileWindow = {
  open(url: string): void {
    window.location.assign(url);
  },
};

/**
 * "Open": asks the API for a five-minute link with the session's token (a plain link to the API
 * cannot carry the token, and its redirect cannot be followed by fetch), then opens it. The link
 * is used at once and kept nowhere.
 */
export function OpenFile({
  label,
  fetchLink,
}: {
  label: string;
  fetchLink: () => Promise<Schemas["FileLinkView"]>;
}) {
  const { t } = useTranslation();
  const open = useMutation({
    mutationFn: fetchLink,
    onSuccess: (link) => fileWindow.open(link.url),
  });
  return (
    <>
      <button
        type="button"
        className="usa-button usa-button--outline usa-button--small margin-top-1"
        aria-label={label}
        onClick={() => open.mutate()}
        disabled={open.isPending}
      >
        {open.isPending ? t("records.file.opening") : t("records.file.open")}
      </button>
      {open.isError && <Problem message={open.error.message} />}
    </>
  );
}
