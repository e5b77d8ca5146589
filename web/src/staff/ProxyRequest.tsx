import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, type ReactNode, useState } from "react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { type FormErrors, formErrors, isErrorBody, noErrors, sentence } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Fact, Facts } from "../components/Facts";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AccessChoice, AreasChoice } from "../proxies/AccessFields";
import { approveRequest, denyRequest, fetchLink, fetchStaffRequest, matchRequest } from "../proxies/calls";
import { areasText, relationshipText, requestStatusText } from "../proxies/format";
import { type Access, AREAS, FOR_MINORS, type ProxyArea, type StaffProxyRequest } from "../proxies/types";
import { StaffPage } from "./StaffPage";

/**
 * One proxy access request for staff to review: the facts as the requester gave them, who asked,
 * the signed form and each legal document beside them (through five-minute links, opened one at a
 * time), the patient's record matched by MRN or id (with their age, since the rules turn on it),
 * and the decision: approve (access, areas, end date, whether the patient must consent) or deny
 * with a reason the requester reads.
 */
export function ProxyRequest() {
  const { t } = useTranslation();
  usePageTitle(t("staff.proxyRequest.title"));
  const { requestId = "" } = useParams();
  return <StaffPage>{(token) => <RequestView token={token} requestId={requestId} />}</StaffPage>;
}

function RequestView({ token, requestId }: { token: string; requestId: string }) {
  const { t } = useTranslation();
  const dates = useDates();
  const queryClient = useQueryClient();
  const key = ["staff-proxy-request", token, requestId];
  const request = useQuery({ queryKey: key, queryFn: () => fetchStaffRequest(requestId) });
  const [notice, setNotice] = useState("");
  const changed = (next: StaffProxyRequest, said?: string) => {
    queryClient.setQueryData(key, next);
    void queryClient.invalidateQueries({ queryKey: ["staff-proxy-requests", token] });
    if (said) setNotice(said);
  };
  if (request.isPending) return <p>{t("app.loading")}</p>;
  if (request.isError)
    return (
      <>
        <h1>{t("staff.proxyRequest.title")}</h1>
        <Problem message={request.error.message} />
      </>
    );
  const data = request.data;
  const deciding = data.status === "submitted";
  return (
    <>
      <p>
        <Link to="/staff/proxy-requests">{t("staff.proxyRequest.back")}</Link>
      </p>
      <h1>{t("staff.proxyRequest.title")}</h1>
      <Notice text={notice} />
      <p>
        <span className="usa-tag">{requestStatusText(t, data.status)}</span>
      </p>
      <div className="grid-row grid-gap">
        <div className="desktop:grid-col-5">
          <h2>{t("staff.proxyRequest.asked")}</h2>
          <dl>
            <RequestFact term={t("staff.proxyRequest.patientName")}>
              {data.patient.given_name} {data.patient.family_name}
            </RequestFact>
            <RequestFact term={t("staff.proxyRequest.birthDate")}>{dates.day(data.patient.birth_date)}</RequestFact>
            {data.patient.identifier && (
              <RequestFact term={t("staff.proxyRequest.identifier")}>{data.patient.identifier}</RequestFact>
            )}
            <RequestFact term={t("staff.proxyRequest.relationship")}>{relationshipText(t, data.relationship)}</RequestFact>
            <RequestFact term={t("staff.proxyRequest.access")}>{t(`proxies.access.${data.access}`)}</RequestFact>
            <RequestFact term={t("staff.proxyRequest.areas")}>{areasText(t, data.areas)}</RequestFact>
            {data.note && <RequestFact term={t("staff.proxyRequest.note")}>{data.note}</RequestFact>}
            {data.submitted_at && <RequestFact term={t("staff.proxyRequest.sent")}>{dates.moment(data.submitted_at)}</RequestFact>}
            {data.decision_reason && (
              <RequestFact term={t("staff.proxyRequest.reason")}>{data.decision_reason}</RequestFact>
            )}
          </dl>
          <h2>{t("staff.proxyRequest.requester")}</h2>
          <dl>
            <RequestFact term={t("staff.proxyRequest.requesterName")}>{data.requester_name}</RequestFact>
            <RequestFact term={t("staff.proxyRequest.username")}>{data.requester.username}</RequestFact>
            {data.requester_phone && <RequestFact term={t("staff.proxyRequest.phone")}>{data.requester_phone}</RequestFact>}
            <RequestFact term={t("staff.proxyRequest.email")}>
              {t(data.requester.email_on_file ? "staff.proxyRequest.emailYes" : "staff.proxyRequest.emailNo")}
            </RequestFact>
          </dl>
          <Match token={token} request={data} onChanged={changed} editable={deciding} />
        </div>
        <div className="desktop:grid-col-7">
          <h2>{t("staff.proxyRequest.papers")}</h2>
          <ul className="usa-list usa-list--unstyled">
            {data.signed_form_link_path && (
              <li className="margin-bottom-2">
                <Viewer name={t("staff.proxyRequest.signedForm")} path={data.signed_form_link_path} contentType="application/pdf" />
              </li>
            )}
            {data.documents.length === 0 && <li>{t("staff.proxyRequest.noDocuments")}</li>}
            {data.documents.map((document) => (
              <li key={document.document_id} className="margin-bottom-2">
                {document.link_path && document.status === "ready" ? (
                  <Viewer
                    name={`${t(`proxies.documentKind.${document.kind}`)}: ${document.file_name}`}
                    path={document.link_path}
                    contentType={document.content_type}
                  />
                ) : (
                  <p>
                    {t(`proxies.documentKind.${document.kind}`)}: {document.file_name} ({t(`proxies.documents.state.${document.status}`)})
                  </p>
                )}
              </li>
            ))}
          </ul>
        </div>
      </div>
      {deciding && (
        <>
          <Approve token={token} request={data} onChanged={changed} />
          <Deny request={data} onChanged={changed} />
        </>
      )}
    </>
  );
}

function RequestFact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div className="margin-bottom-1">
      <dt className="text-bold">{term}</dt>
      <dd className="margin-left-0">{children}</dd>
    </div>
  );
}

/** A document through a five-minute link, asked for when staff open it (each opening is audited). */
function Viewer({ name, path, contentType }: { name: string; path: string; contentType: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const link = useQuery({ queryKey: ["staff-proxy-link", path], queryFn: () => fetchLink(path), enabled: open, staleTime: 4 * 60 * 1000 });
  return (
    <div className="border-1px border-base-lighter radius-md padding-2">
      <h3 className="margin-top-0">{name}</h3>
      {!open ? (
        <button type="button" className="usa-button usa-button--outline" onClick={() => setOpen(true)}>
          {t("staff.proxyRequest.show")}
          <span className="usa-sr-only"> {name}</span>
        </button>
      ) : link.isPending ? (
        <p>{t("app.loading")}</p>
      ) : link.isError ? (
        <Problem message={link.error.message} />
      ) : (
        <>
          {contentType.startsWith("image/") ? (
            <img src={link.data.url} alt={name} className="maxw-full" />
          ) : (
            <iframe src={link.data.url} title={name} className="width-full border-0" style={{ height: "32rem" }} />
          )}
          <p>
            <a href={link.data.url} target="_blank" rel="noreferrer noopener">
              {t("staff.proxyRequest.openNew", { name })}
            </a>
          </p>
        </>
      )}
    </div>
  );
}

function Match({
  request,
  onChanged,
  editable,
}: {
  token: string;
  request: StaffProxyRequest;
  onChanged: (next: StaffProxyRequest, said?: string) => void;
  editable: boolean;
}) {
  const { t } = useTranslation();
  const dates = useDates();
  const [by, setBy] = useState<"mrn" | "patient_id">("mrn");
  const [value, setValue] = useState(request.patient.identifier ?? "");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const match = useMutation({
    mutationFn: () => matchRequest(request.request_id, { [by]: value.trim() }),
    onSuccess: (next) => {
      setErrors(noErrors);
      onChanged(next, t("staff.proxyRequest.matched"));
    },
    onError: (error) => setErrors(formErrors(error, ["mrn", "patient_id"], t("errors.network"))),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!value.trim()) return setErrors({ fields: { [by]: t("errors.required") }, general: [] });
    match.mutate();
  };
  const matched = request.matched_patient;
  return (
    <section aria-labelledby="match-heading">
      <h2 id="match-heading">{t("staff.proxyRequest.matchTitle")}</h2>
      {matched ? (
        <Facts>
          <Fact term={t("staff.proxyRequest.matchedName")}>
            <Link to={`/staff/patients/${encodeURIComponent(matched.patient_id)}`}>
              {[...matched.given_names, matched.family_name].join(" ")}
            </Link>
          </Fact>
          {matched.birth_date && <Fact term={t("staff.proxyRequest.birthDate")}>{dates.day(matched.birth_date)}</Fact>}
          {request.patient_age !== null && (
            <Fact term={t("staff.proxyRequest.age")}>{t("staff.proxyRequest.years", { count: request.patient_age })}</Fact>
          )}
        </Facts>
      ) : (
        <p>{t("staff.proxyRequest.notMatched")}</p>
      )}
      {matched && <Comparison request={request} />}
      <AgeRefusal request={request} />
      {editable && (
        <form className="usa-form" onSubmit={submit} noValidate>
          <ErrorSummary messages={errors.general} />
          <div className="usa-form-group">
            <label className="usa-label" htmlFor="match-by">
              {t("staff.proxyRequest.matchBy")}
            </label>
            <select id="match-by" className="usa-select" value={by} onChange={(event) => setBy(event.target.value as "mrn" | "patient_id")}>
              <option value="mrn">{t("staff.proxyRequest.byMrn")}</option>
              <option value="patient_id">{t("staff.proxyRequest.byId")}</option>
            </select>
          </div>
          <TextField
            name={by}
            label={t(by === "mrn" ? "staff.proxyRequest.mrn" : "staff.proxyRequest.patientId")}
            error={errors.fields[by]}
            value={value}
            onChange={(event) => setValue(event.target.value)}
            autoComplete="off"
          />
          <button type="submit" className="usa-button usa-button--outline" disabled={match.isPending}>
            {t("staff.proxyRequest.match")}
          </button>
        </form>
      )}
    </section>
  );
}

/** Why the age rule refuses this relationship for the matched record's age, in words ("" when it does not). */
function ageRefusal(t: TFunction, request: StaffProxyRequest): string {
  const age = request.patient_age;
  if (age === null) return "";
  if (FOR_MINORS.includes(request.relationship)) {
    if (age >= 18) return t("staff.proxyRequest.refusal.adult");
    return age >= 12 ? t("staff.proxyRequest.tooOld") : "";
  }
  return age < 18 ? t("staff.proxyRequest.refusal.minor") : "";
}

function AgeRefusal({ request }: { request: StaffProxyRequest }) {
  const { t } = useTranslation();
  const refusal = ageRefusal(t, request);
  if (!refusal) return null;
  return (
    <div className="usa-alert usa-alert--warning usa-alert--slim">
      <div className="usa-alert__body">
        <p className="usa-alert__text">{refusal}</p>
      </div>
    </div>
  );
}

const same = (a: string, b: string) => a.trim().localeCompare(b.trim(), undefined, { sensitivity: "base" }) === 0;

/**
 * What was asked for beside what was matched, each part that differs marked, so a match to the
 * wrong person (the mother instead of the child) shows before anyone approves it.
 */
function Comparison({ request }: { request: StaffProxyRequest }) {
  const { t } = useTranslation();
  const dates = useDates();
  const matched = request.matched_patient;
  if (!matched) return null;
  const asked = request.patient;
  const givenSame = matched.given_names.some((name) => same(name, asked.given_name)) || same(matched.given_names.join(" "), asked.given_name);
  const familySame = same(matched.family_name, asked.family_name);
  const bornSame = matched.birth_date === asked.birth_date;
  const differs = (text: string, isSame: boolean) =>
    isSame ? (
      text
    ) : (
      <mark>
        {text}
        <span className="usa-sr-only"> {t("staff.proxyRequest.differs")}</span>
      </mark>
    );
  return (
    <div className={`usa-summary-box margin-y-2${givenSame && familySame && bornSame ? "" : " border-secondary"}`}>
      <p className="margin-y-05">
        <strong>{t("staff.proxyRequest.askedFor")}</strong> {asked.given_name} {asked.family_name},{" "}
        {t("staff.proxyRequest.born", { date: dates.day(asked.birth_date) })}
      </p>
      <p className="margin-y-05">
        <strong>{t("staff.proxyRequest.matchedAs")}</strong> {differs(matched.given_names.join(" "), givenSame)}{" "}
        {differs(matched.family_name, familySame)},{" "}
        {matched.birth_date
          ? differs(t("staff.proxyRequest.born", { date: dates.day(matched.birth_date) }), bornSame)
          : differs(t("staff.proxyRequest.noBirthDate"), false)}
      </p>
      {!(givenSame && familySame && bornSame) && <p className="margin-y-05 text-bold">{t("staff.proxyRequest.differsNote")}</p>}
    </div>
  );
}

const APPROVE_FIELDS = ["access", "areas", "ends_at", "patient_can_consent"] as const;

function Approve({
  request,
  onChanged,
}: {
  token: string;
  request: StaffProxyRequest;
  onChanged: (next: StaffProxyRequest, said?: string) => void;
}) {
  const { t } = useTranslation();
  const forAdult = !FOR_MINORS.includes(request.relationship);
  const [access, setAccess] = useState<Access>(request.access);
  const [areas, setAreas] = useState<string[]>(request.areas?.length ? request.areas : [...AREAS]);
  const [endsAt, setEndsAt] = useState("");
  const [canConsent, setCanConsent] = useState(forAdult);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const submission = useSubmissionKey();
  const approve = useMutation({
    mutationFn: () => {
      const body = {
        access,
        areas: areas as ProxyArea[],
        ...(endsAt && { ends_at: endsAt }),
        patient_can_consent: canConsent,
      };
      return approveRequest(request.request_id, body, submission.keyFor(body));
    },
    onSuccess: ({ request: next, grant }) => {
      setErrors(noErrors);
      onChanged(next, t(grant.status === "awaiting_consent" ? "staff.proxyRequest.approvedConsent" : "staff.proxyRequest.approved"));
    },
    onError: (error) => setErrors(refusalInWords(error, formErrors(error, APPROVE_FIELDS, t("errors.network")))),
  });
  const refusal = ageRefusal(t, request);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (areas.length === 0) return setErrors({ fields: { areas: t("proxies.fields.areasRequired") }, general: [] });
    approve.mutate();
  };
  return (
    <section aria-labelledby="approve-heading" className="margin-top-4">
      <h2 id="approve-heading">{t("staff.proxyRequest.approveTitle")}</h2>
      {request.matched_patient === null && <p>{t("staff.proxyRequest.matchFirst")}</p>}
      <form className="usa-form usa-form--large" onSubmit={submit} noValidate>
        <ErrorSummary messages={errors.general} />
        <AccessChoice name="approve-access" value={access} onChange={setAccess} error={errors.fields.access} />
        <AreasChoice name="approve-areas" value={areas} onChange={setAreas} error={errors.fields.areas} />
        <TextField
          name="ends_at"
          type="date"
          label={t("staff.proxyRequest.endsAt")}
          hint={t(forAdult ? "staff.proxyRequest.endsAtAdult" : "staff.proxyRequest.endsAtMinor")}
          error={errors.fields.ends_at}
          value={endsAt}
          onChange={(event) => setEndsAt(event.target.value)}
        />
        {forAdult && (
          // A child does not consent to a parent's access: the choice is an adult's only.
          <div className="usa-checkbox">
            <input
              className="usa-checkbox__input"
              id="patient-can-consent"
              type="checkbox"
              checked={canConsent}
              onChange={(event) => setCanConsent(event.target.checked)}
            />
            <label className="usa-checkbox__label" htmlFor="patient-can-consent">
              {t("staff.proxyRequest.canConsent")}
            </label>
          </div>
        )}
        {errors.fields.patient_can_consent && <span className="usa-error-message">{errors.fields.patient_can_consent}</span>}
        {refusal && (
          <p id="approve-refused" className="usa-hint margin-top-2">
            {t("staff.proxyRequest.cannotApprove", { reason: refusal })}
          </p>
        )}
        <button
          type="submit"
          className="usa-button margin-top-2"
          disabled={approve.isPending || request.matched_patient === null || refusal !== ""}
          aria-describedby={refusal ? "approve-refused" : undefined}
        >
          {t("staff.proxyRequest.approve")}
        </button>
      </form>
    </section>
  );
}

/**
 * A refusal of the approval says why in its message; the codes its details carry (which part of
 * the request it is about) are for programs, so they are not shown as if they were sentences.
 */
function refusalInWords(error: unknown, errors: FormErrors): FormErrors {
  if (!isErrorBody(error)) return errors;
  const message = error.error.message;
  return { fields: errors.fields, general: errors.general.filter((said) => said === message || said === sentence(message)) };
}

function Deny({ request, onChanged }: { request: StaffProxyRequest; onChanged: (next: StaffProxyRequest, said?: string) => void }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const denial = useSubmissionKey();
  const deny = useMutation({
    mutationFn: () => denyRequest(request.request_id, reason.trim(), denial.keyFor({ reason: reason.trim() })),
    onSuccess: (next) => {
      setErrors(noErrors);
      onChanged(next, t("staff.proxyRequest.denied"));
    },
    onError: (error) => setErrors(formErrors(error, ["reason"], t("errors.network"))),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!reason.trim()) return setErrors({ fields: { reason: t("errors.required") }, general: [] });
    deny.mutate();
  };
  return (
    <section aria-labelledby="deny-heading" className="margin-top-4">
      <h2 id="deny-heading">{t("staff.proxyRequest.denyTitle")}</h2>
      <form className="usa-form usa-form--large" onSubmit={submit} noValidate>
        <ErrorSummary messages={errors.general} />
        <TextArea
          name="reason"
          label={t("staff.proxyRequest.denyReason")}
          hint={t("staff.proxyRequest.denyHint")}
          error={errors.fields.reason}
          value={reason}
          onChange={(event) => setReason(event.target.value)}
          maxLength={1000}
        />
        <button type="submit" className="usa-button usa-button--secondary" disabled={deny.isPending}>
          {t("staff.proxyRequest.deny")}
        </button>
      </form>
    </section>
  );
}
