import { useQuery } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";
import { Link, NavLink, useLocation } from "react-router";
import { fetchMe } from "../api/me";
import { navFor } from "../navigation";
import { useSignOut } from "../pages/useSignOut";
import { useToken } from "../session";

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const token = useToken();
  const signOut = useSignOut();
  const main = useMoveFocusOnNavigation();
  return (
    <>
      <a className="usa-skipnav" href="#main-content">
        {t("app.skipToContent")}
      </a>
      <header className="usa-header usa-header--basic">
        <div className="usa-nav-container">
          <div className="usa-navbar">
            <div className="usa-logo">
              <em className="usa-logo__text">
                <Link to="/">{t("app.name")}</Link>
              </em>
            </div>
          </div>
          <div className="margin-y-2 display-flex flex-wrap flex-align-center">
            {token !== null && <SiteNav token={token} />}
            {token !== null ? (
              <button
                type="button"
                className="usa-button usa-button--outline"
                onClick={() => signOut.mutate()}
                disabled={signOut.isPending}
              >
                {t("nav.signOut")}
              </button>
            ) : (
              <Link className="usa-button usa-button--outline" to="/sign-in">
                {t("nav.signIn")}
              </Link>
            )}
          </div>
        </div>
      </header>
      <main id="main-content" ref={main} className="grid-container padding-y-4" tabIndex={-1}>
        {children}
      </main>
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
  if (me.data === undefined || me.data.account.must !== null) return null;
  return (
    <nav aria-label={t("nav.label")} className="margin-right-2">
      <ul className="usa-list usa-list--unstyled display-flex flex-wrap">
        {navFor(me.data.account.role).map((item) => (
          <li key={item.to} className="margin-right-2 margin-y-1">
            <NavLink to={item.to} end={item.to === "/"}>
              {t(item.label)}
            </NavLink>
          </li>
        ))}
      </ul>
    </nav>
  );
}
