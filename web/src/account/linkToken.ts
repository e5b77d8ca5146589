import { useEffect, useState } from "react";

function fromAddress(name: string): string {
  return new URLSearchParams(window.location.search).get(name) ?? "";
}

/**
 * The secret of an emailed link (?token=, ?challenge=), read once. It leaves the address bar and
 * the history entry at once, where it would stay for anyone who uses the browser later (and be
 * sent on in a Referer), and lives in the page's state only.
 */
export function useLinkToken(name: string): string {
  const [token] = useState(() => fromAddress(name));
  useEffect(() => {
    if (window.location.search) window.history.replaceState(window.history.state, "", window.location.pathname);
  }, []);
  return token;
}
