import { useTranslation } from "react-i18next";
import { Fact, Facts } from "../components/Facts";
import { type Appointment, clockTime, visitTime } from "./format";

/** A visit's title: what it is for, else its type or service, else a plain word. */
export function visitTitle(appointment: Appointment, untitled: string): string {
  return appointment.description || appointment.type || appointment.services?.[0] || untitled;
}

/** When (on the clinic's clock, its zone named), where, with whom, what kind, in person or video. */
export function VisitFacts({ appointment }: { appointment: Appointment }) {
  const { t, i18n } = useTranslation();
  const zone = appointment.time_zone;
  const start = appointment.starts_at ?? "";
  const end = appointment.ends_at ?? "";
  const startText = start ? visitTime(start, zone, i18n.language) : t("appointments.noTime");
  return (
    <Facts>
      <Fact term={t("appointments.when")}>
        {start && end
          ? t("appointments.until", {
              start: startText,
              end: end.slice(0, 10) === start.slice(0, 10) ? clockTime(end, zone, i18n.language) : visitTime(end, zone, i18n.language),
            })
          : startText}
        {appointment.minutes ? <> ({t("appointments.minutes", { count: appointment.minutes })})</> : null}
      </Fact>
      <Fact term={t("appointments.place")}>
        {appointment.places?.length ? appointment.places.map((place, index) => <div key={index}>{place}</div>) : t("appointments.notStated")}
      </Fact>
      <Fact term={t("appointments.clinician")}>
        {appointment.clinicians?.length ? appointment.clinicians.join(", ") : t("appointments.notStated")}
      </Fact>
      <Fact term={t("appointments.type")}>{appointment.type || t("appointments.notStated")}</Fact>
      {appointment.mode && <Fact term={t("appointments.visitLabel")}>{t(`appointments.mode.${appointment.mode}`)}</Fact>}
      {appointment.instructions && (
        <Fact term={t("appointments.instructions")}>
          <span style={{ whiteSpace: "pre-wrap" }}>{appointment.instructions}</span>
        </Fact>
      )}
    </Facts>
  );
}
