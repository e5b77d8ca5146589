import { useMutation } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import type { Schemas } from "../api/client";
import { Problem } from "../components/Problem";

// The window is opened in the click itself: one opened after the API's answer would be taken for
// a pop-up and blocked, since the click that asked for it is over by then.
function blankWindow(): Window | null {
  const opened = window.open("", "_blank");
  // As with rel="noopener": the file's page gets no handle on the portal's tab.
  if (opened) opened.opener = null;
  return opened;
}

/**
 * "Open": asks the API for a five-minute link with the session's token (a plain link to the API
 * cannot carry the token, and its redirect cannot be followed by fetch), then opens it in a new
 * window. Not in this tab: the app would unload, and the link (which works without the token)
 * would stay in the tab's history. The link is used at once and kept nowhere.
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
    mutationFn: async (target: Window | null) => {
      try {
        if (target === null) throw new Error(t("records.file.blocked"));
        const link = await fetchLink();
        target.location.href = link.url;
      } catch (error) {
        target?.close(); // a blank window left open says nothing about what went wrong
        throw error;
      }
    },
  });
  return (
    <>
      <button
        type="button"
        className="usa-button usa-button--outline usa-button--small margin-top-1"
        aria-label={label}
        onClick={() => open.mutate(blankWindow())}
        disabled={open.isPending}
      >
        {open.isPending ? t("records.file.opening") : t("records.file.open")}
      </button>
      {open.isError && <Problem message={open.error.message} />}
    </>
  );
}
