import { useQueryClient } from "@tanstack/react-query";
import { useLocation, useNavigate } from "react-router";
import type { Schemas } from "../api/client";
import { pendingInvitationPage } from "../proxies/pendingInvitation";
import { setToken } from "../session";
import { noteApiCall } from "./activity";
import { safeReturnPath } from "./returnPath";

type Must = Schemas["OpenedSession"]["must"];

/** Where a session that owes something must go first; null when it owes nothing. */
export function mustPath(must: Must): string | null {
  if (must === "terms") return "/account/terms";
  if (must === "second_factor_setup") return "/account/authenticator";
  return null;
}

/** Keep an opened session's token and go where it must go first (or home). */
export function useSignedIn() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  // (the page that sent the visitor to sign in, when it named one: account/returnPath.ts)
  const back = safeReturnPath(new URLSearchParams(useLocation().search).get("next"));
  return async (session: Schemas["OpenedSession"]) => {
    queryClient.clear(); // nothing cached for an earlier session is shown to this one
    setToken(session.token);
    noteApiCall(); // the sign-in itself started the idle clock
    // (an invitation the visitor opened before signing in is finished first)
    await navigate(mustPath(session.must) ?? pendingInvitationPage() ?? back ?? "/");
  };
}
