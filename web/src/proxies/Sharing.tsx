import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { Confirm } from "../components/Confirm";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Fact, Facts } from "../components/Facts";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { PatientPage, type RecordView } from "../records/PatientPage";
import { AccessChoice, AreasChoice } from "./AccessFields";
import { answerConsent, fetchProxies, inviteTrustedPerson, renewGrant, revokeGrant } from "./calls";
import { areasText, grantStatusText, relationshipText, untilText } from "./format";
import { type Access, AREAS, type ProxyArea, type ProxyGrantView } from "./types";

const CURRENT = new Set(["active", "invited"]);

/**
 * "Who can see my record": the people who act for the patient (or asked to), each with what they
 * see and until when; a request waiting for the patient's consent, to agree to or refuse; access
 * revoked (asked first) or renewed; and someone the patient trusts invited by email.
 */
export function Sharing() {
  const { t } = useTranslation();
  usePageTitle(t("proxies.sharing.title"));
  return (
    <PatientPage naming={false} area="proxies">
      {(record) => <SharingView record={record} />}
    </PatientPage>
  );
}

function SharingView({ record }: { record: RecordView }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState("");
  const key = ["proxies", record.token, record.patientId];
  const proxies = useQuery({ queryKey: key, queryFn: () => fetchProxies(record.patientId) });
  const changed = (message: string) => {
    setNotice(message);
    void queryClient.invalidateQueries({ queryKey: key });
  };
  const all = proxies.data?.proxies ?? [];
  const waiting = all.filter((grant) => grant.status === "awaiting_consent");
  const current = all.filter((grant) => CURRENT.has(grant.status));
  const past = all.filter((grant) => grant.status !== "awaiting_consent" && !CURRENT.has(grant.status));

  return (
    <>
      <h1>{t("proxies.sharing.title")}</h1>
      <p>{t("proxies.sharing.intro")}</p>
      <Notice text={notice} />
      {proxies.isPending && <p>{t("app.loading")}</p>}
      {proxies.isError && <Problem message={proxies.error.message} />}
      {proxies.data && (
        <>
          {waiting.length > 0 && (
            <section aria-labelledby="waiting-heading">
              <h2 id="waiting-heading">{t("proxies.sharing.waitingTitle")}</h2>
              <p>{t("proxies.sharing.waitingIntro")}</p>
              <GrantCards grants={waiting}>
                {(grant) => <Consent record={record} grant={grant} onDone={changed} />}
              </GrantCards>
            </section>
          )}
          <section aria-labelledby="current-heading">
            <h2 id="current-heading">{t("proxies.sharing.currentTitle")}</h2>
            {current.length === 0 ? (
              <p>{t("proxies.sharing.none")}</p>
            ) : (
              <GrantCards grants={current}>
                {(grant) => (
                  <>
                    {grant.status === "active" && grant.ends_at !== null && (
                      <Renew record={record} grant={grant} onDone={changed} />
                    )}
                    <Revoke record={record} grant={grant} onDone={changed} />
                  </>
                )}
              </GrantCards>
            )}
          </section>
          {past.length > 0 && (
            <section aria-labelledby="past-heading">
              <h2 id="past-heading">{t("proxies.sharing.pastTitle")}</h2>
              <GrantCards grants={past}>{() => null}</GrantCards>
            </section>
          )}
        </>
      )}
      <Invite record={record} onDone={changed} />
    </>
  );
}

function GrantCards({
  grants,
  children,
}: {
  grants: ProxyGrantView[];
  children: (grant: ProxyGrantView) => ReactNode;
}) {
  const { t, i18n } = useTranslation();
  const dates = useDates();
  return (
    <ul className="usa-card-group margin-top-2">
      {grants.map((grant) => (
        <li key={grant.grant_id} className="usa-card tablet:grid-col-6">
          <div className="usa-card__container">
            <div className="usa-card__header">
              <h3 className="usa-card__heading">{grant.proxy_name}</h3>
            </div>
            <div className="usa-card__body">
              <Facts>
                <Fact term={t("proxies.grant.relationship")}>
                  {/* the patient reads this page: the person is someone *they* trust */}
                  {grant.relationship === "trusted_person"
                    ? t("proxies.relationshipToYou.trusted_person")
                    : relationshipText(t, grant.relationship)}
                </Fact>
                <Fact term={t("proxies.grant.status")}>{grantStatusText(t, grant.status)}</Fact>
                <Fact term={t("proxies.grant.sees")}>{areasText(t, grant.areas)}</Fact>
                <Fact term={t("proxies.grant.access")}>{t(`proxies.access.${grant.access}`)}</Fact>
                {/* once it has ended, the date it would have run to only confuses */}
                {!grant.ended_at && <Fact term={t("proxies.grant.until")}>{untilText(t, grant, i18n.language)}</Fact>}
                {grant.ended_at && <Fact term={t("proxies.grant.endedAt")}>{dates.day(grant.ended_at)}</Fact>}
              </Facts>
            </div>
            <div className="usa-card__footer">{children(grant)}</div>
          </div>
        </li>
      ))}
    </ul>
  );
}

function Consent({ record, grant, onDone }: { record: RecordView; grant: ProxyGrantView; onDone: (said: string) => void }) {
  const { t } = useTranslation();
  const answer = useMutation({
    mutationFn: (agree: boolean) =>
      answerConsent(record.patientId, grant.grant_id, agree),
    onSuccess: (changed) =>
      onDone(t(changed.status === "active" ? "proxies.sharing.agreed" : "proxies.sharing.refused", { name: grant.proxy_name })),
  });
  return (
    <>
      {answer.isError && <Problem message={formErrors(answer.error, [], t("errors.network")).general.join(" ")} />}
      <ul className="usa-button-group">
        <li className="usa-button-group__item">
          <button type="button" className="usa-button" disabled={answer.isPending} onClick={() => answer.mutate(true)}>
            {t("proxies.sharing.agree")}
            <span className="usa-sr-only"> {t("proxies.sharing.forName", { name: grant.proxy_name })}</span>
          </button>
        </li>
        <li className="usa-button-group__item">
          <button
            type="button"
            className="usa-button usa-button--secondary"
            disabled={answer.isPending}
            onClick={() => answer.mutate(false)}
          >
            {t("proxies.sharing.refuse")}
            <span className="usa-sr-only"> {t("proxies.sharing.forName", { name: grant.proxy_name })}</span>
          </button>
        </li>
      </ul>
    </>
  );
}

function Renew({ record, grant, onDone }: { record: RecordView; grant: ProxyGrantView; onDone: (said: string) => void }) {
  const { t } = useTranslation();
  // One renewal per press: a double click or a retry adds one year, not two.
  const submission = useSubmissionKey();
  const renew = useMutation({
    mutationFn: () => renewGrant(record.patientId, grant.grant_id, submission.keyFor({ renew: grant.grant_id })),
    onSuccess: () => {
      submission.done();
      onDone(t("proxies.sharing.renewed", { name: grant.proxy_name }));
    },
  });
  return (
    <>
      {renew.isError && <Problem message={formErrors(renew.error, [], t("errors.network")).general.join(" ")} />}
      <button type="button" className="usa-button usa-button--outline" disabled={renew.isPending} onClick={() => renew.mutate()}>
        {t("proxies.sharing.renew", { name: grant.proxy_name })}
      </button>
    </>
  );
}

function Revoke({ record, grant, onDone }: { record: RecordView; grant: ProxyGrantView; onDone: (said: string) => void }) {
  const { t } = useTranslation();
  const [asking, setAsking] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const revoke = useMutation({
    mutationFn: () => revokeGrant(record.patientId, grant.grant_id),
    onSuccess: () => onDone(t("proxies.sharing.revoked", { name: grant.proxy_name })),
  });
  return (
    <>
      <button
        ref={button}
        type="button"
        className="usa-button usa-button--secondary"
        aria-expanded={asking}
        onClick={() => setAsking(true)}
      >
        {t("proxies.sharing.revoke", { name: grant.proxy_name })}
      </button>
      {asking && (
        <Confirm
          question={t("proxies.sharing.revokeQuestion", { name: grant.proxy_name })}
          confirmLabel={t("proxies.sharing.revokeYes")}
          cancelLabel={t("proxies.sharing.revokeNo")}
          onConfirm={() => revoke.mutate()}
          onCancel={() => {
            revoke.reset();
            setAsking(false);
          }}
          busy={revoke.isPending}
          opener={button.current}
        >
          {revoke.isError && <Problem message={formErrors(revoke.error, [], t("errors.network")).general.join(" ")} />}
        </Confirm>
      )}
    </>
  );
}

const INVITE_FIELDS = ["name", "email", "areas", "access", "ends_at"] as const;

function Invite({ record, onDone }: { record: RecordView; onDone: (said: string) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [areas, setAreas] = useState<string[]>([...AREAS]);
  const [access, setAccess] = useState<Access>("read_only");
  const [endsAt, setEndsAt] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const invite = useMutation({
    mutationFn: () =>
      inviteTrustedPerson(record.patientId, {
        name: name.trim(),
        email: email.trim(),
        relationship: "trusted_person",
        access,
        areas: areas as ProxyArea[],
        ...(endsAt && { ends_at: endsAt }),
      }),
    onSuccess: () => {
      setErrors(noErrors);
      onDone(t("proxies.invite.sent", { name: name.trim() }));
      setName("");
      setEmail("");
      setEndsAt("");
    },
    onError: (error) => setErrors(formErrors(error, INVITE_FIELDS, t("errors.network"))),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!name.trim()) missing.name = t("errors.required");
    if (!email.trim()) missing.email = t("errors.required");
    if (areas.length === 0) missing.areas = t("proxies.fields.areasRequired");
    if (Object.keys(missing).length > 0) return setErrors({ fields: missing, general: [] });
    invite.mutate();
  };
  return (
    <section aria-labelledby="invite-heading" className="margin-top-4">
      <h2 id="invite-heading">{t("proxies.invite.title")}</h2>
      <p>{t("proxies.invite.intro")}</p>
      <form className="usa-form usa-form--large" onSubmit={submit} noValidate>
        <ErrorSummary messages={errors.general} />
        <TextField
          name="name"
          label={t("proxies.invite.name")}
          error={errors.fields.name}
          value={name}
          onChange={(event) => setName(event.target.value)}
          autoComplete="off"
          maxLength={200}
        />
        <TextField
          name="email"
          type="email"
          label={t("proxies.invite.email")}
          error={errors.fields.email}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          autoComplete="off"
        />
        <AreasChoice name="areas" value={areas} onChange={setAreas} error={errors.fields.areas} />
        <AccessChoice name="access" value={access} onChange={setAccess} error={errors.fields.access} />
        <TextField
          name="ends_at"
          type="date"
          label={t("proxies.invite.endsAt")}
          hint={t("proxies.invite.endsAtHint")}
          error={errors.fields.ends_at}
          value={endsAt}
          onChange={(event) => setEndsAt(event.target.value)}
        />
        <button type="submit" className="usa-button" disabled={invite.isPending}>
          {t("proxies.invite.send")}
        </button>
      </form>
    </section>
  );
}
