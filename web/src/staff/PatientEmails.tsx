import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { load } from "../api/errors";
import { momentText } from "../components/dates";
import { emailKindText } from "../components/emailKinds";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { act } from "./act";
import { staffPatientKey } from "./queries";

type Email = Schemas["PatientEmail"];
type Portal = Schemas["PatientPortal"];
type Said = { ok: boolean; text: string } | null;

// Under the patient's own key: whatever refreshes the patient (an invitation sent again from the
// Invitations section) refreshes this list too.
const emailsKey = (token: string, patientId: string) => [...staffPatientKey(token, patientId), "emails"];

/**
 * Every email the portal asked for about the patient and their portal account, newest first
 * (GET /v1/staff/patients/{id}/emails): what it was, when, what became of it, and what staff can
 * do about one that failed. A patient who says "I never got the email" is answered here.
 */
export function PatientEmails({ token, patientId, portal }: { token: string; patientId: string; portal: Portal }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [said, setSaid] = useState<Said>(null);
  const emails = useQuery({
    queryKey: emailsKey(token, patientId),
    queryFn: () =>
      load(() => api.GET("/v1/staff/patients/{patient_id}/emails", { params: { path: { patient_id: patientId } } })),
  });
  const resend = useMutation({
    mutationFn: (invitationId: string) =>
      act(() =>
        api.POST("/v1/staff/invitations/{invitation_id}/resend", { params: { path: { invitation_id: invitationId } } }),
      ),
    onSuccess: (answer) => {
      setSaid({ ok: true, text: t("staff.emails.resent", { when: answer ? momentText(answer.expires_at, i18n.language) : "" }) });
      void queryClient.invalidateQueries({ queryKey: staffPatientKey(token, patientId) });
    },
    onError: (error) => setSaid({ ok: false, text: error.message }),
  });

  function nextStep(email: Email) {
    if (email.next_step === null) return null;
    if (email.next_step !== "send_again") return t(`staff.emails.step.${email.next_step}`);
    if (!resendable(portal, email.invitation_id)) return t("staff.emails.step.sendAgainLater");
    return (
      <button
        type="button"
        className="usa-button usa-button--outline margin-y-05"
        disabled={resend.isPending}
        onClick={() => {
          setSaid(null);
          if (email.invitation_id) resend.mutate(email.invitation_id);
        }}
        aria-label={t("staff.emails.resendLabel", { when: momentText(email.asked_at, i18n.language) })}
      >
        {t("staff.emails.step.send_again")}
      </button>
    );
  }

  return (
    <section aria-labelledby="patient-emails" className="margin-top-4">
      <h2 id="patient-emails">{t("staff.emails.title")}</h2>
      <p>{t("staff.emails.intro")}</p>
      <Notice text={said?.text} ok={said?.ok} />
      {emails.isPending && <p>{t("app.loading")}</p>}
      {emails.isError && <Problem message={emails.error.message} />}
      {emails.data &&
        (emails.data.emails.length === 0 ? (
          <p>{t("staff.emails.none")}</p>
        ) : (
          <table className="usa-table usa-table--stacked usa-table--borderless width-full">
            <caption className="usa-sr-only">{t("staff.emails.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("staff.emails.kind")}</th>
                <th scope="col">{t("staff.emails.askedAt")}</th>
                <th scope="col">{t("staff.emails.state")}</th>
                <th scope="col">{t("staff.emails.next")}</th>
              </tr>
            </thead>
            <tbody>
              {emails.data.emails.map((email) => (
                <tr key={`${email.kind}-${email.asked_at}-${email.invitation_id ?? ""}`}>
                  <th scope="row" data-label={t("staff.emails.kind")}>
                    {emailKindText(t, email.kind)}
                  </th>
                  <td data-label={t("staff.emails.askedAt")}>{momentText(email.asked_at, i18n.language)}</td>
                  <td data-label={t("staff.emails.state")}>
                    <DeliveryState email={email} />
                  </td>
                  <td data-label={t("staff.emails.next")}>{nextStep(email)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}

function DeliveryState({ email }: { email: Email }) {
  const { t, i18n } = useTranslation();
  if (email.state === "queued") return <>{t("staff.emails.queued")}</>;
  if (email.state === "not_emailed") return <>{t("staff.emails.notEmailed")}</>;
  if (email.state === "sent")
    return <>{t("staff.emails.sent", { when: momentText(email.sent_at ?? email.updated_at, i18n.language) })}</>;
  return (
    <strong className="text-secondary-dark">
      {t("staff.emails.failed", { reason: t(`staff.emails.reason.${email.reason ?? "not_sent"}`) })}
    </strong>
  );
}

// The API sends an invitation again while it is pending or has expired and the patient may still
// be invited (no access yet, not recorded as deceased): otherwise staff are pointed to a new one.
function resendable(portal: Portal, invitationId: string | null): boolean {
  const invitation = portal.invitations.find((candidate) => candidate.invitation_id === invitationId);
  return (
    invitation !== undefined &&
    (invitation.status === "pending" || invitation.status === "expired") &&
    !portal.patient.deceased &&
    !["active", "suspended"].includes(portal.portal_status)
  );
}
