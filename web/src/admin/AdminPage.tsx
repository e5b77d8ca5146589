import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Navigate } from "react-router";
import type { Schemas } from "../api/client";
import { fetchMe } from "../api/me";
import { Problem } from "../components/Problem";
import { useToken } from "../session";

/**
 * A page of the organization's settings: it needs a session of an admin. Without a session the
 * visitor goes to sign in; another role (or a session that owes something first) is told so in
 * words. The API refuses such calls anyway (403); this only spares the admin a page of refusals.
 */
export function AdminPage({ children }: { children: (token: string, me: Schemas["Me"]) => ReactNode }) {
  const token = useToken();
  if (token === null) return <Navigate to="/sign-in" replace />;
  return <WithAdmin token={token}>{children}</WithAdmin>;
}

function WithAdmin({
  token,
  children,
}: {
  token: string;
  children: (token: string, me: Schemas["Me"]) => ReactNode;
}) {
  const { t } = useTranslation();
  const me = useQuery({ queryKey: ["me", token], queryFn: fetchMe });
  if (me.isPending) return <p>{t("app.loading")}</p>;
  if (me.isError) return <Problem message={me.error.message} />;
  if (me.data.account.must !== null) return <Problem message={t("admin.mustFirst")} />;
  if (me.data.account.role !== "admin") return <Problem message={t("admin.adminsOnly")} />;
  return <>{children(token, me.data)}</>;
}
