import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import { load } from "../api/errors";
import { emailKindText } from "../components/emailKinds";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";

/**
 * How many messages wait on each dead-letter queue of the deployment (counts and kinds, never an
 * address or a patient), and the one command the operator runs to send them all again once the
 * cause is fixed: the admin sees that something is stuck, and knows what to ask for.
 */
export function DeadLetters() {
  const { t } = useTranslation();
  usePageTitle(t("admin.deadLetters.title"));
  return <AdminPage>{(token) => <DeadLettersPage token={token} />}</AdminPage>;
}

function DeadLettersPage({ token }: { token: string }) {
  const { t } = useTranslation();
  const counts = useQuery({
    queryKey: ["admin-dead-letters", token],
    queryFn: () => load(() => api.GET("/v1/admin/dead-letters")),
  });
  const waiting = counts.data?.queues.filter((queue) => queue.waiting > 0) ?? [];

  return (
    <>
      <h1>{t("admin.deadLetters.title")}</h1>
      <p className="usa-intro">{t("admin.deadLetters.intro")}</p>
      {counts.isPending && <p>{t("app.loading")}</p>}
      {counts.isError && <Problem message={counts.error.message} />}
      {counts.data &&
        (waiting.length === 0 ? (
          <p>{t("admin.deadLetters.none")}</p>
        ) : (
          <>
            <div className="usa-table-container--scrollable" tabIndex={0}>
              <table className="usa-table usa-table--borderless usa-table--stacked width-full">
                <caption className="usa-sr-only">{t("admin.deadLetters.title")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("admin.deadLetters.queue")}</th>
                    <th scope="col">{t("admin.deadLetters.waiting")}</th>
                    <th scope="col">{t("admin.deadLetters.kinds")}</th>
                  </tr>
                </thead>
                <tbody>
                  {waiting.map((queue) => (
                    <tr key={queue.queue}>
                      <th scope="row" data-label={t("admin.deadLetters.queue")}>
                        {t(`admin.deadLetters.queues.${queue.queue}`)}
                      </th>
                      <td data-label={t("admin.deadLetters.waiting")}>{queue.waiting}</td>
                      <td data-label={t("admin.deadLetters.kinds")}>
                        {queue.kinds
                          .map((kind) =>
                            t("admin.deadLetters.kind", {
                              // an email by what it is, never its template's code; a feed message by its type
                              kind: queue.queue === "notifications" ? emailKindText(t, kind.kind) : kind.kind,
                              count: kind.count,
                            }),
                          )
                          .join(", ")}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {waiting.some((queue) => queue.queue === "inbound") && <p>{t("admin.deadLetters.inboundInQuarantine")}</p>}
            <p>{t("admin.deadLetters.command")}</p>
            <pre className="bg-base-lightest padding-1 overflow-x-auto">
              <code>{counts.data.redrive_command}</code>
            </pre>
          </>
        ))}
    </>
  );
}
