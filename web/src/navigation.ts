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
}

export const patientNav: NavItem[] = [
  { to: "/", label: "nav.home" },
  { to: "/messages", label: "messages.nav", count: { of: "unread_messages", label: "messages.navUnread" } },
  { to: "/results", label: "nav.results" },
  { to: "/documents", label: "nav.documents" },
  { to: "/health-summary", label: "nav.healthSummary" },
  { to: "/medications", label: "medications.nav" },
  { to: "/appointments", label: "appointments.nav" },
  { to: "/upcoming", label: "nav.upcoming" },
  { to: "/access-log", label: "nav.accessLog" },
  { to: "/connections", label: "nav.connections" },
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
];

export function navFor(role: "patient" | "staff" | "admin"): NavItem[] {
  return role === "patient" ? patientNav : role === "admin" ? adminNav : staffNav;
}
