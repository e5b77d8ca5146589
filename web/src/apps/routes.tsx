import { lazyPages } from "../components/lazyPages";

const at = lazyPages(() => import("./pages"));

/**
 * Health apps (SMART on FHIR): the page an app sends a patient to, to sign in and allow it
 * (`?request=` names the app's request by an opaque id); the apps connected to a record; and the
 * admins' page of the organization's registered apps.
 */
export const appRoutes = (
  <>
    {at("/apps/authorize", "Authorize")}
    {at("/apps", "ConnectedApps")}
    {at("/admin/apps", "AdminApps")}
  </>
);
