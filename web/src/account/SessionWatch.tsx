import { useQueryClient } from "@tanstack/react-query";
import { type KeyboardEvent, useEffect, useRef, useState } from "react";
import { createPortal } from "react-dom";
import { useTranslation } from "react-i18next";
import { Navigate, useLocation, useNavigate } from "react-router";
import { api } from "../api/client";
import { timeText } from "../components/dates";
import { useSignOut } from "../pages/useSignOut";
import { setToken, useToken } from "../session";
import { noteIdleSignOut, onRestricted, useLastApiCall } from "./activity";
import { useMe } from "./shared";
import { mustPath } from "./signedIn";
import "./SessionWatch.css";

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

// How often the clock is read besides the timers: a throttled background tab runs timers late,
// and this bounds how long health data can stay on screen after the session ended.
const CHECK_EVERY_MS = 15 * 1000;

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
    let over = false;
    const end = () => {
      if (over) return;
      over = true;
      // The API's deadline counts from when it received the last call, a little after this tab
      // sent it: the session is ended there too rather than left to lapse a moment later.
      void api.DELETE("/v1/sessions/current", { headers: { Authorization: `Bearer ${token}` } }).catch(() => undefined);
      noteIdleSignOut(Math.round(idleSeconds / 60));
      setToken(null);
      queryClient.clear();
      void navigate("/sign-in");
    };
    // Timers alone are not enough: they do not run while a laptop sleeps and run late in a
    // background tab, so the clock is read again whenever the tab may have been away.
    const check = () => {
      const now = Date.now();
      if (now >= deadline) end();
      else if (now >= deadline - WARN_BEFORE_MS) setPhase("warning");
    };
    const now = Date.now();
    const warn = window.setTimeout(() => setPhase("warning"), Math.max(0, deadline - WARN_BEFORE_MS - now));
    const ending = window.setTimeout(end, Math.max(0, deadline - now));
    const every = window.setInterval(check, CHECK_EVERY_MS);
    document.addEventListener("visibilitychange", check);
    window.addEventListener("focus", check);
    window.addEventListener("pageshow", check);
    return () => {
      window.clearTimeout(warn);
      window.clearTimeout(ending);
      window.clearInterval(every);
      document.removeEventListener("visibilitychange", check);
      window.removeEventListener("focus", check);
      window.removeEventListener("pageshow", check);
    };
  }, [deadline, idleSeconds, navigate, queryClient, token]);

  if (phase !== "warning") return null;
  return <IdleDialog deadline={deadline} token={token} />;
}

function IdleDialog({ deadline, token }: { deadline: number; token: string }) {
  const { t, i18n } = useTranslation();
  const signOut = useSignOut();
  const queryClient = useQueryClient();
  const dialog = useRef<HTMLDialogElement>(null);
  const stay = useRef<HTMLButtonElement>(null);
  const leave = useRef<HTMLButtonElement>(null);
  const [busy, setBusy] = useState(false);
  const asking = useRef(false);
  const time = timeText(new Date(deadline), i18n.language);

  useEffect(() => {
    const box = dialog.current;
    if (box === null) return;
    // Where the person was, to go back there once they choose to stay.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    // The page behind is out of reach (keyboard, pointer, screen reader) while the question stands:
    // a modal dialog does it where the browser has one, `inert` on the rest of the page elsewhere.
    const behind = [...document.body.children].filter((element) => element !== box && !element.hasAttribute("inert"));
    behind.forEach((element) => element.setAttribute("inert", ""));
    if (typeof box.showModal === "function") box.showModal();
    else box.setAttribute("open", "");
    stay.current?.focus(); // an alert dialog takes the focus, so keyboard and screen reader users meet it
    return () => {
      if (typeof box.close === "function" && box.open) box.close();
      behind.forEach((element) => element.removeAttribute("inert"));
      if (opener?.isConnected) opener.focus();
    };
  }, []);

  async function staySignedIn() {
    if (asking.current) return;
    asking.current = true;
    setBusy(true);
    // Any call moves the idle deadline on; the middleware notes it and this dialog closes.
    const { data } = await api.GET("/v1/me").catch(() => ({ data: undefined }));
    if (data !== undefined) queryClient.setQueryData(["me", token], data);
    asking.current = false;
    setBusy(false);
  }

  function onKeyDown(event: KeyboardEvent) {
    // Escape is the usual way out of a dialog: here it means "stay", the choice that loses nothing.
    if (event.key === "Escape") {
      event.preventDefault();
      void staySignedIn();
      return;
    }
    // Tab stays between the two buttons while the dialog is open (it is modal).
    if (event.key !== "Tab") return;
    event.preventDefault();
    (document.activeElement === stay.current ? leave : stay).current?.focus();
  }

  return createPortal(
    <dialog
      ref={dialog}
      role="alertdialog"
      aria-modal="true"
      aria-labelledby="idle-title"
      aria-describedby="idle-text"
      className="idle-dialog bg-white padding-3 radius-md maxw-mobile-lg border-0"
      onKeyDown={onKeyDown}
      onCancel={(event) => {
        // The browser's own close request (Escape, a phone's back gesture): stay, and keep the
        // dialog until the call that moves the deadline on has been made.
        event.preventDefault();
        void staySignedIn();
      }}
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
    </dialog>,
    document.body,
  );
}
