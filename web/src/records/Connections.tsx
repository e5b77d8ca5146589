import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { dayText } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, organizationName, recordPath, type RecordView } from "./PatientPage";

type Connection = Schemas["ConnectionView"];
const ADD_FIELDS = ["invitation_code"] as const;

/**
 * My Connections: each organization whose record the patient sees, with links to that record's
 * pages; another organization added with its invitation code; one removed (after a question).
 */
export function Connections() {
  const { t } = useTranslation();
  usePageTitle(t("records.connections.title"));
  return <PatientPage naming={false}>{(record) => <ConnectionsView record={record} />}</PatientPage>;
}

function ConnectionsView({ record }: { record: RecordView }) {
  const { t, i18n } = useTranslation();
  const { token } = record;
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState("");
  const connections = useQuery({
    queryKey: ["connections", token],
    queryFn: () => load(() => api.GET("/v1/me/connections")),
  });
  const me = queryClient.getQueryData<Schemas["Me"]>(["me", token]);
  const ownId = me?.patient?.patient_id;
  // A change shows in both lists: this one, and GET /v1/me's, which the record pages read.
  const changed = (message: string) => {
    setNotice(message);
    void queryClient.invalidateQueries({ queryKey: ["connections", token] });
    void queryClient.invalidateQueries({ queryKey: ["me", token] });
  };

  return (
    <>
      <h1>{t("records.connections.title")}</h1>
      <p>{t("records.connections.intro")}</p>
      <Notice text={notice} />
      {connections.isPending && <p>{t("app.loading")}</p>}
      {connections.isError && <Problem message={connections.error.message} />}
      {connections.data &&
        (connections.data.connections.length === 0 ? (
          <p>{t("records.connections.none")}</p>
        ) : (
          <ul className="usa-card-group margin-top-2">
            {connections.data.connections.map((connection) => (
              <li key={connection.connection_id} className="usa-card tablet:grid-col-6">
                <div className="usa-card__container">
                  <div className="usa-card__header">
                    <h2 className="usa-card__heading">{organizationName(connection)}</h2>
                  </div>
                  <div className="usa-card__body">
                    <p>
                      {t(`records.connections.statusName.${connection.status}`)}
                      <br />
                      <span className="text-base">
                        {t("records.connections.added")} {dayText(connection.added_at, i18n.language)}
                      </span>
                    </p>
                    {connection.patient_id !== null && (
                      <RecordLinks connection={connection} patientId={connection.patient_id} ownId={ownId} />
                    )}
                  </div>
                  <div className="usa-card__footer">
                    {connection.patient_id !== null && connection.patient_id === ownId ? (
                      <p className="text-base">{t("records.connections.enrolledHere")}</p>
                    ) : (
                      <RemoveConnection connection={connection} onRemoved={changed} />
                    )}
                  </div>
                </div>
              </li>
            ))}
          </ul>
        ))}
      <AddConnection onAdded={changed} />
    </>
  );
}

function RecordLinks({ connection, patientId, ownId }: { connection: Connection; patientId: string; ownId?: string }) {
  const { t } = useTranslation();
  const pages = [
    ["/results", "records.connections.results"],
    ["/documents", "records.connections.documents"],
    ["/health-summary", "records.connections.healthSummary"],
    ["/upcoming", "records.connections.upcoming"],
    ["/access-log", "records.connections.accessLog"],
  ] as const;
  return (
    <nav aria-label={t("records.connections.recordsOf", { organization: organizationName(connection) })}>
      <ul className="usa-list">
        {pages.map(([path, label]) => (
          <li key={path}>
            <Link to={recordPath(path, patientId, ownId)}>{t(label)}</Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

function RemoveConnection({ connection, onRemoved }: { connection: Connection; onRemoved: (message: string) => void }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const organization = organizationName(connection);
  const remove = useMutation({
    mutationFn: () =>
      load(async () => {
        const answer = await api.DELETE("/v1/me/connections/{connection_id}", {
          params: { path: { connection_id: connection.connection_id } },
        });
        // (204 has no body: an answer without an error is the removal done)
        return answer.error === undefined ? { data: true } : answer;
      }),
    onSuccess: () => onRemoved(t("records.connections.removed", { organization })),
  });
  return (
    <>
      <button
        ref={button}
        type="button"
        className="usa-button usa-button--secondary"
        aria-expanded={asking}
        onClick={() => setAsking(true)}
      >
        {t("records.connections.remove", { organization })}
      </button>
      {asking && (
        <Confirm
          question={t("records.connections.confirm", { organization })}
          confirmLabel={t("records.connections.confirmYes")}
          cancelLabel={t("records.connections.confirmNo")}
          onConfirm={() => remove.mutate()}
          onCancel={() => {
            remove.reset();
            setAsking(false);
          }}
          busy={remove.isPending}
          opener={button.current}
        >
          {remove.isError && <Problem message={remove.error.message} />}
        </Confirm>
      )}
    </>
  );
}

function AddConnection({ onAdded }: { onAdded: (message: string) => void }) {
  const { t } = useTranslation();
  const [code, setCode] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const add = useMutation({
    mutationFn: async () => {
      const answer = await api.POST("/v1/me/connections", {
        body: { invitation_code: code.trim() }, // the invitation names its organization
      });
      if (answer.data === undefined) throw answer.error;
      return answer.data;
    },
    onSuccess: (connection) => {
      setErrors(noErrors);
      setCode("");
      onAdded(t(`records.connections.added_${connection.status}`, { organization: organizationName(connection) }));
    },
    onError: (error) => setErrors(formErrors(error, ADD_FIELDS, t("errors.network"))),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!code.trim()) missing.invitation_code = t("errors.required");
    if (Object.keys(missing).length > 0) return setErrors({ fields: missing, general: [] });
    add.mutate();
  };
  return (
    <section aria-labelledby="add-connection" className="margin-top-4">
      <h2 id="add-connection">{t("records.connections.addTitle")}</h2>
      <p>{t("records.connections.addIntro")}</p>
      <form className="usa-form" onSubmit={submit} noValidate>
        <ErrorSummary messages={errors.general} />
        <TextField
          name="invitation_code"
          label={t("records.connections.code")}
          hint={t("records.connections.codeHint")}
          error={errors.fields.invitation_code}
          value={code}
          onChange={(event) => setCode(event.target.value)}
          autoComplete="off"
        />
        <button type="submit" className="usa-button" disabled={add.isPending}>
          {t("records.connections.add")}
        </button>
      </form>
    </section>
  );
}
