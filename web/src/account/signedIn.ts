import { useQueryClient } from "@tanstack/react-query";
import { useLocation, useNavigate } from "react-router";
import type { Schemas } from "../api/client";
import { pendingInvitationPage } from "../proxies/pendingInvitation";
import { setToken } from "../session";
import { noteApiCall } from "./activity";
import { safeReturnPath } from "./returnPath";

type Must = Schemas["OpenedSession"]["must"];

/**
 * Where a session that owes something must go first; null when it owes nothing. `back`, the page
 * that sent the visitor to sign in (an app's request), rides along as `?next=` so that the page
 * settling what is owed can take the visitor there afterwards.
 */
export function mustPath(must: Must, back: string | null = null): string | null {
  const path = must === "terms" ? "/account/terms" : must === "second_factor_setup" ? "/account/authenticator" : null;
  return path && back ? `${path}?next=${encodeURIComponent(back)}` : path;
}

/** The page to come back to that the current address names (`?next=`), if it is this portal's. */
export function useReturnPath(): string | null {
  return safeReturnPath(new URLSearchParams(useLocation().search).get("next"));
}

/** Keep an opened session's token and go where it must go first (or home). */
export function useSignedIn() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // (the page that sent the visitor to sign in, when it named one: account/returnPath.ts)
  const back = useReturnPath();
  return async (session: Schemas["OpenedSession"]) => {
    queryClient.clear(); // nothing cached for an earlier session is shown to this one
    setToken(session.token);
    noteApiCall(); // the sign-in itself started the idle clock
    // (an invitation the visitor opened before signing in is finished first)
    await navigate(mustPath(session.must, back) ?? pendingInvitationPage() ?? back ?? "/");
  };
}
