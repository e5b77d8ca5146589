import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { fetchWorklist, worklistKey } from "./queries";

/** What the home page adds for staff and admins: their pages, and how many calls are waiting. */
export function StaffHome({ token }: { token: string }) {
  const { t } = useTranslation();
  const worklist = useQuery({ queryKey: worklistKey(token), queryFn: fetchWorklist });
  return (
    <nav aria-labelledby="staff-work">
      <h2 id="staff-work">{t("staff.home.title")}</h2>
      <ul className="usa-list">
        <li>
          <Link to="/staff/patients">{t("staff.find.title")}</Link>
        </li>
        <li>
          <Link to="/staff/patients/new">{t("staff.register.title")}</Link>
        </li>
        <li>
          <Link to="/staff/worklist">{t("staff.worklist.title")}</Link>
          {": "}
          {worklist.isPending && t("app.loading")}
          {worklist.isError && t("staff.home.countUnknown")}
          {worklist.data && t("staff.home.openItems", { count: worklist.data.items.length })}
        </li>
        <li>
          <Link to="/staff/quarantine">{t("staff.quarantine.title")}</Link>
        </li>
        <li>
          <Link to="/staff/mismatches">{t("staff.mismatches.title")}</Link>
        </li>
        <li>
          <Link to="/staff/support">{t("staff.nav.support")}</Link>
        </li>
        <li>
          <Link to="/staff/messages">{t("staffMessages.home")}</Link>
          <Link to="/staff/refill-requests">{t("staffRefills.nav")}</Link>
        </li>
        <li>
          <Link to="/staff/appointment-requests">{t("staff.nav.appointmentRequests")}</Link>
        </li>
        <li>
          <Link to="/staff/check-ins">{t("staff.checkIns.title")}</Link>
        </li>
      </ul>
    </nav>
  );
}
