import { useQueryClient } from "@tanstack/react-query";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation, useNavigate } from "react-router";
import { api } from "../api/client";
import { useSignOut } from "../pages/useSignOut";
import { setToken, useToken } from "../session";
import { noteIdleSignOut, onRestricted, useLastApiCall } from "./activity";
import { useMe } from "./shared";
import { mustPath } from "./signedIn";

// How long before the idle timeout the warning comes: time to notice it and choose.
export const WARN_BEFORE_MS = 2 * 60 * 1000;

// Pages a session that owes something may still open: the one that settles it, and the public
// pages (emailed links, sign-in), which do not use the session.
const OPEN_WHILE_RESTRICTED = [
  "/sign-in",
  "/sign-in/continue",
  "/enroll",
  "/reset-password",
  "/verify-email",
  "/account-setup",
  "/forgot-username",
  "/forgot-password",
];

/**
 * What every page of a signed-in session needs, whatever the page: a session that must first
 * accept the terms or set up a second factor is sent to the page that does it, and the session's
 * idle timeout is warned of before it passes.
 */
export function SessionWatch() {
  const token = useToken();
  if (token === null) return null;
  return <Watch key={token} token={token} />;
}

function Watch({ token }: { token: string }) {
  const me = useMe(token);
  const queryClient = useQueryClient();
  // A page refused for a restriction the cached account view does not show: read it afresh.
  useEffect(() => onRestricted(() => void queryClient.invalidateQueries({ queryKey: ["me", token] })), [queryClient, token]);
  const { pathname } = useLocation();
  const must = me.data ? mustPath(me.data.account.must) : null;
  const redirect = must !== null && pathname !== must && !OPEN_WHILE_RESTRICTED.includes(pathname);
  return (
    <>
      {redirect && <Navigate to={must} replace />}
      {me.data && <IdleWarning idleSeconds={me.data.account.idle_timeout_s} token={token} />}
    </>
  );
}

type Phase = "idle" | "warning";

/**
 * Counts from the last call of this tab (every call moves the session's idle deadline on). Two
 * minutes before the end, an alert dialog offers to stay signed in (a cheap call: GET /v1/me) or
 * to sign out; when the end passes, the session is forgotten here too and the sign-in page says why.
 */
function IdleWarning({ idleSeconds, token }: { idleSeconds: number; token: string }) {
  const lastCall = useLastApiCall();
  const [phase, setPhase] = useState<Phase>("idle");
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const deadline = lastCall + idleSeconds * 1000;

  useEffect(() => {
    setPhase("idle");
    const now = Date.now();
    const warn = window.setTimeout(() => setPhase("warning"), Math.max(0, deadline - WARN_BEFORE_MS - now));
    const end = window.setTimeout(() => {
      // The API's deadline counts from when it received the last call, a little after this tab
      // sent it: the session is ended there too rather than left to lapse a moment later.
      void api.DELETE("/v1/sessions/current", { headers: { Authorization: `Bearer ${token}` } }).catch(() => undefined);
      noteIdleSignOut(Math.round(idleSeconds / 60));
      setToken(null);
      queryClient.clear();
      void navigate("/sign-in");
    }, Math.max(0, deadline - now));
    return () => {
      window.clearTimeout(warn);
      window.clearTimeout(end);
    };
  }, [deadline, idleSeconds, navigate, queryClient, token]);

  if (phase !== "warning") return null;
  return <IdleDialog deadline={deadline} token={token} />;
}

function IdleDialog({ deadline, token }: { deadline: number; token: string }) {
  const { t, i18n } = useTranslation();
  const signOut = useSignOut();
  const queryClient = useQueryClient();
  const stay = useRef<HTMLButtonElement>(null);
  const leave = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const time = new Intl.DateTimeFormat(i18n.language, { timeStyle: "short" }).format(new Date(deadline));

  useEffect(() => {
    stay.current?.focus(); // an alert dialog takes the focus, so keyboard and screen reader users meet it
  }, []);

  async function staySignedIn() {
    setBusy(true);
    // Any call moves the idle deadline on; the middleware notes it and this dialog closes.
    const { data } = await api.GET("/v1/me").catch(() => ({ data: undefined }));
    if (data !== undefined) queryClient.setQueryData(["me", token], data);
    setBusy(false);
  }

  // Tab stays between the two buttons while the dialog is open (it is modal).
  function onKeyDown(event: KeyboardEvent) {
    if (event.key !== "Tab") return;
    event.preventDefault();
    (document.activeElement === stay.current ? leave : stay).current?.focus();
  }

  return (
    <div
      className="position-fixed top-0 left-0 width-full height-full z-500 display-flex flex-align-center flex-justify-center"
      style={{ background: "rgba(27, 27, 27, 0.7)" }}
    >
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="idle-title"
        aria-describedby="idle-text"
        className="bg-white padding-3 radius-md maxw-mobile-lg margin-2"
        onKeyDown={onKeyDown}
      >
        <h2 id="idle-title" className="margin-top-0">
          {t("account.idle.title")}
        </h2>
        <p id="idle-text">{t("account.idle.text", { time })}</p>
        <div className="usa-button-group">
          <button ref={stay} className="usa-button" type="button" onClick={() => void staySignedIn()} disabled={busy}>
            {t("account.idle.stay")}
          </button>
          <button
            ref={leave}
            className="usa-button usa-button--outline"
            type="button"
            onClick={() => signOut.mutate()}
            disabled={signOut.isPending}
          >
            {t("nav.signOut")}
          </button>
        </div>
      </div>
    </div>
  );
}
