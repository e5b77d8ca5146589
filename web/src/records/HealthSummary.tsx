import { useQuery } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { whenText } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "./PatientPage";
import { VitalSignsHistory } from "./VitalSigns";

export const sections = [
  "allergies",
  "conditions",
  "medications",
  "immunizations",
  "visits",
  "appointments",
  "vital_signs",
] as const;
type Section = (typeof sections)[number];
type Entry =
  | Schemas["Allergy"]
  | Schemas["Condition"]
  | Schemas["Medication"]
  | Schemas["Immunization"]
  | Schemas["Visit"]
  | Schemas["Appointment"]
  | Schemas["VitalSign"];
type Field = [label: string, value: string];
const PAGE_SIZE = 20;

function isSection(value: string): value is Section {
  return (sections as readonly string[]).includes(value);
}

/** The health summary, one section (a sub-page) at a time: allergies first. */
export function HealthSummary() {
  const { t } = useTranslation();
  // (the title names the page, never what is in it)
  usePageTitle(t("records.healthSummary.title"));
  const { section = "allergies" } = useParams();
  return (
    <PatientPage area="health_summary">
      {(record) =>
        isSection(section) ? (
          <SectionPage record={record} section={section} key={section} />
        ) : (
          <Problem message={t("records.healthSummary.unknownSection")} />
        )
      }
    </PatientPage>
  );
}

function SectionPage({ record, section }: { record: RecordView; section: Section }) {
  const { t } = useTranslation();
  return (
    <>
      <h1>{t("records.healthSummary.title")}</h1>
      <nav aria-label={t("records.healthSummary.sections")} className="margin-bottom-3">
        <ul className="usa-button-group">
          {sections.map((name) => (
            <li key={name} className="usa-button-group__item">
              <Link
                to={record.to(`/health-summary/${name}`)}
                className={`usa-button${name === section ? "" : " usa-button--outline"}`}
                aria-current={name === section ? "page" : undefined}
              >
                {t(`records.healthSummary.section.${name}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <h2>{t(`records.healthSummary.section.${section}`)}</h2>
      {section === "appointments" ? (
        <Appointments record={record} />
      ) : section === "vital_signs" ? (
        <>
          <VitalSignsHistory record={record} />
          <Entries record={record} section={section} />
        </>
      ) : (
        <Entries record={record} section={section} />
      )}
    </>
  );
}

function Appointments({ record }: { record: RecordView }) {
  const { t } = useTranslation();
  const [when, setWhen] = useState<"upcoming" | "past">("upcoming");
  return (
    <>
      <fieldset className="usa-fieldset margin-bottom-2">
        <legend className="usa-legend">{t("records.healthSummary.show")}</legend>
        {(["upcoming", "past"] as const).map((value) => (
          <div key={value} className="usa-radio display-inline-block margin-right-3">
            <input
              className="usa-radio__input"
              id={`appointments-${value}`}
              type="radio"
              name="appointments-when"
              value={value}
              checked={when === value}
              onChange={() => setWhen(value)}
            />
            <label className="usa-radio__label" htmlFor={`appointments-${value}`}>
              {t(value === "upcoming" ? "records.healthSummary.upcomingAppointments" : "records.healthSummary.pastAppointments")}
            </label>
          </div>
        ))}
      </fieldset>
      <Entries record={record} section="appointments" when={when} key={when} />
    </>
  );
}

function Entries({ record: { patientId, token }, section, when }: { record: RecordView; section: Section; when?: "upcoming" | "past" }) {
  const { t, i18n } = useTranslation();
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const entries = useQuery({
    queryKey: ["health-summary", token, patientId, section, when ?? "", cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/patients/{patient_id}/health-summary/{section}", {
          params: {
            path: { patient_id: patientId, section },
            query: { limit: PAGE_SIZE, ...(cursor && { cursor }), ...(when && { when }) },
          },
        }),
      ),
  });
  if (entries.isPending) return <p>{t("app.loading")}</p>;
  if (entries.isError) return <Problem message={entries.error.message} />;
  const list = (entries.data as Record<string, Entry[] | string | null>)[section] as Entry[];
  const none =
    section === "appointments"
      ? t(when === "past" ? "records.healthSummary.noPast" : "records.healthSummary.noUpcoming")
      : t(`records.healthSummary.none.${section}`);
  return (
    <>
      {list.length === 0 ? (
        <p>{none}</p>
      ) : (
        <ul className="usa-list usa-list--unstyled">
          {list.map((entry) => {
            const { title, fields } = describe(section, entry, t, i18n.language);
            return (
              <li key={entry.id} className="margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-1">
                <h3 className="margin-bottom-05">{title}</h3>
                {fields.length > 0 && (
                  <dl className="margin-top-0">
                    {fields.map(([label, value]) => (
                      <div key={label} className="display-flex flex-wrap">
                        <dt className="text-bold margin-right-1">{label}:</dt>
                        <dd className="margin-left-0">{value}</dd>
                      </div>
                    ))}
                  </dl>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <Pager
        page={page}
        nextCursor={entries.data.next_cursor}
        onPrevious={() => setCursors(cursors.slice(0, -1))}
        onNext={(next) => setCursors([...cursors, next])}
      />
    </>
  );
}

/** An entry's name and the fields the sender gave, in words; what was not given is left out. */
function describe(section: Section, entry: Entry, t: TFunction, language: string): { title: string; fields: Field[] } {
  const f = (key: Parameters<typeof fieldLabel>[1]) => fieldLabel(t, key);
  const date = (value: string) => whenText(value, language) ?? "";
  const fields: [string, string | string[] | number | boolean | undefined][] = [];
  let title = "";
  switch (section) {
    case "allergies": {
      const a = entry as Schemas["Allergy"];
      title = a.substance?.display || a.substance?.code || "";
      const reactions = (a.reactions ?? []).map((reaction) =>
        reaction.severity
          ? t("records.healthSummary.reaction", {
              manifestations: (reaction.manifestations ?? []).join(", "),
              severity: reaction.severity,
            })
          : (reaction.manifestations ?? []).join(", "),
      );
      fields.push(
        [f("clinicalStatus"), a.clinical_status],
        [f("criticality"), a.criticality],
        [f("reactions"), reactions],
        [f("categories"), a.categories],
        [f("onset"), date(a.onset ?? "")],
        [f("recorded"), date(a.recorded_at ?? "")],
        [f("notes"), a.notes],
      );
      break;
    }
    case "conditions": {
      const c = entry as Schemas["Condition"];
      title = c.condition?.display || c.condition?.code || "";
      fields.push(
        [f("clinicalStatus"), c.clinical_status],
        [f("severity"), c.severity],
        [f("onset"), date(c.onset ?? "")],
        [f("abated"), date(c.abated ?? "")],
        [f("recorded"), date(c.recorded_at ?? "")],
        [f("notes"), c.notes],
      );
      break;
    }
    case "medications": {
      const m = entry as Schemas["Medication"];
      title = m.medication?.display || m.medication?.code || "";
      fields.push(
        [f("status"), m.status],
        [f("dosage"), m.dosage],
        [f("reasons"), m.reasons],
        [f("prescriber"), m.prescriber],
        [f("prescribed"), date(m.authored_on ?? "")],
        [f("refills"), m.refills_allowed ? String(m.refills_allowed) : undefined],
        [f("reportedByYou"), m.reported_by_patient ? t("records.healthSummary.yes") : undefined],
        [f("notes"), m.notes],
      );
      break;
    }
    case "immunizations": {
      const i = entry as Schemas["Immunization"];
      title = i.vaccine?.display || i.vaccine?.code || "";
      fields.push(
        [f("given"), date(i.occurred_at ?? "")],
        [f("status"), i.status],
        [f("performers"), i.performers],
        [f("location"), i.location],
        [f("site"), i.site],
        [f("route"), i.route],
        [f("lot"), i.lot_number],
        [f("notes"), i.notes],
      );
      break;
    }
    case "visits": {
      const v = entry as Schemas["Visit"];
      title = [v.class, ...(v.types ?? [])].filter(Boolean).join(" · ");
      fields.push(
        [f("started"), date(v.started_at ?? "")],
        [f("ended"), date(v.ended_at ?? "")],
        [f("status"), v.status],
        [f("locations"), v.locations],
        [f("provider"), v.provider],
        [f("clinicians"), v.clinicians],
        [f("reasons"), v.reasons],
        [f("discharge"), v.discharge_disposition],
      );
      break;
    }
    case "appointments": {
      const p = entry as Schemas["Appointment"];
      title = p.description || p.type || (p.services ?? []).join(", ") || date(p.starts_at ?? "");
      fields.push(
        [f("starts"), date(p.starts_at ?? "")],
        [f("minutes"), p.minutes ? t("records.healthSummary.minutes", { count: p.minutes }) : undefined],
        [f("status"), p.status],
        [f("services"), p.services],
        [f("specialties"), p.specialties],
        [f("with"), p.with],
        [f("locations"), p.locations],
        [f("instructions"), p.instructions],
      );
      break;
    }
    case "vital_signs": {
      const v = entry as Schemas["VitalSign"];
      title = v.code?.display || v.code?.code || "";
      fields.push(
        [f("reading"), v.value ? `${v.value}${v.units ? ` ${v.units}` : ""}` : undefined],
        [f("measured"), date(v.observed_at ?? "")],
        [f("normalRange"), v.reference_range],
        [f("flags"), v.flags],
        [f("status"), v.status === "final" ? undefined : v.status],
        [f("measuredBy"), v.performer],
        [f("notes"), v.notes],
      );
      break;
    }
  }
  const shown: Field[] = fields
    .map(([label, value]): Field => [label, Array.isArray(value) ? value.filter(Boolean).join("; ") : String(value ?? "")])
    .filter(([, value]) => value !== "");
  return { title: title || t("records.healthSummary.unnamed"), fields: shown };
}

type FieldKey = keyof typeof import("../locales/en.json")["records"]["healthSummary"]["field"];

function fieldLabel(t: TFunction, key: FieldKey): string {
  return t(`records.healthSummary.field.${key}`);
}
