import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useDates } from "../components/dates";
import { Fact, Facts } from "../components/Facts";
import { Problem } from "../components/Problem";
import { fetchMyGrants } from "./calls";
import { firstCoveredPage } from "./firstPage";
import { areasText, relationshipText, untilText } from "./format";

/**
 * The records this account may act for, and those it no longer may (GET /v1/me/proxy-grants): where
 * the email "an update to your access" points, so a grant ended, revoked or renewed is said here
 * with when, beside the requests that led to it.
 */
export function MyGrants({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const dates = useDates();
  const grants = useQuery({ queryKey: ["my-proxy-grants", token], queryFn: fetchMyGrants });
  return (
    <section aria-labelledby="my-grants" className="margin-top-4">
      <h2 id="my-grants">{t("proxies.mine.title")}</h2>
      {grants.isPending && <p>{t("app.loading")}</p>}
      {grants.isError && <Problem message={grants.error.message} />}
      {grants.data &&
        (grants.data.grants.length === 0 ? (
          <p>{t("proxies.mine.none")}</p>
        ) : (
          <ul className="usa-list usa-list--unstyled">
            {grants.data.grants.map((grant) => (
              <li key={grant.grant_id} className="border-top-1px border-base-lighter padding-y-2">
                <h3 className="margin-y-0">{grant.patient_name}</h3>
                <p className="margin-y-1">
                  <span className="usa-tag">{t(`proxies.mine.status.${grant.status}`)}</span>
                  {grant.ended_at && <> {t("proxies.mine.endedOn", { date: dates.day(grant.ended_at) })}</>}
                </p>
                <Facts>
                  <Fact term={t("proxies.grant.relationship")}>{relationshipText(t, grant.relationship)}</Fact>
                  <Fact term={t("proxies.grant.sees")}>{areasText(t, grant.areas)}</Fact>
                  <Fact term={t("proxies.grant.access")}>{t(`proxies.access.${grant.access}`)}</Fact>
                  {/* once it has ended, the date it would have run to only confuses */}
                  {!grant.ended_at && <Fact term={t("proxies.grant.until")}>{untilText(t, grant, i18n.language)}</Fact>}
                </Facts>
                {grant.status === "active" && (
                  <Link to={firstCoveredPage(grant.patient_id, grant.areas)}>
                    {t("proxies.mine.open", { name: grant.patient_name })}
                  </Link>
                )}
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}
