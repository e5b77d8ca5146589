import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useLocation, useParams } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { momentText, whenText } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";
import { act } from "./act";
import { ContactEmail } from "./ContactEmail";
import { EmailDelivery } from "./EmailDelivery";
import { patientName } from "./format";
import { PatientEmails } from "./PatientEmails";
import { PatientProxies } from "./PatientProxies";
import { fetchStaffPatient, staffPatientKey } from "./queries";
import { ReleaseChoices } from "./ReleaseChoices";

type Portal = Schemas["PatientPortal"];
type Invitation = Schemas["PortalInvitation"];
type PortalAction = Schemas["PortalAccessChange"]["action"];
type Said = { ok: boolean; text: string } | null;

// Reason codes for the audit trail (the API takes a short code, never free text).
const reasons = ["patient_request", "lost_device", "security_concern", "other"] as const;
// Actions that sign the patient out or end access: asked about first.
const asksFirst = ["suspend", "terminate", "reset_second_factor", "follow_merge"] as const;
type AskedFirst = (typeof asksFirst)[number];
const isAskedFirst = (action: PortalAction): action is AskedFirst => (asksFirst as readonly string[]).includes(action);

/**
 * A patient as staff see them when the patient calls about the portal: who they are, their portal
 * account and invitations (GET /v1/staff/patients/{id}), and what staff can do about them.
 */
export function PatientDetail() {
  const { t } = useTranslation();
  // The title names the kind of page, never the patient: titles stay in the browser's history.
  usePageTitle(t("staff.patient.title"));
  const { patientId = "" } = useParams();
  return <StaffPage>{(token) => <PatientView key={patientId} token={token} patientId={patientId} />}</StaffPage>;
}

function PatientView({ token, patientId }: { token: string; patientId: string }) {
  const { t, i18n } = useTranslation();
  const location = useLocation();
  const portal = useQuery({
    queryKey: staffPatientKey(token, patientId),
    queryFn: () => fetchStaffPatient(patientId),
  });
  if (portal.isPending) return <p>{t("app.loading")}</p>;
  if (portal.isError)
    return (
      <>
        <h1>{t("staff.patient.title")}</h1>
        <Problem message={portal.error.message} />
        <Link to="/staff/patients">{t("staff.find.title")}</Link>
      </>
    );
  const { patient } = portal.data;
  const registered = (location.state as { registered?: boolean } | null)?.registered === true;
  return (
    <>
      <h1>{patientName(patient)}</h1>
      {registered && <Notice text={t("staff.register.done")} />}
      {patient.deceased && (
        <div className="usa-alert usa-alert--info usa-alert--slim" role="status">
          <div className="usa-alert__body">
            <p className="usa-alert__text">
              <strong>
                {patient.deceased_on
                  ? t("staff.patient.deceasedOn", { date: whenText(patient.deceased_on, i18n.language) ?? patient.deceased_on })
                  : t("staff.patient.deceased")}
              </strong>{" "}
              {t("staff.patient.deceasedMeans")}
            </p>
          </div>
        </div>
      )}
      <section aria-labelledby="demographics">
        <h2 id="demographics">{t("staff.patient.demographics")}</h2>
        <dl className="margin-0">
          <Fact term={t("staff.patient.familyName")} value={patient.family_name} />
          <Fact term={t("staff.patient.givenNames")} value={patient.given_names.join(" ") || t("staff.notGiven")} />
          <Fact
            term={t("staff.patient.birthDate")}
            value={whenText(patient.birth_date, i18n.language) ?? t("staff.notGiven")}
          />
          <Fact term={t("staff.patient.sex")} value={patient.sex ? t(`staff.sex.${patient.sex}`) : t("staff.notGiven")} />
          <Fact
            term={t("staff.patient.identifiers")}
            value={
              patient.identifiers.length === 0
                ? t("staff.notGiven")
                : patient.identifiers
                    .map((id) => t("staff.patient.identifier", { value: id.value, authority: id.authority, type: id.type || "-" }))
                    .join("; ")
            }
          />
        </dl>
        <p>
          <Link to={`/staff/patients/${encodeURIComponent(patientId)}/results`}>{t("staff.results.title")}</Link>
          {" · "}
          <Link to={`/staff/patients/${encodeURIComponent(patientId)}/health-summary`}>{t("staff.summary.title")}</Link>
        </p>
      </section>
      <ContactEmail token={token} patientId={patientId} portal={portal.data} />
      <ReleaseChoices token={token} patientId={patientId} />
      <PortalAccess token={token} patientId={patientId} portal={portal.data} />
      <Invitations token={token} patientId={patientId} portal={portal.data} />
      <PatientEmails token={token} patientId={patientId} portal={portal.data} />
      <PatientProxies token={token} patientId={patientId} />
    </>
  );
}

function Fact({ term, value }: { term: string; value: string }) {
  return (
    <div className="margin-bottom-1">
      <dt className="text-bold display-inline">{term}: </dt>
      <dd className="margin-0 display-inline">{value}</dd>
    </div>
  );
}

/** The actions that apply to the account as it stands; the API refuses the others with a 409. */
export function portalActions(portal: Portal): PortalAction[] {
  const account = portal.account;
  const actions: PortalAction[] = [];
  if (portal.merged_into && account) actions.push("follow_merge");
  if (account === null || account.status === "terminated") return actions;
  if (account.locked) actions.push("unlock");
  // Sign-in is refused while the record says deceased, whatever the account's status: only ending
  // access for good is left to do.
  if (account.closed_reason === "deceased") return [...actions, "terminate"];
  actions.push(account.status === "suspended" ? "reinstate" : "suspend");
  if (account.second_factors.length > 0) actions.push("reset_second_factor");
  actions.push("terminate");
  return actions;
}

function PortalAccess({ token, patientId, portal }: { token: string; patientId: string; portal: Portal }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [reason, setReason] = useState("");
  const [asking, setAsking] = useState<AskedFirst | null>(null);
  const [said, setSaid] = useState<Said>(null);
  const name = patientName(portal.patient);
  const change = useMutation({
    mutationFn: (action: PortalAction) =>
      act(() =>
        api.POST("/v1/staff/patients/{patient_id}/portal-access", {
          params: { path: { patient_id: patientId } },
          body: { action, reason },
        }),
      ),
    onSuccess: (answer, action) => {
      setSaid({
        ok: true,
        text: t(`staff.access.done.${action}`, {
          sessions: answer?.sessions_ended ?? 0,
          status: t(`staff.portalStatus.${answer?.portal_status ?? portal.portal_status}`),
        }),
      });
      void queryClient.invalidateQueries({ queryKey: staffPatientKey(token, patientId) });
    },
    onError: (error) => setSaid({ ok: false, text: error.message }),
    onSettled: () => setAsking(null),
  });
  const { account } = portal;
  const actions = portalActions(portal);

  function start(action: PortalAction) {
    setSaid(null);
    if (isAskedFirst(action)) setAsking(action);
    else change.mutate(action);
  }

  return (
    <section aria-labelledby="portal-access" className="margin-top-4">
      <h2 id="portal-access">{t("staff.access.title")}</h2>
      <p>
        {t("staff.patient.portalStatus")}: <strong>{t(`staff.portalStatus.${portal.portal_status}`)}</strong>
      </p>
      {portal.merged_into && (
        <div className="usa-alert usa-alert--info usa-alert--slim">
          <div className="usa-alert__body">
            <p className="usa-alert__text">
              {t("staff.access.merged")}{" "}
              <Link to={`/staff/patients/${encodeURIComponent(portal.merged_into)}`}>{t("staff.access.survivor")}</Link>
            </p>
          </div>
        </div>
      )}
      {waitsForRecord(portal) ? (
        <p>{t("staff.access.waitingConnection")}</p>
      ) : account === null ? (
        <p>{t("staff.access.noAccount")}</p>
      ) : (
        <dl className="margin-0">
          <Fact term={t("staff.access.username")} value={account.username} />
          <Fact
            term={t("staff.access.accountStatus")}
            value={
              account.closed_reason === "deceased"
                ? t("staff.access.closedDeceased")
                : t(`staff.accountStatus.${account.status}`)
            }
          />
          <Fact term={t("staff.access.locked")} value={account.locked ? t("staff.access.lockedYes") : t("staff.access.lockedNo")} />
          <Fact term={t("staff.access.emailVerified")} value={account.email_verified ? t("staff.yes") : t("staff.no")} />
          <Fact
            term={t("staff.access.secondFactors")}
            value={
              account.second_factors.length === 0
                ? t("staff.access.noSecondFactor")
                : account.second_factors.map((factor) => t(`staff.factor.${factor}`)).join(", ")
            }
          />
        </dl>
      )}
      <Notice text={said?.text} ok={said?.ok} />
      {actions.length > 0 && (
        <>
          <h3>{t("staff.access.actions")}</h3>
          <div className="usa-form-group maxw-mobile-lg">
            <label className="usa-label" htmlFor="access-reason">
              {t("staff.access.reason")}
            </label>
            <select className="usa-select" id="access-reason" value={reason} onChange={(event) => setReason(event.target.value)}>
              <option value="">{t("staff.access.noReason")}</option>
              {reasons.map((code) => (
                <option key={code} value={code}>
                  {t(`staff.access.reasons.${code}`)}
                </option>
              ))}
            </select>
          </div>
          <ul className="usa-button-group margin-top-2">
            {actions.map((action) => (
              <li key={action} className="usa-button-group__item">
                <button
                  type="button"
                  className={`usa-button${action === "terminate" || action === "suspend" ? " usa-button--secondary" : " usa-button--outline"}`}
                  onClick={() => start(action)}
                  disabled={change.isPending}
                >
                  {t(`staff.access.action.${action}`)}
                </button>
              </li>
            ))}
          </ul>
          {asking && (
            <Confirm
              key={asking}
              question={t(`staff.access.ask.${asking}`, { name })}
              confirmLabel={t(`staff.access.confirm.${asking}`)}
              busy={change.isPending}
              onConfirm={() => change.mutate(asking)}
              onCancel={() => setAsking(null)}
            />
          )}
        </>
      )}
    </section>
  );
}

// Invited, yet no invitation is pending: a revoked, burned or expired one shows as not invited, so
// this is a patient enrolled elsewhere who used the code and waits for the record's birth date and
// family name to arrive from the feed (the API refuses a new invitation then).
const waitsForRecord = (portal: Portal) =>
  portal.portal_status === "invited" && !portal.invitations.some((invitation) => invitation.status === "pending");

// An invitation can be sent again while the patient has no access, is not recorded as deceased and
// no connection waits for the record (the API answers 409 otherwise).
const canInvite = (portal: Portal) =>
  !portal.patient.deceased && !["active", "suspended"].includes(portal.portal_status) && !waitsForRecord(portal);

function Invitations({ token, patientId, portal }: { token: string; patientId: string; portal: Portal }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [said, setSaid] = useState<Said>(null);
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: staffPatientKey(token, patientId) });
  const resend = useMutation({
    mutationFn: (invitation: Invitation) =>
      act(() =>
        api.POST("/v1/staff/invitations/{invitation_id}/resend", {
          params: { path: { invitation_id: invitation.invitation_id } },
        }),
      ),
    onSuccess: (answer, invitation) => {
      setSaid({
        ok: true,
        text: t("staff.invite.resent", {
          email: invitation.email,
          when: answer ? momentText(answer.expires_at, i18n.language) : "",
        }),
      });
      void refresh();
    },
    onError: (error) => setSaid({ ok: false, text: error.message }),
  });
  const revoke = useMutation({
    mutationFn: (invitation: Invitation) =>
      act(() =>
        api.DELETE("/v1/staff/invitations/{invitation_id}", {
          params: { path: { invitation_id: invitation.invitation_id } },
        }),
      ),
    onSuccess: () => {
      setSaid({ ok: true, text: t("staff.invite.revoked") });
      void refresh();
    },
    onError: (error) => setSaid({ ok: false, text: error.message }),
    onSettled: () => setRevoking(null),
  });
  const invitable = canInvite(portal);
  const busy = resend.isPending || revoke.isPending;

  return (
    <section aria-labelledby="invitations" className="margin-top-4">
      <h2 id="invitations">{t("staff.invite.title")}</h2>
      <Notice text={said?.text} ok={said?.ok} />
      {revoking && (
        <Confirm
          key={revoking.invitation_id}
          question={t("staff.invite.askRevoke", { email: revoking.email })}
          confirmLabel={t("staff.invite.confirmRevoke")}
          busy={revoke.isPending}
          onConfirm={() => revoke.mutate(revoking)}
          onCancel={() => setRevoking(null)}
        />
      )}
      {portal.invitations.length === 0 ? (
        <p>{t("staff.invite.none")}</p>
      ) : (
        <table className="usa-table usa-table--stacked usa-table--borderless width-full">
          <caption className="usa-sr-only">{t("staff.invite.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("staff.invite.sent")}</th>
              <th scope="col">{t("staff.invite.email")}</th>
              <th scope="col">{t("staff.invite.status")}</th>
              <th scope="col">{t("staff.delivery.title")}</th>
              <th scope="col">{t("staff.invite.expires")}</th>
              <th scope="col">{t("staff.invite.wrongAnswers")}</th>
              <th scope="col">{t("staff.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {portal.invitations.map((invitation) => (
              <tr key={invitation.invitation_id}>
                <th scope="row" data-label={t("staff.invite.sent")}>
                  {invitation.created_at ? momentText(invitation.created_at, i18n.language) : t("staff.notGiven")}
                </th>
                <td data-label={t("staff.invite.email")}>{invitation.email}</td>
                <td data-label={t("staff.invite.status")}>{t(`staff.invitationStatus.${invitation.status}`)}</td>
                <td data-label={t("staff.delivery.title")}>
                  <EmailDelivery delivery={invitation.email_delivery} />
                </td>
                <td data-label={t("staff.invite.expires")}>{momentText(invitation.expires_at, i18n.language)}</td>
                <td data-label={t("staff.invite.wrongAnswers")}>{invitation.failed_attempts}</td>
                <td data-label={t("staff.actions")}>
                  {invitable && (invitation.status === "pending" || invitation.status === "expired") && (
                    <button
                      type="button"
                      className="usa-button usa-button--outline margin-y-05"
                      disabled={busy}
                      onClick={() => {
                        setSaid(null);
                        resend.mutate(invitation);
                      }}
                      aria-label={t("staff.invite.resendTo", { email: invitation.email })}
                    >
                      {t("staff.invite.resend")}
                    </button>
                  )}
                  {invitation.status === "pending" && (
                    <button
                      type="button"
                      className="usa-button usa-button--secondary margin-y-05"
                      disabled={busy}
                      onClick={() => {
                        setSaid(null);
                        setRevoking(invitation);
                      }}
                      aria-label={t("staff.invite.revokeTo", { email: invitation.email })}
                    >
                      {t("staff.invite.revoke")}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {invitable ? (
        <InviteForm token={token} patientId={patientId} onSent={setSaid} />
      ) : (
        <p>
          {portal.patient.deceased
            ? t("staff.invite.deceased")
            : waitsForRecord(portal)
              ? t("staff.invite.waitingConnection")
              : t("staff.invite.hasAccess")}
        </p>
      )}
    </section>
  );
}

function InviteForm({ token, patientId, onSent }: { token: string; patientId: string; onSent: (said: Said) => void }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const email = String(new FormData(form).get("email")).trim();
    setBusy(true);
    setErrors(noErrors);
    onSent(null);
    try {
      const { data, error } = await api.POST("/v1/staff/invitations", { body: { patient_id: patientId, email } });
      if (data === undefined) {
        setErrors(formErrors(error, ["email"], t("errors.unexpected")));
      } else {
        form.reset();
        onSent({ ok: true, text: t("staff.invite.sentTo", { email, when: momentText(data.expires_at, i18n.language) }) });
        void queryClient.invalidateQueries({ queryKey: staffPatientKey(token, patientId) });
      }
    } catch {
      setErrors({ fields: {}, general: [t("errors.network")] });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="usa-form margin-top-2" onSubmit={onSubmit} noValidate aria-labelledby="invite-heading">
      <h3 id="invite-heading">{t("staff.invite.new")}</h3>
      <ErrorSummary messages={errors.general} />
      <TextField
        name="email"
        type="email"
        label={t("staff.invite.email")}
        hint={t("staff.invite.emailHint")}
        error={errors.fields.email}
        autoComplete="off"
        required
      />
      <button className="usa-button" type="submit" disabled={busy}>
        {t("staff.invite.send")}
      </button>
    </form>
  );
}
