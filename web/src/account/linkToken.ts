import { useEffect, useState } from "react";

function fromAddress(name: string): string {
  // (a fragment, #code=, is never sent to a server: the links that can carry theirs there do)
  const fragment = new URLSearchParams(window.location.hash.slice(1)).get(name);
  return fragment ?? new URLSearchParams(window.location.search).get(name) ?? "";
}

/**
 * The secret of an emailed link (?token=, ?challenge=), read once. It leaves the address bar and
 * the history entry at once, where it would stay for anyone who uses the browser later (and be
 * sent on in a Referer), and lives in the page's state only.
 */
export function useLinkToken(name: string): string {
  const [token] = useState(() => fromAddress(name));
  useEffect(() => {
    if (window.location.search || window.location.hash) window.history.replaceState(window.history.state, "", window.location.pathname);
  }, []);
  return token;
}
