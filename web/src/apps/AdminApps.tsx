import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { AdminPage } from "../admin/AdminPage";
import { formErrors } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { dayText } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { AppForm } from "./AppForm";
import { disableApp, fetchRegisteredApps, newSecret } from "./calls";
import type { RegisteredApp } from "./types";

type Asking = { app: RegisteredApp; about: "disable" | "secret" };

/**
 * The admins' page of the health apps their organization registered: the list, a form to register
 * one or change it, a new secret for a confidential app (shown once, to copy), and disabling one
 * (which ends every patient's connection to it), each after a question.
 */
export function AdminApps() {
  const { t } = useTranslation();
  usePageTitle(t("apps.admin.title"));
  return <AdminPage>{(token) => <AppsPage token={token} />}</AdminPage>;
}

function AppsPage({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const [editing, setEditing] = useState<RegisteredApp | null>(null);
  const [asking, setAsking] = useState<Asking | null>(null);
  const [done, setDone] = useState("");
  const [secret, setSecret] = useState<{ app: string; secret: string } | null>(null);
  // (a new, empty form once an app is registered: its key changes)
  const [registrations, setRegistrations] = useState(0);
  const apps = useQuery({ queryKey: ["admin-apps", token], queryFn: fetchRegisteredApps });
  const start = () => {
    setDone("");
    setSecret(null);
  };

  return (
    <>
      <h1>{t("apps.admin.title")}</h1>
      <p className="usa-intro">{t("apps.admin.intro")}</p>
      <Notice text={done} />
      {secret && <SecretOnce app={secret.app} secret={secret.secret} />}
      <h2>{t("apps.admin.listTitle")}</h2>
      {apps.isPending && <p>{t("app.loading")}</p>}
      {apps.isError && <Problem message={apps.error.message} />}
      {apps.data &&
        (apps.data.apps.length === 0 ? (
          <p>{t("apps.admin.none")}</p>
        ) : (
          <div className="usa-table-container--scrollable" tabIndex={0}>
            <table className="usa-table usa-table--borderless usa-table--stacked width-full">
              <caption className="usa-sr-only">{t("apps.admin.listTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("apps.admin.name")}</th>
                  <th scope="col">{t("apps.admin.kind")}</th>
                  <th scope="col">{t("apps.admin.addresses")}</th>
                  <th scope="col">{t("apps.admin.status")}</th>
                  <th scope="col">{t("apps.admin.action")}</th>
                </tr>
              </thead>
              <tbody>
                {apps.data.apps.map((app) => (
                  <tr key={app.client_id}>
                    <th scope="row" data-label={t("apps.admin.name")}>
                      {app.name}
                      <div className="usa-hint text-normal">
                        {t("apps.admin.clientId")}: <code style={{ wordBreak: "break-all" }}>{app.client_id}</code>
                      </div>
                      <div className="usa-hint text-normal">
                        {t("apps.admin.registered")} {dayText(app.created_at, i18n.language)}
                      </div>
                    </th>
                    <td data-label={t("apps.admin.kind")}>{t(`apps.admin.kindShort.${app.kind}`)}</td>
                    <td data-label={t("apps.admin.addresses")}>
                      <ul className="usa-list usa-list--unstyled">
                        {app.redirect_uris.map((uri) => (
                          <li key={uri} style={{ overflowWrap: "anywhere" }}>
                            <code>{uri}</code>
                          </li>
                        ))}
                      </ul>
                    </td>
                    <td data-label={t("apps.admin.status")}>{t(`apps.admin.statuses.${app.status}`)}</td>
                    <td data-label={t("apps.admin.action")}>
                      {app.status === "active" && (
                        <ul className="usa-button-group">
                          <li className="usa-button-group__item">
                            <button
                              type="button"
                              className="usa-button usa-button--outline usa-button--small"
                              onClick={() => {
                                start();
                                setAsking(null);
                                setEditing(app);
                              }}
                            >
                              {t("apps.admin.change", { app: app.name })}
                            </button>
                          </li>
                          {app.kind === "confidential" && (
                            <li className="usa-button-group__item">
                              <button
                                type="button"
                                className="usa-button usa-button--outline usa-button--small"
                                data-confirm-for={`secret-${app.client_id}`}
                                onClick={() => {
                                  start();
                                  setAsking({ app, about: "secret" });
                                }}
                              >
                                {t("apps.admin.newSecret", { app: app.name })}
                              </button>
                            </li>
                          )}
                          <li className="usa-button-group__item">
                            <button
                              type="button"
                              className="usa-button usa-button--secondary usa-button--small"
                              data-confirm-for={`disable-${app.client_id}`}
                              onClick={() => {
                                start();
                                setAsking({ app, about: "disable" });
                              }}
                            >
                              {t("apps.admin.disable", { app: app.name })}
                            </button>
                          </li>
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {asking && (
        <ConfirmAction
          token={token}
          asking={asking}
          onClose={(message, shown) => {
            setAsking(null);
            setDone(message);
            if (shown) setSecret({ app: asking.app.name, secret: shown });
          }}
        />
      )}
      <AppForm
        key={editing?.client_id ?? `new-${registrations}`}
        token={token}
        editing={editing}
        onSaved={(app, message) => {
          if (editing === null) setRegistrations(registrations + 1);
          setEditing(null);
          setDone(message);
          if (app.client_secret) setSecret({ app: app.name, secret: app.client_secret });
        }}
        onCancel={() => setEditing(null)}
      />
    </>
  );
}

/** Disabling an app, or making it a new secret: each asked first, in plain words. */
function ConfirmAction({
  token,
  asking: { app, about },
  onClose,
}: {
  token: string;
  asking: Asking;
  onClose: (message: string, secret?: string) => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const act = useMutation({
    mutationFn: async () => (about === "disable" ? (await disableApp(app.client_id), undefined) : newSecret(app.client_id)),
    onSuccess: async (answer) => {
      await queryClient.invalidateQueries({ queryKey: ["admin-apps", token] });
      if (about === "disable") onClose(t("apps.admin.disabled", { app: app.name }));
      else onClose("", answer?.client_secret ?? undefined);
    },
  });
  const problem = act.isError ? formErrors(act.error, [], t("errors.network")).general : [];
  return (
    <Confirm
      question={about === "disable" ? t("apps.admin.confirmDisable", { app: app.name }) : t("apps.admin.confirmSecret", { app: app.name })}
      confirmLabel={about === "disable" ? t("apps.admin.confirmDisableYes", { app: app.name }) : t("apps.admin.confirmSecretYes")}
      onConfirm={() => act.mutate()}
      onCancel={() => onClose("")}
      busy={act.isPending}
      opener={document.querySelector<HTMLElement>(`[data-confirm-for="${about}-${app.client_id}"]`)}
    >
      <p>{about === "disable" ? t("apps.admin.confirmDisableWhat") : t("apps.admin.confirmSecretWhat")}</p>
      <ErrorSummary messages={problem} />
    </Confirm>
  );
}

/** A confidential app's secret, shown this once (the API keeps only its hash), with a copy button. */
function SecretOnce({ app, secret }: { app: string; secret: string }) {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), []);
  return (
    <div ref={box} tabIndex={-1} className="usa-alert usa-alert--info margin-y-2" role="region" aria-labelledby="secret-title">
      <div className="usa-alert__body">
        <h2 className="usa-alert__heading" id="secret-title">
          {t("apps.admin.secretTitle", { app })}
        </h2>
        <p className="usa-alert__text">{t("apps.admin.secretOnce")}</p>
        <p>
          <code data-testid="client-secret" style={{ overflowWrap: "anywhere" }}>
            {secret}
          </code>
        </p>
        <button
          type="button"
          className="usa-button usa-button--outline width-auto"
          onClick={() => void navigator.clipboard?.writeText(secret).then(() => setCopied(true))}
        >
          {t("apps.admin.copy")}
        </button>
        <span role="status" className="margin-left-1">
          {copied ? t("apps.admin.copied") : ""}
        </span>
      </div>
    </div>
  );
}
