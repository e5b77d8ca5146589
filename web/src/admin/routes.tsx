import { lazyPages } from "../components/lazyPages";

const at = lazyPages(() => import("./pages"));

/** Admins' pages: the organization's staff accounts, care teams, feed sources, release policy, settings, check-in forms and visit types, and the deployment's terms. */
export const adminRoutes = (
  <>
    {at("/admin/staff", "StaffAccounts")}
    {at("/admin/feed-sources", "FeedSources")}
    {at("/admin/release-policy", "ReleasePolicy")}
    {at("/admin/terms", "Terms")}
    {at("/admin/organization", "Organization")}
    {at("/admin/dead-letters", "DeadLetters")}
    {at("/admin/care-teams", "CareTeams")}
    {at("/admin/appointment-policy", "AppointmentPolicy")}
    {at("/admin/forms", "Forms")}
    {at("/admin/forms/:formId", "FormTemplate")}
    {at("/admin/visit-types", "VisitTypes")}
    {at("/admin/sensitive-codes", "SensitiveCodes")}
  </>
);
