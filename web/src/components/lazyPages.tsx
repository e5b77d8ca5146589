import { type ComponentType, type LazyExoticComponent, Suspense, lazy } from "react";
import { useTranslation } from "react-i18next";
import { Route } from "react-router";

/**
 * The pages of an area that only some accounts open (staff, admins), loaded as one chunk of their
 * own the first time one of them is opened, so that a patient's first page never carries them.
 * `load` is the area's `() => import("./pages")`: Vite makes the chunk from that import.
 */
export function lazyPages<Pages extends Record<string, ComponentType>>(load: () => Promise<Pages>) {
  const page = (name: keyof Pages): LazyExoticComponent<ComponentType> =>
    lazy(() => load().then((module) => ({ default: module[name] })));
  /** A route to one of the area's pages, with words while its chunk loads. */
  return (path: string, name: keyof Pages) => {
    const Page = page(name);
    return (
      <Route
        path={path}
        element={
          <Suspense fallback={<Loading />}>
            <Page />
          </Suspense>
        }
      />
    );
  };
}

function Loading() {
  const { t } = useTranslation();
  return <p>{t("app.loading")}</p>;
}
