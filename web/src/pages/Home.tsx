import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, Navigate } from "react-router";
import { api } from "../api/client";
import { load } from "../api/errors";
import { fetchMe } from "../api/me";
import { namedMoment } from "../components/clinicTime";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { UnreadMessages } from "../messages/UnreadMessages";
import { StaffHome } from "../staff/StaffHome";
import { patientNav } from "../navigation";
import { ActingForHome } from "../proxies/ActingForHome";
import { fetchUpcoming } from "../records/Upcoming";
import { useToken } from "../session";

// Where a notice's reader acts on it, by its `template` (the same pages its email links to); a notice
// of another kind has nowhere further to go and stays plain text.
const noticePages: Record<string, string> = {
  new_message: "/messages",
  refill_request_decided: "/medications",
  appointment_request_update: "/appointments",
  proxy_access_update: "/proxy-requests",
  care_team_message_waiting: "/staff/messages",
  record_export_ready: "/records/download",
};

const fetchNotifications = () => load(() => api.GET("/v1/me/notifications", { params: { query: { limit: 20 } } }));

/** The signed-in patient's home: who they are (GET /v1/me) and their notifications. */
export function Home() {
  const token = useToken();
  if (token === null) return <Navigate to="/sign-in" replace />;
  // keyed by the token: another session never sees the answers cached for the last one
  return <SignedInHome token={token} />;
}

function SignedInHome({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  usePageTitle(t("home.title"));
  const me = useQuery({ queryKey: ["me", token], queryFn: fetchMe });
  // A session that must first accept the terms (or set up a second factor) may read only /v1/me:
  // the inbox waits until nothing is owed.
  const owesNothing = me.data !== undefined && me.data.account.must === null;
  const inbox = useQuery({ queryKey: ["notifications", token], queryFn: fetchNotifications, enabled: owesNothing });
  const ownRecord = owesNothing ? (me.data?.patient?.patient_id ?? null) : null;
  const upcoming = useQuery({
    queryKey: ["upcoming", token, ownRecord],
    queryFn: () => fetchUpcoming(ownRecord ?? ""),
    enabled: ownRecord !== null,
  });
  const queryClient = useQueryClient();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ["notifications", token] });
  const markRead = useMutation({
    mutationFn: (notificationId: string) =>
      load(() =>
        api.POST("/v1/me/notifications/{notification_id}/read", {
          params: { path: { notification_id: notificationId } },
        }),
      ),
    onSuccess: refresh,
  });
  const markAll = useMutation({
    mutationFn: async () => {
      // At most 100 a call: the API says when some are left.
      for (let calls = 0; calls < 20; calls++) {
        const marked = await load(() => api.POST("/v1/me/notifications/read-all"));
        if (!marked.unread_left) break;
      }
    },
    onSuccess: refresh,
  });

  if (me.isPending) return <p>{t("app.loading")}</p>;
  if (me.isError) return <Problem message={me.error.message} />;
  const { account, patient } = me.data;
  return (
    <>
      <h1>{t("home.title")}</h1>
      <p>{t("home.signedInAs", { username: account.username })}</p>
      {patient && <p>{t("home.patient", { name: [...patient.given_names, patient.family_name].join(" ") })}</p>}
      {account.must === "terms" && <Notice text={t("home.mustTerms")} />}
      {account.must === "second_factor_setup" && <Notice text={t("home.mustSecondFactor")} />}
      {owesNothing && patient && (
        <nav aria-labelledby="home-record">
          <h2 id="home-record">{t("home.yourRecord")}</h2>
          <ul className="usa-list">
            {patientNav
              .filter((item) => !["/", "/account", "/messages"].includes(item.to)) // the record's pages only
              .map((item) => (
                <li key={item.to}>
                  <Link to={item.to}>{t(item.label)}</Link>
                </li>
              ))}
          </ul>
        </nav>
      )}
      {owesNothing && account.role === "patient" && <ActingForHome me={me.data} />}
      {owesNothing && patient && <UnreadMessages count={me.data.unread_messages ?? 0} />}
      {owesNothing && patient && (
        <section aria-labelledby="home-upcoming">
          <h2 id="home-upcoming">{t("home.upcoming")}</h2>
          {upcoming.isPending && <p>{t("app.loading")}</p>}
          {upcoming.isError && <Problem message={upcoming.error.message} />}
          {upcoming.data && (
            <p>
              {upcoming.data.upcoming.length === 0
                ? t("home.upcomingNone")
                : t("home.upcomingCount", { count: upcoming.data.upcoming.length })}{" "}
              <Link to="/upcoming">{t("home.upcomingLink")}</Link>
            </p>
          )}
        </section>
      )}
      {owesNothing && account.role !== "patient" && <StaffHome token={token} />}
      {owesNothing && <h2>{t("home.notifications")}</h2>}
      {owesNothing && inbox.isPending && <p>{t("app.loading")}</p>}
      {inbox.isError && <Problem message={inbox.error.message} />}
      {inbox.data && (
        <>
          <p>
            {t("home.unread", { count: inbox.data.unread_count })}
            {inbox.data.unread_count > 0 && (
              <button
                type="button"
                className="usa-button usa-button--unstyled margin-left-2"
                onClick={() => markAll.mutate()}
                disabled={markAll.isPending}
              >
                {t("home.markAllRead")}
              </button>
            )}
          </p>
          {markAll.isError && <Problem message={markAll.error.message} />}
          {markRead.isError && <Problem message={markRead.error.message} />}
          {inbox.data.notifications.length === 0 ? (
            <p>{t("home.none")}</p>
          ) : (
            <ul className="usa-list usa-list--unstyled">
              {inbox.data.notifications.map((notice) => (
                <li key={notice.notification_id} className="margin-bottom-2">
                  {notice.read_at === null && (
                    <>
                      <span className="usa-tag text-no-wrap margin-right-05">{t("home.newBadge")}</span>{" "}
                    </>
                  )}
                  {noticePages[notice.template] ? (
                    <Link
                      className="text-bold"
                      to={noticePages[notice.template]!}
                      // followed, it is read: the page it opens shows what it was about
                      onClick={() => notice.read_at === null && markRead.mutate(notice.notification_id)}
                    >
                      {notice.title}
                    </Link>
                  ) : (
                    <strong>{notice.title}</strong>
                  )}
                  <br />
                  <span className="text-base">
                    {t("home.received", { when: namedMoment(notice.created_at, i18n.language) })}
                  </span>
                  {notice.read_at === null && (
                    <>
                      {" "}
                      <button
                        type="button"
                        className="usa-button usa-button--unstyled"
                        aria-label={t("home.markReadNamed", { title: notice.title })}
                        onClick={() => markRead.mutate(notice.notification_id)}
                        disabled={markRead.isPending}
                      >
                        {t("home.markRead")}
                      </button>
                    </>
                  )}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}

function Notice({ text }: { text: string }) {
  return (
    <div className="usa-alert usa-alert--warning usa-alert--slim">
      <div className="usa-alert__body">
        <p className="usa-alert__text">{text}</p>
      </div>
    </div>
  );
}
