import type { TFunction } from "i18next";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate } from "react-router";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { useDates } from "../components/dates";
import { Pager, pagesState } from "../components/Pager";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { useToken } from "../session";

const PAGE = 20;

// The security events the history names in words; any other is said generically with its code.
const KNOWN = new Set([
  "session.sign_in",
  "session.sign_out",
  "session.second_factor",
  "session.password_verified",
  "session.email_code_sent",
  "session.refused",
  "throttle.refused",
  "account.locked",
  "account.unlocked",
  "account.password_changed",
  "account.password_reset_requested",
  "account.password_reset_completed",
  "account.account_setup_completed",
  "account.email_change_requested",
  "account.email_verified",
  "account.username_reminder_sent",
  "account.terms_accepted",
  "account.notification_preferences_changed",
  "account.password_confirmation",
  "second_factor.totp_enabled",
  "second_factor.totp_disabled",
  "second_factor.email_enabled",
  "second_factor.email_disabled",
  "second_factor.recovery_codes_replaced",
]);

/** GET /v1/me/sign-in-history: the account's own sign-ins, failures, lockouts and changes, newest first. */
export function SignInHistory() {
  const { t } = useTranslation();
  usePageTitle(t("account.history.title"));
  const token = useToken();
  if (token === null) return <Navigate to="/sign-in" replace />;
  return <History token={token} />;
}

function History({ token }: { token: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const [cursors, setCursors] = useState<string[]>([]);
  const { cursor, page } = pagesState(cursors);
  const history = useQuery({
    queryKey: ["sign-in-history", token, cursor],
    queryFn: () =>
      load(() =>
        api.GET("/v1/me/sign-in-history", { params: { query: cursor ? { limit: PAGE, after: cursor } : { limit: PAGE } } }),
      ),
  });

  function describe(event: Schemas["SecurityEvent"]): string {
    const what = KNOWN.has(event.event)
      ? t(`account.history.event.${event.event}` as "account.history.event.session.sign_in")
      : t("account.history.other", { event: event.event });
    return event.outcome === "success" ? what : t(`account.history.outcome.${event.outcome}`, { what });
  }

  return (
    <>
      <h1>{t("account.history.title")}</h1>
      <p>{t("account.history.intro")}</p>
      <p>
        <Link to="/account">{t("account.backToAccount")}</Link>
      </p>
      {history.isPending && <p>{t("app.loading")}</p>}
      {history.isError && <Problem message={history.error.message} />}
      {history.data &&
        (history.data.events.length === 0 ? (
          <p>{t("account.history.none")}</p>
        ) : (
          <ul className="usa-list usa-list--unstyled">
            {history.data.events.map((event, index) => (
              <li key={`${event.at}-${index}`} className="margin-bottom-2 border-bottom-1px border-base-lighter padding-bottom-1">
                <strong>{describe(event)}</strong>
                <br />
                <span>{dates.moment(event.at)}</span>
                {event.reason && (
                  <>
                    <br />
                    <span className="text-base">{t("account.history.reason", { reason: reasonWords(t, event.reason) })}</span>
                  </>
                )}
                {event.source_ip && (
                  <>
                    <br />
                    <span className="text-base">{t("account.history.from", { address: event.source_ip })}</span>
                  </>
                )}
              </li>
            ))}
          </ul>
        ))}
      {history.data && (
        <Pager
          page={page}
          nextCursor={history.data.next_cursor}
          onPrevious={() => setCursors((seen) => seen.slice(0, -1))}
          onNext={(next) => setCursors((seen) => [...seen, next])}
        />
      )}
    </>
  );
}

// Each reason the API gives with its sentence; any other is shown as the API spells it.
const REASON_KEYS = {
  wrong_password: "account.history.reasons.wrong_password",
  wrong_code: "account.history.reasons.wrong_code",
  locked: "account.history.reasons.locked",
  too_many_attempts: "account.history.reasons.too_many_attempts",
  password: "account.history.reasons.password",
  totp: "account.history.reasons.totp",
  email: "account.history.reasons.email",
  recovery_code: "account.history.reasons.recovery_code",
  idle_timeout: "account.history.reasons.idle_timeout",
  expired: "account.history.reasons.expired",
  wrong_secret: "account.history.reasons.wrong_secret",
  no_session: "account.history.reasons.no_session",
  sign_in_code_email: "account.history.reasons.sign_in_code_email",
  password_reset_email: "account.history.reasons.password_reset_email",
} as const;

function reasonWords(t: TFunction, reason: string): string {
  const key = REASON_KEYS[reason as keyof typeof REASON_KEYS] as (typeof REASON_KEYS)[keyof typeof REASON_KEYS] | undefined;
  return key === undefined ? reason.replace(/_/g, " ") : t(key);
}
