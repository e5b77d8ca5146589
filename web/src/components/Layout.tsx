import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useSignOut } from "../pages/useSignOut";
import { useToken } from "../session";

export function Layout({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const signedIn = useToken() !== null;
  const signOut = useSignOut();
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
          <nav aria-label={t("app.name")} className="margin-y-2">
            {signedIn ? (
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
          </nav>
        </div>
      </header>
      <main id="main-content" className="grid-container padding-y-4" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
