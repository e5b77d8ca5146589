import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Navigate } from "react-router";
import { fetchMe } from "../api/me";
import { Problem } from "../components/Problem";
import { useToken } from "../session";

/**
 * A page for clinic staff (and admins, who are staff of their organization too). Without a session
 * the visitor goes to sign in; a patient's account, or a session that owes something first (terms,
 * a second factor), is told so in words instead of meeting the API's refusals one call at a time.
 */
export function StaffPage({ children }: { children: (token: string) => ReactNode }) {
  const token = useToken();
  if (token === null) return <Navigate to="/sign-in" replace />;
  return <WithStaff token={token}>{children}</WithStaff>;
}

function WithStaff({ token, children }: { token: string; children: (token: string) => ReactNode }) {
  const { t } = useTranslation();
  const me = useQuery({ queryKey: ["me", token], queryFn: fetchMe });
  if (me.isPending) return <p>{t("app.loading")}</p>;
  if (me.isError) return <Problem message={me.error.message} />;
  if (me.data.account.must !== null) return <Problem message={t("staff.mustFirst")} />;
  if (me.data.account.role === "patient") return <Problem message={t("staff.notStaff")} />;
  return <>{children(token)}</>;
}
