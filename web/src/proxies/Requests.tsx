import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Link, Navigate } from "react-router";
import { useDates } from "../components/dates";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { useToken } from "../session";
import { fetchMyRequests } from "./calls";
import { relationshipText, requestStatusText } from "./format";
import { MyGrants } from "./MyGrants";

/** The signed-in account's requests to act for someone, newest first, each with its status in words. */
export function Requests() {
  const { t } = useTranslation();
  usePageTitle(t("proxies.requests.title"));
  const token = useToken();
  if (token === null) return <Navigate to="/sign-in" replace />;
  return <RequestsView token={token} />;
}

function RequestsView({ token }: { token: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const requests = useQuery({ queryKey: ["proxy-requests", token], queryFn: fetchMyRequests });
  return (
    <>
      <h1>{t("proxies.requests.title")}</h1>
      <p>{t("proxies.requests.intro")}</p>
      <p>
        <Link className="usa-button" to="/proxy-requests/new">
          {t("proxies.requests.ask")}
        </Link>
      </p>
      {requests.isPending && <p>{t("app.loading")}</p>}
      {requests.isError && <Problem message={requests.error.message} />}
      {requests.data &&
        (requests.data.requests.length === 0 ? (
          <p>{t("proxies.requests.none")}</p>
        ) : (
          <ul className="usa-list usa-list--unstyled">
            {requests.data.requests.map((request) => (
              <li key={request.request_id} className="border-top-1px border-base-lighter padding-y-2">
                <Link className="text-bold" to={`/proxy-requests/${encodeURIComponent(request.request_id)}`}>
                  {t("proxies.requests.for", { name: `${request.patient.given_name} ${request.patient.family_name}` })}
                </Link>
                <br />
                {relationshipText(t, request.relationship)} · {request.organization_name}
                <br />
                <span className="usa-tag margin-right-1">{requestStatusText(t, request.status)}</span>{" "}
                <span className="text-base">{t("proxies.requests.started", { date: dates.day(request.created_at) })}</span>
              </li>
            ))}
          </ul>
        ))}
      <MyGrants token={token} />
    </>
  );
}
