import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { endGrant, fetchStaffProxies, staffRenewGrant } from "../proxies/calls";
import { areasText, relationshipText, untilText } from "../proxies/format";
import type { ProxyGrantView } from "../proxies/types";

const IN_FORCE = new Set(["active", "awaiting_consent", "invited"]);

/**
 * The patient page's "Proxies": everyone who acts (or asked to act) for the patient, with what
 * they see and until when; staff end someone's access with a reason, or renew it.
 */
export function PatientProxies({ token, patientId }: { token: string; patientId: string }) {
  const { t, i18n } = useTranslation();
  const dates = useDates();
  const queryClient = useQueryClient();
  const key = ["staff-patient-proxies", token, patientId];
  const proxies = useQuery({
    queryKey: key,
    queryFn: () => fetchStaffProxies(patientId),
  });
  const [notice, setNotice] = useState("");
  const changed = (said: string) => {
    setNotice(said);
    void queryClient.invalidateQueries({ queryKey: key });
  };
  return (
    <section aria-labelledby="proxies-heading" className="margin-top-4">
      <h2 id="proxies-heading">{t("staff.proxies.title")}</h2>
      <Notice text={notice} />
      {proxies.isPending && <p>{t("app.loading")}</p>}
      {proxies.isError && <Problem message={proxies.error.message} />}
      {proxies.data &&
        (proxies.data.proxies.length === 0 ? (
          <p>{t("staff.proxies.none")}</p>
        ) : (
          <ul className="usa-list usa-list--unstyled">
            {proxies.data.proxies.map((grant) => (
              <li key={grant.grant_id} className="border-top-1px border-base-lighter padding-y-2">
                <h3 className="margin-y-0">{grant.proxy_name}</h3>
                <p className="margin-y-05">
                  {relationshipText(t, grant.relationship)} · {t(`staff.proxies.status.${grant.status}`)} ·{" "}
                  {t(`proxies.access.${grant.access}`)}
                </p>
                <p className="margin-y-05">
                  {t("staff.proxies.sees", { areas: areasText(t, grant.areas) })} {untilText(t, grant, i18n.language)}
                </p>
                {grant.end_reason && (
                  <p className="margin-y-05 text-base">
                    {t("staff.proxies.ended", { date: grant.ended_at ? dates.day(grant.ended_at) : "", reason: endReasonText(t, grant.end_reason) })}
                  </p>
                )}
                {IN_FORCE.has(grant.status) && (
                  <GrantActions patientId={patientId} grant={grant} onDone={changed} />
                )}
              </li>
            ))}
          </ul>
        ))}
    </section>
  );
}

function GrantActions({ patientId, grant, onDone }: { patientId: string; grant: ProxyGrantView; onDone: (said: string) => void }) {
  const { t } = useTranslation();
  const [ending, setEnding] = useState(false);
  const [reason, setReason] = useState("");
  const [endsAt, setEndsAt] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const end = useMutation({
    mutationFn: () => endGrant(patientId, grant.grant_id, reason.trim()),
    onSuccess: () => onDone(t("staff.proxies.endDone", { name: grant.proxy_name })),
    onError: (error) => setErrors(formErrors(error, ["reason"], t("errors.network"))),
  });
  const submission = useSubmissionKey();
  const renew = useMutation({
    mutationFn: () => staffRenewGrant(patientId, grant.grant_id, endsAt, submission.keyFor({ endsAt })),
    onSuccess: () => {
      submission.done();
      onDone(t("staff.proxies.renewDone", { name: grant.proxy_name }));
    },
    onError: (error) => setErrors(formErrors(error, ["ends_at"], t("errors.network"))),
  });
  const submitEnd = (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return setErrors({ fields: { reason: t("errors.required") }, general: [] });
    end.mutate();
  };
  const id = grant.grant_id;
  return (
    <>
      <ErrorSummary messages={errors.general} />
      {!ending ? (
        <ul className="usa-button-group">
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--secondary" onClick={() => setEnding(true)}>
              {t("staff.proxies.end", { name: grant.proxy_name })}
            </button>
          </li>
          {grant.status === "active" && (
            <li className="usa-button-group__item">
              <form
                className="display-flex flex-align-end flex-wrap"
                onSubmit={(event) => {
                  event.preventDefault();
                  renew.mutate();
                }}
              >
                <TextField
                  name={`renew-${id}`}
                  type="date"
                  label={t("staff.proxies.renewUntil", { name: grant.proxy_name })}
                  hint={t("staff.proxies.renewHint")}
                  error={errors.fields.ends_at}
                  value={endsAt}
                  onChange={(event) => setEndsAt(event.target.value)}
                />
                <button type="submit" className="usa-button usa-button--outline margin-left-1" disabled={renew.isPending}>
                  {t("staff.proxies.renew", { name: grant.proxy_name })}
                </button>
              </form>
            </li>
          )}
        </ul>
      ) : (
        <form className="usa-form" onSubmit={submitEnd} noValidate>
          <TextArea
            name={`end-reason-${id}`}
            label={t("staff.proxies.reason", { name: grant.proxy_name })}
            error={errors.fields.reason}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            maxLength={500}
          />
          <ul className="usa-button-group margin-top-1">
            <li className="usa-button-group__item">
              <button type="submit" className="usa-button usa-button--secondary" disabled={end.isPending}>
                {t("staff.proxies.endConfirm")}
              </button>
            </li>
            <li className="usa-button-group__item">
              <button type="button" className="usa-button usa-button--outline" onClick={() => setEnding(false)}>
                {t("app.cancel")}
              </button>
            </li>
          </ul>
        </form>
      )}
    </>
  );
}

/** Why a grant stopped: the portal's own reasons in words; staff's words for a termination as written. */
function endReasonText(t: TFunction, reason: string): string {
  return END_REASONS.has(reason) ? t(`staff.proxies.endReason.${reason as EndReason}`) : reason;
}

type EndReason = "revoked" | "declined" | "end_date" | "deceased" | "replaced";
const END_REASONS: ReadonlySet<string> = new Set<EndReason>(["revoked", "declined", "end_date", "deceased", "replaced"]);
