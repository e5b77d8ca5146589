import { type ComponentType, type LazyExoticComponent, Suspense, lazy } from "react";
import { useTranslation } from "react-i18next";
import { Route } from "react-router";

type Pages = typeof import("./pages");
const pages = () => import("./pages");
const page = (name: keyof Pages): LazyExoticComponent<ComponentType> =>
  lazy(() => pages().then((module) => ({ default: module[name] })));

const StaffAccounts = page("StaffAccounts");
const FeedSources = page("FeedSources");
const ReleasePolicy = page("ReleasePolicy");
const Terms = page("Terms");

function Loading() {
  const { t } = useTranslation();
  return <p>{t("app.loading")}</p>;
}

const at = (path: string, Page: LazyExoticComponent<ComponentType>) => (
  <Route
    path={path}
    element={
      <Suspense fallback={<Loading />}>
        <Page />
      </Suspense>
    }
  />
);

/** Admins' pages: the organization's staff accounts, feed sources, release policy, and the deployment's terms. */
export const adminRoutes = (
  <>
    {at("/admin/staff", StaffAccounts)}
    {at("/admin/feed-sources", FeedSources)}
    {at("/admin/release-policy", ReleasePolicy)}
    {at("/admin/terms", Terms)}
  </>
);
