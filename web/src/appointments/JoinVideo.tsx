import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import { formErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import type { RecordView } from "../records/PatientPage";
import { flatFields } from "./errors";
import { type Appointment, visitTime } from "./format";
import type { VideoLink } from "./types";

// The video link's route belongs to the telehealth work; typed here by its documented answer until
// the generated client has it.
const postVideoLink = api.POST as unknown as (
  path: string,
  init: { params: { path: Record<string, string> } },
) => Promise<{ data?: VideoLink; error?: unknown }>;

/**
 * A video visit's way in. The visit says whether its window is open (from shortly before the start
 * until the end); only then is there a button, and the link itself is asked for when it is pressed
 * (POST .../video-link, audited), never kept in the page's data beforehand. It opens in a new tab,
 * so the portal stays open behind the call.
 */
export function JoinVideo({
  record,
  appointment,
  onRefused,
}: {
  record: RecordView;
  appointment: Appointment;
  /** The window moved on meanwhile: the visit is read again, so the page shows where it stands. */
  onRefused: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [busy, setBusy] = useState(false);
  const [problems, setProblems] = useState<string[]>([]);
  // The link, when the browser kept the new tab from opening: the patient opens it themself.
  const [blocked, setBlocked] = useState<string | null>(null);
  const video = appointment.video;
  if (!video) return null;

  async function onJoin() {
    setBusy(true);
    setProblems([]);
    setBlocked(null);
    // The tab is opened now, in the click, since a browser blocks one opened after waiting for an
    // answer; it is pointed at the link once the link arrives. It must not reach back into the portal.
    const tab = window.open("", "_blank");
    if (tab) tab.opener = null;
    let answer: { data?: VideoLink; error?: unknown } = {};
    try {
      answer = await postVideoLink("/v1/patients/{patient_id}/appointments/{appointment_id}/video-link", {
        params: { path: { patient_id: record.patientId, appointment_id: appointment.id } },
      });
    } catch {
      answer = { error: null };
    }
    setBusy(false);
    if (answer.data === undefined) {
      tab?.close();
      setProblems(formErrors(flatFields(answer.error), [], t("errors.network")).general);
      onRefused();
      return;
    }
    if (tab) tab.location.href = answer.data.url;
    else setBlocked(answer.data.url);
  }

  return (
    <section aria-labelledby="video-title" className="margin-y-3">
      <h2 id="video-title">{t("appointments.video.title")}</h2>
      <ErrorSummary messages={problems} />
      {video.state === "open" && (
        <>
          <p>{t("appointments.video.openUntil", { time: visitTime(video.closes_at, appointment.time_zone, i18n.language) })}</p>
          <button type="button" className="usa-button usa-button--big" onClick={() => void onJoin()} disabled={busy}>
            {busy ? t("appointments.video.opening") : t("appointments.video.join")}
          </button>
          {blocked && (
            <p>
              {t("appointments.video.blocked")}{" "}
              <a href={blocked} target="_blank" rel="noopener noreferrer">
                {t("appointments.video.openLink")}
              </a>
            </p>
          )}
        </>
      )}
      {video.state === "not_yet" && (
        <p>{t("appointments.video.notYet", { time: visitTime(video.opens_at, appointment.time_zone, i18n.language) })}</p>
      )}
      {video.state === "ended" && <p>{t("appointments.video.ended")}</p>}
    </section>
  );
}
