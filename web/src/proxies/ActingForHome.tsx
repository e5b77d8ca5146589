import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import type { Schemas } from "../api/client";
import { firstCoveredPage } from "./firstPage";
import { areasText, relationshipText } from "./format";

/**
 * Home's part for the records the account acts for: each patient by name with a link to the first
 * page its grant covers. An account with neither a record of its own nor anyone to act for is told
 * what it can do (ask for access, or accept an invitation) instead of being shown record pages.
 */
export function ActingForHome({ me }: { me: Schemas["Me"] }) {
  const { t } = useTranslation();
  if (me.acting_for.length === 0) {
    if (me.patient !== null) return null;
    return (
      <section aria-labelledby="home-no-record">
        <h2 id="home-no-record">{t("proxies.home.noRecordTitle")}</h2>
        <p>{t("proxies.home.noRecord")}</p>
        <p>
          <Link className="usa-button" to="/proxy-requests/new">
            {t("proxies.requests.ask")}
          </Link>
        </p>
        <p>{t("proxies.home.invited")}</p>
      </section>
    );
  }
  return (
    <section aria-labelledby="home-acting-for">
      <h2 id="home-acting-for">{t("proxies.home.actingFor")}</h2>
      <ul className="usa-list">
        {me.acting_for.map((grant) => (
          <li key={grant.grant_id}>
            <Link to={firstCoveredPage(grant.patient_id, grant.areas)}>
              {t("proxies.mine.open", { name: grant.name })}
            </Link>
            <br />
            <span className="text-base">
              {relationshipText(t, grant.relationship)} · {areasText(t, grant.areas)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
