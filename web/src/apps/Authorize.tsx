import { useQuery } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { Navigate, useLocation, useSearchParams } from "react-router";
import { useTranslation } from "react-i18next";
import { signInThenBack } from "../account/returnPath";
import { momentText } from "../components/dates";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { useToken } from "../session";
import { fetchAuthorizationRequest } from "./calls";
import { ConsentForm } from "./ConsentForm";
import type { AuthorizationRequest, ShareablePatient } from "./types";

/**
 * The problems GET /oauth2/authorize names when it cannot send the visitor back to the app (OAuth's
 * error codes, as Authlib raises them: an unknown client is invalid_client; a redirect URI the app
 * did not register is invalid_request, the only request error not sent back to the app).
 */
const PROBLEMS = {
  unknown_client: "unknown_client",
  invalid_client: "unknown_client",
  invalid_request: "invalid_redirect_uri",
  invalid_redirect_uri: "invalid_redirect_uri",
  redirect_uri: "invalid_redirect_uri",
  expired: "expired",
  expired_request: "expired",
  request_expired: "expired",
} as const;

/**
 * The page an app sends a patient to (through GET /oauth2/authorize): who the app is, what it asks
 * to read, in plain words, the warning that what an app holds may leave federal health-privacy law,
 * and Allow or Deny. A visitor who is not signed in signs in first (the second factor included)
 * and comes back here. `?problem=` is the authorization server saying the app's request could not
 * be taken up (an app it does not know, an address the app did not register): that is said in
 * words, with nothing to click, since there is no app to go back to safely.
 */
export function Authorize() {
  const [search] = useSearchParams();
  const location = useLocation();
  const token = useToken();
  const problem = search.get("problem");
  const requestId = search.get("request") ?? "";
  if (problem !== null) return <AppProblem code={problem} />;
  if (token === null) return <Navigate to={signInThenBack(location.pathname + location.search)} replace />;
  if (!requestId) return <AppProblem code="other" />;
  return <Consent requestId={requestId} token={token} />;
}

function AppProblem({ code }: { code: string }) {
  const { t } = useTranslation();
  const known = code in PROBLEMS ? PROBLEMS[code as keyof typeof PROBLEMS] : "other";
  usePageTitle(t("apps.authorize.problemTitle"));
  return (
    <>
      <h1>{t("apps.authorize.problemTitle")}</h1>
      <Problem message={t(`apps.authorize.problems.${known}`)} />
      <p className="margin-top-2">{t("apps.authorize.problemNext")}</p>
    </>
  );
}

function Consent({ requestId, token }: { requestId: string; token: string }) {
  const { t, i18n } = useTranslation();
  const request = useQuery({
    queryKey: ["app-authorization-request", token, requestId],
    queryFn: () => fetchAuthorizationRequest(requestId),
  });
  const title = request.data ? titleOf(request.data, t) : t("apps.authorize.titlePlain");
  usePageTitle(title);
  if (request.isPending) return <p>{t("app.loading")}</p>;
  if (request.isError) {
    // unknown, expired or already used (or an account that may not connect apps): the API says
    // which; the app must start over either way (a new request from it)
    return (
      <>
        <h1>{t("apps.authorize.problemTitle")}</h1>
        <Problem message={request.error.message} />
        <p className="margin-top-2">{t("apps.authorize.startAgain")}</p>
      </>
    );
  }
  const { app } = request.data;
  const other = onlyOther(request.data);
  return (
    <>
      <div className="display-flex flex-align-center">
        {app.logo_url && (
          <img src={app.logo_url} alt="" width={64} height={64} className="margin-right-2" referrerPolicy="no-referrer" />
        )}
        <h1>{title}</h1>
      </div>
      <p className="usa-intro">
        {other ? t("apps.authorize.wantsOther", { app: app.name, name: other.name }) : t("apps.authorize.wants", { app: app.name })}
      </p>
      {app.description && <p>{app.description}</p>}
      <p>
        {app.privacy_policy_url ? (
          <a className="usa-link usa-link--external" href={app.privacy_policy_url} target="_blank" rel="noopener noreferrer">
            {t("apps.authorize.privacy", { app: app.name })}
          </a>
        ) : (
          t("apps.authorize.noPrivacy", { app: app.name })
        )}
      </p>
      <div className="usa-alert usa-alert--warning margin-y-3">
        <div className="usa-alert__body">
          <h2 className="usa-alert__heading">{t("apps.authorize.warningTitle")}</h2>
          <p className="usa-alert__text">{t("apps.authorize.warning")}</p>
        </div>
      </div>
      <ConsentForm request={request.data} />
      <p className="usa-hint margin-top-2">
        {t("apps.authorize.expires", { time: momentText(request.data.expires_at, i18n.language) })}
      </p>
    </>
  );
}

/** The one record the request may connect, when it is someone the account acts for (not its own). */
function onlyOther(request: AuthorizationRequest): ShareablePatient | null {
  const [only, ...more] = request.patients;
  return only && more.length === 0 && only.relationship !== "self" ? only : null;
}

function titleOf(request: AuthorizationRequest, t: TFunction): string {
  const other = onlyOther(request);
  return other
    ? t("apps.authorize.titleOther", { app: request.app.name, name: other.name })
    : t("apps.authorize.title", { app: request.app.name });
}
