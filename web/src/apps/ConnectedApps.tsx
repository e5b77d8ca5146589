import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { formErrors } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { momentText } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { fetchAvailableApps, fetchConnectedApps, revokeApp } from "./calls";
import type { ConnectedApp } from "./types";
import { readsByGroup, typeWords, typesWords } from "./words";

/**
 * Connected apps: each health app connected to the record shown (the patient's own, or one the
 * account acts for: the record switcher above chooses), when and by whom it was connected, what it
 * may read and what it did read (from the audit trail), and a Disconnect that ends its access at
 * once (after a question). With none, what health apps are and how one is connected (from within
 * the app), with the apps the clinic registered.
 */
export function ConnectedApps() {
  const { t } = useTranslation();
  usePageTitle(t("apps.connected.title"));
  return <PatientPage>{(record) => <AppsOfRecord record={record} />}</PatientPage>;
}

function AppsOfRecord({ record }: { record: RecordView }) {
  const { t } = useTranslation();
  const [notice, setNotice] = useState("");
  const [asking, setAsking] = useState<ConnectedApp | null>(null);
  const apps = useQuery({
    queryKey: ["connected-apps", record.token, record.patientId],
    queryFn: () => fetchConnectedApps(record.patientId),
  });
  return (
    <>
      <h1>{t("apps.connected.title")}</h1>
      <p>{record.proxy ? t("apps.connected.introOther", { name: record.proxy.name }) : t("apps.connected.intro")}</p>
      <Notice text={notice} />
      {apps.isPending && <p>{t("app.loading")}</p>}
      {apps.isError && <Problem message={apps.error.message} />}
      {apps.data &&
        (apps.data.apps.length === 0 ? (
          <NoApps token={record.token} />
        ) : (
          <ul className="usa-card-group margin-top-2">
            {apps.data.apps.map((app) => (
              <li key={app.authorization_id} className="usa-card tablet:grid-col-12">
                <div className="usa-card__container">
                  <AppCard
                    app={app}
                    record={record}
                    onRevoke={() => {
                      setNotice("");
                      setAsking(app);
                    }}
                  />
                  {asking?.authorization_id === app.authorization_id && (
                    <div className="usa-card__body">
                      <ConfirmRevoke
                        record={record}
                        app={app}
                        onClose={(message) => {
                          setAsking(null);
                          setNotice(message);
                        }}
                      />
                    </div>
                  )}
                </div>
              </li>
            ))}
          </ul>
        ))}
    </>
  );
}

/**
 * Who connected the app, from the viewer's side. The API says "you" for the patient and "proxy"
 * for someone acting for them; a proxy is only shown the apps they connected themselves, so on a
 * record the viewer acts for, "proxy" is the viewer (and "you" would be the patient, by name).
 */
function whoConnected(app: ConnectedApp, record: RecordView, t: TFunction): string {
  const byViewer = record.proxy ? app.authorized_by === "proxy" : app.authorized_by === "you";
  if (byViewer) return t("apps.connected.byYou");
  if (record.proxy) return record.proxy.name;
  return app.authorized_by_name ?? t("apps.connected.byProxy");
}

function AppCard({ app, record, onRevoke }: { app: ConnectedApp; record: RecordView; onRevoke: () => void }) {
  const { t, i18n } = useTranslation();
  const who = whoConnected(app, record, t);
  const connectedAt = momentText(app.authorized_at, i18n.language);
  const whose = record.proxy?.name;
  return (
    <>
      <div className="usa-card__header display-flex flex-align-center">
        {app.app.logo_url && (
          <img src={app.app.logo_url} alt="" width={40} height={40} className="margin-right-1" referrerPolicy="no-referrer" />
        )}
        <h2 className="usa-card__heading">{app.app.name}</h2>
      </div>
      <div className="usa-card__body">
        <p>{t("apps.connected.authorizedBy", { time: connectedAt, who })}</p>
        <p className="text-bold margin-bottom-0">{t("apps.connected.mayRead")}</p>
        <ul className="usa-list margin-top-05">
          {typesWords(app.resource_types, t, whose).map((words) => (
            <li key={words}>{words}</li>
          ))}
        </ul>
        <p>{app.offline ? t("apps.connected.offline") : t("apps.connected.online")}</p>
        <p>
          {app.last_used_at
            ? t("apps.connected.lastUsed", { time: momentText(app.last_used_at, i18n.language) })
            : t("apps.connected.neverUsed")}
        </p>
        {app.reads.length > 0 && (
          <table className="usa-table usa-table--borderless usa-table--compact">
            <caption>{t("apps.connected.read")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("apps.connected.readType")}</th>
                <th scope="col">{t("apps.connected.readCount")}</th>
              </tr>
            </thead>
            <tbody>
              {readsByGroup(app.reads).map((read) => (
                <tr key={read.key}>
                  <th scope="row">{typeWords(read.type, t, whose)}</th>
                  <td>
                    {t("apps.connected.readRow", { count: read.count, time: momentText(read.last_at, i18n.language) })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div className="usa-card__footer">
        <button
          type="button"
          className="usa-button usa-button--secondary"
          data-confirm-for={app.authorization_id}
          aria-label={t("apps.connected.revokeNamed", { app: app.app.name, time: connectedAt })}
          onClick={onRevoke}
        >
          {t("apps.connected.revoke", { app: app.app.name })}
        </button>
      </div>
    </>
  );
}

function ConfirmRevoke({
  record,
  app,
  onClose,
}: {
  record: RecordView;
  app: ConnectedApp;
  onClose: (message: string) => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => revokeApp(record.patientId, app.authorization_id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["connected-apps", record.token, record.patientId] });
      onClose(t("apps.connected.revoked", { app: app.app.name }));
    },
  });
  const problem = revoke.isError ? formErrors(revoke.error, [], t("errors.network")).general : [];
  return (
    <Confirm
      question={t("apps.connected.confirm", { app: app.app.name })}
      confirmLabel={t("apps.connected.confirmYes", { app: app.app.name })}
      onConfirm={() => revoke.mutate()}
      onCancel={() => onClose("")}
      busy={revoke.isPending}
      opener={document.querySelector<HTMLElement>(`[data-confirm-for="${app.authorization_id}"]`)}
    >
      <p>{t("apps.connected.confirmWhat")}</p>
      <ErrorSummary messages={problem} />
    </Confirm>
  );
}

/** No app yet: what a health app is, how one is connected, and the apps the clinic registered. */
function NoApps({ token }: { token: string }) {
  const { t } = useTranslation();
  const registered = useQuery({ queryKey: ["available-apps", token], queryFn: fetchAvailableApps });
  return (
    <>
      <p className="text-bold">{t("apps.connected.none")}</p>
      <p>{t("apps.connected.whatAreApps")}</p>
      <h2>{t("apps.connected.registeredTitle")}</h2>
      {registered.isPending && <p>{t("app.loading")}</p>}
      {registered.isError && <Problem message={registered.error.message} />}
      {registered.data &&
        (registered.data.apps.length === 0 ? (
          <p>{t("apps.connected.registeredNone")}</p>
        ) : (
          <ul className="usa-list">
            {registered.data.apps.map((app) => (
              <li key={app.client_id}>
                <span className="text-bold">{app.name}</span>
                {app.description && `: ${app.description}`}
                {app.privacy_policy_url && (
                  <>
                    {" "}
                    <a className="usa-link usa-link--external" href={app.privacy_policy_url} target="_blank" rel="noopener noreferrer">
                      {t("apps.authorize.privacy", { app: app.name })}
                    </a>
                  </>
                )}
              </li>
            ))}
          </ul>
        ))}
    </>
  );
}
