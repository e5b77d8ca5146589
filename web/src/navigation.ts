import type { ParseKeys } from "i18next";

/**
 * The links of the site's navigation, per role of the signed-in account. Each area of the portal
 * (records, account, staff, admin) adds its pages here; the Layout shows the list of the caller's
 * role, so staff never see patient links and patients never see staff tools.
 */
export interface NavItem {
  to: string;
  label: ParseKeys;
  /** A count of GET /v1/me the link shows beside its label (said in words to a screen reader). */
  count?: { of: "unread_messages"; label: ParseKeys };
  /**
   * The part of a record the page shows: while the account views a record it acts for (a proxy),
   * the link shows only when the grant covers it, and keeps that record's `?record=`.
   */
  area?: string;
  /** A page of the account's own record only (its connected apps): none for an account without one. */
  ownRecord?: true;
  /** The link is current on its own page only, not on the pages under its address. */
  end?: true;
  /** A page of the whole record (its download): shown for any record the account views, a proxy's too (keeping its `?record=`). */
  anyArea?: true;
}

export const patientNav: NavItem[] = [
  { to: "/", label: "nav.home" },
  {
    to: "/messages",
    label: "messages.nav",
    count: { of: "unread_messages", label: "messages.navUnread" },
    area: "messages",
  },
  { to: "/results", label: "nav.results", area: "results" },
  { to: "/documents", label: "nav.documents", area: "documents" },
  { to: "/health-summary", label: "nav.healthSummary", area: "health_summary" },
  { to: "/medications", label: "medications.nav", area: "medications" },
  { to: "/appointments", label: "appointments.nav", area: "appointments" },
  { to: "/upcoming", label: "nav.upcoming", area: "results" },
  { to: "/records/download", label: "records.download.nav", anyArea: true },
  { to: "/access-log", label: "nav.accessLog", area: "access_log" },
  { to: "/sharing", label: "proxies.nav.sharing", area: "proxies" },
  // (an app's consent page, /apps/authorize, is not one of Connected apps' pages)
  { to: "/apps", label: "apps.nav", end: true },
  { to: "/share", label: "healthLinks.nav", area: "health_summary" },
  { to: "/connections", label: "nav.connections", ownRecord: true },
  { to: "/proxy-requests", label: "proxies.nav.requests" },
  { to: "/account", label: "nav.account" },
];

export const staffNav: NavItem[] = [
  { to: "/", label: "nav.home" },
  { to: "/staff/patients", label: "staff.nav.patients" },
  { to: "/staff/worklist", label: "staff.nav.worklist" },
  { to: "/staff/quarantine", label: "staff.nav.quarantine" },
  { to: "/staff/mismatches", label: "staff.nav.mismatches" },
  { to: "/staff/support", label: "staff.nav.support" },
  { to: "/staff/messages", label: "staffMessages.nav" },
  { to: "/staff/refill-requests", label: "staffRefills.nav" },
  { to: "/staff/appointment-requests", label: "staff.nav.appointmentRequests" },
  { to: "/staff/check-ins", label: "staff.nav.checkIns" },
  { to: "/staff/proxy-requests", label: "staff.nav.proxyRequests" },
  { to: "/account", label: "nav.account" },
];

// Admins are staff of their organization too: their list adds the organization's settings.
export const adminNav: NavItem[] = [
  ...staffNav,
  { to: "/admin/staff", label: "admin.nav.staff" },
  { to: "/admin/care-teams", label: "admin.nav.careTeams" },
  { to: "/admin/appointment-policy", label: "admin.nav.appointmentPolicy" },
  { to: "/admin/feed-sources", label: "admin.nav.feedSources" },
  { to: "/admin/release-policy", label: "admin.nav.releasePolicy" },
  { to: "/admin/terms", label: "admin.nav.terms" },
  { to: "/admin/organization", label: "admin.nav.organization" },
  { to: "/admin/dead-letters", label: "admin.nav.deadLetters" },
  { to: "/admin/forms", label: "admin.nav.forms" },
  { to: "/admin/visit-types", label: "admin.nav.visitTypes" },
  { to: "/admin/sensitive-codes", label: "admin.nav.sensitiveCodes" },
  { to: "/admin/apps", label: "admin.nav.apps" },
];

export function navFor(role: "patient" | "staff" | "admin"): NavItem[] {
  return role === "patient" ? patientNav : role === "admin" ? adminNav : staffNav;
}
