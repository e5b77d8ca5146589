import type { ParseKeys } from "i18next";
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useSearchParams } from "react-router";
import type { Schemas } from "../api/client";
import { fetchMe } from "../api/me";
import { Problem } from "../components/Problem";
import { actingFor, ProxyBanner, ViewingAs } from "../proxies/ViewingAs";
import type { ActingFor, Area } from "../proxies/types";
import { useToken } from "../session";

/**
 * The record a page shows: the patient's own, or the one a connected organization holds of them.
 * `to(path)` keeps the choice on the page's own links.
 */
export interface RecordView {
  patientId: string;
  token: string;
  own: boolean;
  organization: string;
  to: (path: string) => string;
  /** The grant the account acts for this patient under (null for its own or a connected record). */
  proxy: ActingFor | null;
  /** Nothing may be changed (a read-only proxy): pages hide their action buttons. */
  readOnly: boolean;
  /**
   * A page's words about the record: `own` as written for the patient ("your visits") on their own
   * or a connected record, `other` with the patient's name ("Emma's visits") while acting for them.
   */
  says: (own: ParseKeys, other: ParseKeys) => string;
}

/** The name a connection shows: the organization's name when the API gives one, else its id. */
export function organizationName(connection: Schemas["ConnectionView"]): string {
  return connection.organization_name ?? connection.organization_id;
}

/** A link to a page of one record: the own record needs no parameter. */
export function recordPath(path: string, patientId: string, ownId: string | undefined): string {
  return patientId === ownId ? path : `${path}?record=${encodeURIComponent(patientId)}`;
}

/**
 * A page about one of the signed-in patient's records: it needs a session and the record's id,
 * which GET /v1/me answers (the own record, and each active connection's). The address names the
 * record by that opaque id only (`?record=`), never by anything about the patient; without it the
 * page shows the patient's own record. An id that is none of theirs is refused here in words,
 * before anything is asked of the API. Without a session the visitor goes to sign in; an account
 * with no record (or one that owes something first) is told so.
 */
export function PatientPage({
  children,
  naming = true,
  area,
}: {
  children: (record: RecordView) => ReactNode;
  /** Say which organization's record the page shows (a page about all of them does not). */
  naming?: boolean;
  /** The part of the record the page shows: a proxy whose grant does not cover it is told so. */
  area?: Area;
}) {
  const token = useToken();
  if (token === null) return <Navigate to="/sign-in" replace />;
  return (
    <WithPatient token={token} naming={naming} area={area}>
      {children}
    </WithPatient>
  );
}

function WithPatient({
  token,
  naming,
  area,
  children,
}: {
  token: string;
  naming: boolean;
  area?: Area;
  children: (record: RecordView) => ReactNode;
}) {
  const { t } = useTranslation();
  const [search] = useSearchParams();
  const me = useQuery({ queryKey: ["me", token], queryFn: fetchMe });
  if (me.isPending) return <p>{t("app.loading")}</p>;
  if (me.isError) return <Problem message={me.error.message} />;
  if (me.data.account.must !== null) return <Problem message={t("records.mustFirst")} />;
  const own = me.data.patient;
  const grants = actingFor(me.data);
  // An account with no record of its own opens the first record it acts for.
  const chosen = search.get("record") ?? own?.patient_id ?? grants[0]?.patient_id;
  if (chosen === undefined) return <Problem message={t("records.noRecord")} />;
  const active = me.data.connections.filter((c) => c.status === "active" && c.patient_id !== null);
  const connection = active.find((c) => c.patient_id === chosen);
  const proxy = chosen === own?.patient_id || connection ? null : (grants.find((g) => g.patient_id === chosen) ?? null);
  if (chosen !== own?.patient_id && connection === undefined && proxy === null) {
    return (
      <>
        <Problem message={t("records.picker.unknown")} />
        <p>
          <Link to="/connections">{t("records.picker.choose")}</Link>
        </p>
      </>
    );
  }
  const organization = connection
    ? organizationName(connection)
    : proxy
      ? (proxy.organization_name ?? proxy.organization_id)
      : me.data.account.organization_id;
  const record: RecordView = {
    patientId: chosen,
    token,
    own: chosen === own?.patient_id,
    organization,
    to: (path) => recordPath(path, chosen, own?.patient_id),
    proxy,
    readOnly: proxy?.access === "read_only",
    says: (ownText, otherText) => (proxy ? t(otherText, { name: proxy.name }) : t(ownText)),
  };
  const switcher = grants.length > 0 && (
    <ViewingAs chosen={chosen} ownId={own?.patient_id} grants={grants} />
  );
  if (proxy && area && !(proxy.areas as string[]).includes(area)) {
    return (
      <>
        {switcher}
        <ProxyBanner proxy={proxy} />
        <h1>{t("proxies.viewing.notCoveredTitle")}</h1>
        <p>{t("proxies.viewing.notCovered", { area: t(`proxies.areaName.${area}`) })}</p>
      </>
    );
  }
  return (
    <>
      {switcher}
      {proxy && <ProxyBanner proxy={proxy} />}
      {naming && active.length > 1 && (
        <p className="usa-hint">
          {t("records.picker.showing", { organization })} <Link to="/connections">{t("records.picker.change")}</Link>
        </p>
      )}
      {children(record)}
    </>
  );
}
