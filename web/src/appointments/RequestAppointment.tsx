import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { Field } from "../components/Field";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { careTeamsKey, fetchCareTeams } from "../messages/queries";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { RequestForm } from "./RequestForm";

/**
 * POST /v1/patients/{patient_id}/appointment-requests: a new visit with one of the care teams the
 * patient may reach (the same list as the messages page's), for a reason, in person or by video,
 * on days that suit. Staff book it, propose another time, or decline it with a reason.
 */
export function RequestAppointment() {
  const { t } = useTranslation();
  usePageTitle(t("appointments.request.title"));
  return <PatientPage area="appointments">{(record) => <RequestView record={record} />}</PatientPage>;
}

function RequestView({ record }: { record: RecordView }) {
  const { t } = useTranslation();
  const teams = useQuery({
    queryKey: careTeamsKey(record.token, record.patientId),
    queryFn: () => fetchCareTeams(record.patientId),
  });
  return (
    <>
      <p>
        <Link to={record.to("/appointments")}>{t("appointments.back")}</Link>
      </p>
      <h1>{t("appointments.request.title")}</h1>
      <p>{t("appointments.request.intro")}</p>
      <div className="usa-alert usa-alert--info usa-alert--slim">
        <div className="usa-alert__body">
          <p className="usa-alert__text">{t("appointments.request.notForEmergencies")}</p>
        </div>
      </div>
      {teams.isPending && <p>{t("app.loading")}</p>}
      {teams.isError && <Problem message={teams.error.message} />}
      {teams.data &&
        (teams.data.care_teams.length === 0 ? (
          <p>{t("appointments.request.noTeams")}</p>
        ) : (
          <NewRequestForm record={record} teams={teams.data.care_teams} />
        ))}
    </>
  );
}

function NewRequestForm({ record, teams }: { record: RecordView; teams: Schemas["PatientCareTeam"][] }) {
  const { t } = useTranslation();
  // No team is chosen for the patient: a request sent to the first one by default may reach the wrong people.
  const [teamId, setTeamId] = useState("");
  return (
    <RequestForm
      record={record}
      submitLabel={t("appointments.request.send")}
      extraFields={["care_team_id"]}
      extraCheck={(): Record<string, string> => (teamId ? {} : { care_team_id: t("appointments.request.teamRequired") })}
      send={(body, key) =>
        api.POST("/v1/patients/{patient_id}/appointment-requests", {
          params: { path: { patient_id: record.patientId }, header: { "Idempotency-Key": key } },
          body: { care_team_id: teamId, ...body },
        })
      }
    >
      {(errors) => (
        <Field name="care_team_id" label={t("appointments.request.team")} error={errors.fields.care_team_id}>
          {(control) => (
            <select className="usa-select" {...control} value={teamId} onChange={(event) => setTeamId(event.target.value)}>
              <option value="">{t("appointments.request.chooseTeam")}</option>
              {teams.map((team) => (
                <option key={team.team_id} value={team.team_id}>
                  {team.name}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
    </RequestForm>
  );
}
