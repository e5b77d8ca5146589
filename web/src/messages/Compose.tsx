import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate } from "react-router";
import { submit } from "../account/submit";
import { api, type Schemas } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { ErrorSummary } from "../components/ErrorSummary";
import { Field } from "../components/Field";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import type { ChosenFile } from "./attachments";
import { AttachmentsField, filesProblem, readyIds } from "./AttachmentsField";
import { careTeamsKey, fetchCareTeams, inboxKey } from "./queries";
import type { Thread } from "./types";

const fields = ["team_id", "subject", "body", "attachment_ids"] as const;

/** A new conversation with one of the care teams the patient may write to, with up to five files. */
export function Compose() {
  const { t } = useTranslation();
  usePageTitle(t("messages.compose.title"));
  return <PatientPage area="messages">{(record) => <ComposeView record={record} />}</PatientPage>;
}

function ComposeView({ record }: { record: RecordView }) {
  const { t } = useTranslation();
  const teams = useQuery({
    queryKey: careTeamsKey(record.token, record.patientId),
    queryFn: () => fetchCareTeams(record.patientId),
  });
  return (
    <>
      <p>
        <Link to={record.to("/messages")}>{t("messages.backToInbox")}</Link>
      </p>
      <h1>{t("messages.compose.title")}</h1>
      <p>{t("messages.compose.intro")}</p>
      <div className="usa-alert usa-alert--info usa-alert--slim">
        <div className="usa-alert__body">
          <p className="usa-alert__text">{t("messages.compose.notForEmergencies")}</p>
        </div>
      </div>
      {teams.isPending && <p>{t("app.loading")}</p>}
      {teams.isError && <Problem message={teams.error.message} />}
      {teams.data &&
        (teams.data.care_teams.length === 0 ? (
          <p>{t("messages.compose.noTeams")}</p>
        ) : (
          <ComposeForm record={record} teams={teams.data.care_teams} />
        ))}
    </>
  );
}

function ComposeForm({ record, teams }: { record: RecordView; teams: Schemas["PatientCareTeam"][] }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);
  const [files, setFiles] = useState<ChosenFile[]>([]);
  // No team is chosen for the patient: a message sent to the first one by default may reach the wrong people.
  const [teamId, setTeamId] = useState("");
  const chosen = teams.find((team) => team.team_id === teamId);
  const submission = useSubmissionKey();
  // Set at once, not on the next render as `busy` is: the second click of a double click meets it.
  const sending = useRef(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (sending.current) return;
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "").trim();
    const body = {
      team_id: value("team_id"),
      subject: value("subject"),
      body: value("body"),
      attachment_ids: readyIds(files),
    };
    const missing: Record<string, string> = {};
    if (!body.team_id) missing.team_id = t("messages.compose.teamRequired");
    if (!body.subject) missing.subject = t("errors.required");
    if (!body.body) missing.body = t("errors.required");
    const notReady = filesProblem(files, t);
    if (notReady) missing.attachment_ids = notReady;
    if (Object.keys(missing).length > 0) {
      setErrors({ fields: missing, general: [] });
      return;
    }
    sending.current = true;
    setBusy(true);
    setErrors(noErrors);
    const key = submission.keyFor(body);
    const outcome = await submit(
      () =>
        api.POST("/v1/patients/{patient_id}/messages", {
          params: { path: { patient_id: record.patientId }, header: { "Idempotency-Key": key } },
          body,
        }),
      fields,
    );
    setBusy(false);
    if (outcome.errors) {
      sending.current = false;
      setErrors(outcome.errors);
      return;
    }
    // (sending stays set: the page is left for the conversation, and a click meanwhile (the second
    // of a double click landing after a quick answer) is not a new message)
    submission.done();
    const thread = outcome.data as Thread;
    void queryClient.invalidateQueries({ queryKey: inboxKey(record.token) });
    navigate(record.to(`/messages/${encodeURIComponent(thread.thread_id)}`), { state: { sent: true } });
  }

  return (
    <>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <Field name="team_id" label={t("messages.compose.team")} error={errors.fields.team_id}>
          {(control) => (
            <>
              <select className="usa-select" {...control} value={teamId} onChange={(event) => setTeamId(event.target.value)}>
                <option value="">{t("messages.compose.chooseTeam")}</option>
                {teams.map((team) => (
                  <option key={team.team_id} value={team.team_id}>
                    {team.name}
                  </option>
                ))}
              </select>
              {/* always there, so a screen reader hears what the chosen team is about as it changes */}
              <div className="margin-top-1" aria-live="polite">
                {chosen?.description && <p className="margin-y-05">{chosen.description}</p>}
                {chosen?.phone && <p className="margin-y-05">{t("messages.compose.teamPhone", { phone: chosen.phone })}</p>}
              </div>
            </>
          )}
        </Field>
        <TextField
          name="subject"
          label={t("messages.compose.subject")}
          hint={t("messages.compose.subjectHint")}
          error={errors.fields.subject}
          maxLength={150}
          autoComplete="off"
          required
        />
        <TextArea name="body" label={t("messages.compose.body")} error={errors.fields.body} maxLength={10000} required />
        <AttachmentsField patientId={record.patientId} files={files} onChange={setFiles} error={errors.fields.attachment_ids} />
        <button className="usa-button margin-top-3" type="submit" disabled={busy}>
          {busy ? t("messages.compose.sending") : t("messages.compose.send")}
        </button>
      </form>
    </>
  );
}
