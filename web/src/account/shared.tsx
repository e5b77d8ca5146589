import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Navigate } from "react-router";
import { fetchMe } from "../api/me";
import { Problem } from "../components/Problem";
import { useToken } from "../session";
import type { Schemas } from "../api/client";

/** The cached GET /v1/me of this session (shared with the header and the home page). */
export function useMe(token: string) {
  return useQuery({ queryKey: ["me", token], queryFn: fetchMe });
}

/** A page of a signed-in account: the sign-in page without a session; words while /v1/me loads. */
export function WithMe({ children }: { children: (me: Schemas["Me"], token: string) => ReactNode }) {
  const token = useToken();
  if (token === null) return <Navigate to="/sign-in" replace />;
  return <MeLoaded token={token}>{children}</MeLoaded>;
}

function MeLoaded({ token, children }: { token: string; children: (me: Schemas["Me"], token: string) => ReactNode }) {
  const { t } = useTranslation();
  const me = useMe(token);
  if (me.isPending) return <p>{t("app.loading")}</p>;
  if (me.isError) return <Problem message={me.error.message} />;
  return <>{children(me.data, token)}</>;
}

// (the portal's one way of saying dates; the account pages import it from here too)
