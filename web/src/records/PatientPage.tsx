import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Navigate } from "react-router";
import { fetchMe } from "../api/me";
import { Problem } from "../components/Problem";
import { useToken } from "../session";

/**
 * A page about the signed-in patient's own record: it needs a session and the patient id that
 * GET /v1/me answers. Without a session the visitor goes to sign in; an account with no record of
 * its own (or one that owes something first) is told so in words.
 */
export function PatientPage({ children }: { children: (patientId: string, token: string) => ReactNode }) {
  const token = useToken();
  if (token === null) return <Navigate to="/sign-in" replace />;
  return <WithPatient token={token}>{children}</WithPatient>;
}

function WithPatient({ token, children }: { token: string; children: (patientId: string, token: string) => ReactNode }) {
  const { t } = useTranslation();
  const me = useQuery({ queryKey: ["me", token], queryFn: fetchMe });
  if (me.isPending) return <p>{t("app.loading")}</p>;
  if (me.isError) return <Problem message={me.error.message} />;
  if (me.data.account.must !== null) return <Problem message={t("records.mustFirst")} />;
  if (me.data.patient === null) return <Problem message={t("records.noRecord")} />;
  return <>{children(me.data.patient.patient_id, token)}</>;
}
