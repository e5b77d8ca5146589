import type { TFunction } from "i18next";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { whenText } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";
import { patientName } from "./format";
import { fetchStaffPatient, staffPatientKey } from "./queries";

const sections = ["allergies", "conditions", "medications", "immunizations", "visits", "appointments"] as const;
type Section = (typeof sections)[number];
type Entry = { id: string; title: string; details: string[] };
const PAGE_SIZE = 20;

/**
 * A patient's health summary as the patient sees it, one section at a time
 * (GET /v1/staff/patients/{id}/health-summary/{section}): to help them on the phone.
 */
export function HealthSummary() {
  const { t } = useTranslation();
  usePageTitle(t("staff.summary.title"));
  const { patientId = "" } = useParams();
  return <StaffPage>{(token) => <SummaryView key={patientId} token={token} patientId={patientId} />}</StaffPage>;
}

function SummaryView({ token, patientId }: { token: string; patientId: string }) {
  const { t, i18n } = useTranslation();
  const [section, setSection] = useState<Section>("allergies");
  const [when, setWhen] = useState<"upcoming" | "past">("upcoming");
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const patient = useQuery({
    queryKey: staffPatientKey(token, patientId),
    queryFn: () => fetchStaffPatient(patientId),
  });
  const listed = useQuery({
    queryKey: ["staff-summary", token, patientId, section, when, cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/staff/patients/{patient_id}/health-summary/{section}", {
          params: {
            path: { patient_id: patientId, section },
            query: { limit: PAGE_SIZE, ...(cursor && { cursor }), ...(section === "appointments" && { when }) },
          },
        }),
      ),
  });
  const day = (value: string) => whenText(value || null, i18n.language);
  const entries = listed.data ? entriesOf(listed.data, t, day) : [];

  return (
    <>
      <h1>{t("staff.summary.title")}</h1>
      {patient.data && <p className="font-sans-lg">{t("staff.results.of", { name: patientName(patient.data.patient) })}</p>}
      <p>
        <Link to={`/staff/patients/${encodeURIComponent(patientId)}`}>{t("staff.results.back")}</Link>
      </p>
      <div className="usa-form-group">
        <label className="usa-label" htmlFor="summary-section">
          {t("staff.summary.section")}
        </label>
        <select
          className="usa-select"
          id="summary-section"
          value={section}
          onChange={(event) => {
            setSection(event.target.value as Section);
            setCursors([]);
          }}
        >
          {sections.map((value) => (
            <option key={value} value={value}>
              {t(`staff.summary.sections.${value}`)}
            </option>
          ))}
        </select>
      </div>
      {section === "appointments" && (
        <div className="usa-form-group">
          <label className="usa-label" htmlFor="summary-when">
            {t("staff.summary.when")}
          </label>
          <select
            className="usa-select"
            id="summary-when"
            value={when}
            onChange={(event) => {
              setWhen(event.target.value as "upcoming" | "past");
              setCursors([]);
            }}
          >
            <option value="upcoming">{t("staff.summary.upcoming")}</option>
            <option value="past">{t("staff.summary.past")}</option>
          </select>
        </div>
      )}
      {listed.isPending && <p>{t("app.loading")}</p>}
      {listed.isError && <Problem message={listed.error.message} />}
      {listed.data && (
        <>
          {entries.length === 0 ? (
            <p>{t("staff.summary.none")}</p>
          ) : (
            <ul className="usa-list usa-list--unstyled margin-top-2">
              {entries.map((entry) => (
                <li key={entry.id} className="margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-1">
                  <strong>{entry.title}</strong>
                  {entry.details.length > 0 && (
                    <>
                      <br />
                      <span className="text-base">{entry.details.join(" · ")}</span>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
          <Pager
            page={page}
            nextCursor={listed.data.next_cursor}
            onPrevious={() => setCursors(cursors.slice(0, -1))}
            onNext={(next) => setCursors([...cursors, next])}
          />
        </>
      )}
    </>
  );
}

type T = TFunction;

/** Each entry's name and what the sender told of it, whatever the section. */
function entriesOf(page: Schemas["HealthSummarySection"], t: T, day: (value: string) => string | null): Entry[] {
  const present = (...values: (string | null | undefined)[]) => values.filter((value): value is string => !!value);
  const named = (concept: Schemas["Concept"]) => concept.display || concept.code || t("staff.summary.unnamed");
  if ("allergies" in page)
    return page.allergies.map((a) => ({
      id: a.id,
      title: named(a.substance ?? {}),
      details: present(
        a.criticality && t("staff.summary.criticality", { value: a.criticality }),
        a.clinical_status,
        ...(a.reactions ?? []).flatMap((reaction) => reaction.manifestations ?? []),
      ),
    }));
  if ("conditions" in page)
    return page.conditions.map((c) => ({
      id: c.id,
      title: named(c.condition ?? {}),
      details: present(c.clinical_status, c.onset && t("staff.summary.since", { when: day(c.onset) })),
    }));
  if ("medications" in page)
    return page.medications.map((m) => ({
      id: m.id,
      title: named(m.medication ?? {}),
      details: present(m.status, ...(m.dosage ?? []), m.prescriber),
    }));
  if ("immunizations" in page)
    return page.immunizations.map((i) => ({
      id: i.id,
      title: named(i.vaccine ?? {}),
      details: present(i.occurred_at && day(i.occurred_at), i.status),
    }));
  if ("visits" in page)
    return page.visits.map((v) => ({
      id: v.id,
      title: v.class || (v.types ?? [])[0] || t("staff.summary.visit"),
      details: present(v.started_at && day(v.started_at), ...(v.locations ?? []), v.provider),
    }));
  if ("vital_signs" in page)
    return page.vital_signs.map((r) => ({
      id: r.id,
      title: named(r.code ?? {}),
      details: present(r.value && `${r.value}${r.units ? ` ${r.units}` : ""}`, r.observed_at && day(r.observed_at)),
    }));
  return page.appointments.map((a) => ({
    id: a.id,
    title: (a.starts_at && day(a.starts_at)) || t("staff.summary.appointment"),
    details: present(a.description || a.type, ...(a.with ?? []), ...(a.locations ?? []), a.status),
  }));
}
