import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef } from "react";
import type { ParseKeys } from "i18next";
import { useTranslation } from "react-i18next";
import { Link, NavLink, useLocation } from "react-router";
import { fetchMe } from "../api/me";
import { type NavItem, navFor } from "../navigation";
import { actingFor } from "../proxies/ViewingAs";
import { useSignOut } from "../pages/useSignOut";
import { useToken } from "../session";
import { useFocusThroughBusyButtons } from "./useFocusThroughBusyButtons";

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const token = useToken();
  const signOut = useSignOut();
  const main = useMoveFocusOnNavigation();
  useFocusThroughBusyButtons(main);
  // On the sign-in page itself, a "Sign in" button in the header would only repeat the form's.
  const onSignIn = useLocation().pathname.startsWith("/sign-in");
  return (
    <>
      <a className="usa-skipnav" href="#main-content">
        {t("app.skipToContent")}
      </a>
      {/* The name and the session's button on one line; the pages of the account's role on a
          bar of their own below, which wraps on a phone rather than scrolling sideways. */}
      <header className="border-bottom-1px border-base-lighter">
        <div className="grid-container display-flex flex-justify flex-align-center flex-wrap padding-y-2">
          <div className="usa-logo margin-y-1">
            <em className="usa-logo__text">
              <Link to="/">{t("app.name")}</Link>
            </em>
          </div>
          {token !== null ? (
            <button
              type="button"
              className="usa-button usa-button--outline margin-right-0"
              onClick={() => signOut.mutate()}
              disabled={signOut.isPending}
            >
              {t("nav.signOut")}
            </button>
          ) : onSignIn ? null : (
            <Link className="usa-button usa-button--outline margin-right-0" to="/sign-in">
              {t("nav.signIn")}
            </Link>
          )}
        </div>
        {token !== null && <SiteNav token={token} />}
      </header>
      <main id="main-content" ref={main} className="grid-container padding-y-4" tabIndex={-1}>
        {children}
      </main>
      <footer className="usa-footer usa-footer--slim border-top-1px border-base-lighter">
        <div className="grid-container padding-y-2">
          <Link to="/support">{t("support.link")}</Link>
        </div>
      </footer>
    </>
  );
}

/**
 * A page change in a single-page app is silent: the browser keeps focus on the link that was
 * followed, and a screen reader says nothing. Moving focus to the new page's main content (the
 * title has already changed) starts the reader, and the keyboard, at the top of the new page, as a
 * full page load would. Not on the first page: the browser's own load behaviour stands there.
 */
function useMoveFocusOnNavigation() {
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);
  return main;
}

/**
 * The pages of the signed-in account's role. It shares the cached GET /v1/me of the pages, and
 * waits while the session owes something (terms, a second factor): those pages are not open yet.
 */
function SiteNav({ token }: { token: string }) {
  const { t } = useTranslation();
  const me = useQuery({ queryKey: ["me", token], queryFn: fetchMe });
  const { search } = useLocation();
  if (me.data === undefined || me.data.account.must !== null) return null;
  // While the pages show a record the account acts for, the links are that record's, and only
  // those its grant covers (an account with no record of its own starts at the first one).
  const grants = actingFor(me.data);
  const chosen = new URLSearchParams(search).get("record") ?? (me.data.patient ? null : grants[0]?.patient_id);
  const proxy = grants.find((grant) => grant.patient_id === chosen);
  // An account with no record of its own and none to act for has no record pages at all: its
  // menu keeps the pages that are the account's (asking for access, the account itself).
  const hasRecord = me.data.patient !== null;
  const items = navFor(me.data.account.role).flatMap((item): NavItem[] => {
    if (!hasRecord && (item.ownRecord || (item.area !== undefined && !proxy))) return [];
    if (!proxy || (item.area === undefined && !item.anyArea)) return [item];
    if (item.area !== undefined && !(proxy.areas as string[]).includes(item.area)) return [];
    return [{ ...item, to: `${item.to}?record=${encodeURIComponent(proxy.patient_id)}` }];
  });
  return (
    <nav aria-label={t("nav.label")} className="bg-base-lightest">
      <ul className="grid-container usa-list usa-list--unstyled display-flex flex-wrap">
        {items.map((item) => (
          <li key={item.to} className="margin-right-3 margin-y-0">
            {/* The current page is marked for screen readers (aria-current) and by a bar and
                weight for the eye, never by colour alone. */}
            <NavLink
              to={item.to}
              end={item.to === "/" || item.end}
              className={({ isActive }) =>
                "display-inline-block padding-y-105 " +
                (isActive ? "text-bold text-no-underline border-bottom-05 border-primary" : "")
              }
            >
              {t(item.label)}
              {item.count && (
                <NavCount count={proxy ? proxy.unread_messages : me.data[item.count.of]} label={item.count.label} />
              )}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** A link's count (unread messages): a badge for the eye, words for a screen reader; nothing at 0. */
function NavCount({ count, label }: { count: number; label: ParseKeys }) {
  const { t } = useTranslation();
  if (count <= 0) return null;
  return (
    <>
      {" "}
      <span className="usa-tag bg-secondary-dark" aria-hidden="true">
        {count}
      </span>
      <span className="usa-sr-only">({t(label, { count })})</span>
    </>
  );
}
