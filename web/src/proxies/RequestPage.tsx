import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useParams } from "react-router";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { Confirm } from "../components/Confirm";
import { SignaturePad } from "../checkin/SignaturePad";
import { useDates } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { Fact, Facts } from "../components/Facts";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { useToken } from "../session";
import { fetchForm, fetchRequest, signRequest, withdrawRequest } from "./calls";
import { Documents, stillNeeded } from "./Documents";
import { areasText, relationshipText, requestStatusText } from "./format";
import type { DocumentKind, ProxyRequest } from "./types";

const SIGN_FIELDS = ["typed_name", "signature_png", "agreed", "form_version"] as const;

/**
 * One request to act for someone. A draft goes on here: step 2, the legal documents its
 * relationship needs; step 3, the Proxy Access Request and Authorization Form read and signed
 * (a typed name and a drawn signature), which submits it for staff to review. Any other request
 * says where it stands and what happens next.
 */
export function RequestPage() {
  const { t } = useTranslation();
  usePageTitle(t("proxies.request.title"));
  const token = useToken();
  const { requestId = "" } = useParams();
  if (token === null) return <Navigate to="/sign-in" replace />;
  return <RequestView token={token} requestId={requestId} />;
}

function RequestView({ token, requestId }: { token: string; requestId: string }) {
  const { t, i18n } = useTranslation();
  const dates = useDates();
  const queryClient = useQueryClient();
  const key = ["proxy-request", token, requestId];
  const request = useQuery({ queryKey: key, queryFn: () => fetchRequest(requestId) });
  const [step, setStep] = useState<"documents" | "sign">("documents");
  const [notice, setNotice] = useState("");
  const [askingWithdraw, setAskingWithdraw] = useState(false);
  const withdrawButton = useRef<HTMLButtonElement>(null);
  const changed = (next: ProxyRequest) => {
    queryClient.setQueryData(key, next);
    void queryClient.invalidateQueries({ queryKey: ["proxy-requests", token] });
  };
  const withdraw = useMutation({
    mutationFn: () => withdrawRequest(requestId),
    onSuccess: (next) => {
      changed(next);
      setAskingWithdraw(false);
      setNotice(t("proxies.request.withdrawn"));
    },
  });

  if (request.isPending) return <p>{t("app.loading")}</p>;
  if (request.isError)
    return (
      <>
        <h1>{t("proxies.request.title")}</h1>
        <Problem message={request.error.message} />
      </>
    );
  const data = request.data;
  const name = `${data.patient.given_name} ${data.patient.family_name}`;
  return (
    <>
      <p>
        <Link to="/proxy-requests">{t("proxies.request.back")}</Link>
      </p>
      <h1>{t("proxies.request.heading", { name })}</h1>
      <Notice text={notice} />
      <p>
        <span className="usa-tag">{requestStatusText(t, data.status)}</span>
      </p>
      <p>{t(`proxies.request.next.${data.status}`)}</p>
      {data.decision_reason && (
        <p>
          <strong>{t("proxies.request.reason")}</strong> {data.decision_reason}
        </p>
      )}
      <Facts>
        <Fact term={t("proxies.fields.organization")}>{data.organization_name}</Fact>
        <Fact term={t("proxies.fields.relationship")}>{relationshipText(t, data.relationship)}</Fact>
        <Fact term={t("proxies.fields.birthDate")}>{dates.day(data.patient.birth_date)}</Fact>
        <Fact term={t("proxies.grant.sees")}>{areasText(t, data.areas)}</Fact>
        <Fact term={t("proxies.grant.access")}>{t(`proxies.access.${data.access}`)}</Fact>
        {data.submitted_at && <Fact term={t("proxies.request.submittedAt")}>{dates.moment(data.submitted_at)}</Fact>}
        {data.decided_at && (
          // withdrawing is the requester's own step, not a decision of the clinic's
          <Fact term={t(data.status === "withdrawn" ? "proxies.request.withdrawnAt" : "proxies.request.decidedAt")}>
            {dates.moment(data.decided_at)}
          </Fact>
        )}
      </Facts>
      {data.status === "draft" &&
        (step === "documents" ? (
          <>
            <h2>{t("proxies.documents.title")}</h2>
            <Documents request={data} onChange={changed} />
            <DocumentsContinue request={data} onContinue={() => setStep("sign")} />
          </>
        ) : (
          <SignStep request={data} onBack={() => setStep("documents")} onSigned={changed} language={i18n.language} />
        ))}
      {(data.status === "draft" || data.status === "submitted") && (
        <section className="margin-top-4" aria-labelledby="withdraw-heading">
          <h2 id="withdraw-heading" className="usa-sr-only">
            {t("proxies.request.withdraw")}
          </h2>
          <button
            ref={withdrawButton}
            type="button"
            className="usa-button usa-button--unstyled"
            aria-expanded={askingWithdraw}
            onClick={() => setAskingWithdraw(true)}
          >
            {t("proxies.request.withdraw")}
          </button>
          {askingWithdraw && (
            <Confirm
              question={t("proxies.request.withdrawQuestion")}
              confirmLabel={t("proxies.request.withdrawYes")}
              cancelLabel={t("proxies.request.withdrawNo")}
              onConfirm={() => withdraw.mutate()}
              onCancel={() => {
                withdraw.reset();
                setAskingWithdraw(false);
              }}
              busy={withdraw.isPending}
              opener={withdrawButton.current}
            >
              {withdraw.isError && (
                <Problem message={formErrors(withdraw.error, [], t("errors.network")).general.join(" ")} />
              )}
            </Confirm>
          )}
        </section>
      )}
    </>
  );
}

function SignStep({
  request,
  onBack,
  onSigned,
}: {
  request: ProxyRequest;
  onBack: () => void;
  onSigned: (request: ProxyRequest) => void;
  language: string;
}) {
  const { t } = useTranslation();
  const form = useQuery({ queryKey: ["proxy-form"], queryFn: fetchForm, staleTime: Infinity });
  const [typedName, setTypedName] = useState("");
  const [agreed, setAgreed] = useState(false);
  const [signature, setSignature] = useState<string | null>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const submission = useSubmissionKey();
  const sign = useMutation({
    mutationFn: () => {
      const body = {
        typed_name: typedName.trim(),
        // drawing is optional (the typed name signs), so the keyboard alone can sign
        ...(signature !== null && { signature_png: signature }),
        agreed,
        form_version: form.data?.version ?? "",
      };
      return signRequest(request.request_id, body, submission.keyFor(body));
    },
    onSuccess: (next) => {
      setErrors(noErrors);
      onSigned(next);
    },
    onError: (error) => setErrors(formErrors(error, SIGN_FIELDS, t("errors.network"))),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!typedName.trim()) missing.typed_name = t("errors.required");
    if (!agreed) missing.agreed = t("proxies.sign.mustAgree");
    if (Object.keys(missing).length > 0) return setErrors({ fields: missing, general: [] });
    sign.mutate();
  };
  if (form.isPending) return <p>{t("app.loading")}</p>;
  if (form.isError) return <Problem message={form.error.message} />;
  return (
    <section aria-labelledby="sign-heading">
      <h2 id="sign-heading">{form.data.title}</h2>
      <div className="bg-base-lightest padding-2 radius-md maxh-mobile-lg overflow-y-auto" tabIndex={0} role="region" aria-label={t("proxies.sign.formText")}>
        {form.data.text.split(/\n{2,}/).map((paragraph, index) => (
          <p key={index}>{paragraph}</p>
        ))}
      </div>
      <form className="usa-form usa-form--large" onSubmit={submit} noValidate>
        <ErrorSummary messages={errors.general} />
        <div className={`usa-form-group${errors.fields.agreed ? " usa-form-group--error" : ""}`}>
          {errors.fields.agreed && (
            <span className="usa-error-message" id="agreed-error" role="alert">
              {errors.fields.agreed}
            </span>
          )}
          <div className="usa-checkbox">
            <input
              className="usa-checkbox__input"
              id="agreed"
              type="checkbox"
              checked={agreed}
              onChange={(event) => setAgreed(event.target.checked)}
              aria-describedby={errors.fields.agreed ? "agreed-error" : undefined}
            />
            <label className="usa-checkbox__label" htmlFor="agreed">
              {t("proxies.sign.agree")}
            </label>
          </div>
        </div>
        <TextField
          name="typed_name"
          label={t("proxies.sign.typedName")}
          hint={t("proxies.sign.typedNameHint", { name: request.requester_name })}
          error={errors.fields.typed_name}
          value={typedName}
          onChange={(event) => setTypedName(event.target.value)}
          autoComplete="name"
          maxLength={200}
        />
        <SignaturePad id="proxy-signature" onChange={setSignature} />
        {errors.fields.signature_png && (
          <span className="usa-error-message" role="alert">
            {errors.fields.signature_png}
          </span>
        )}
        <ul className="usa-button-group margin-top-2">
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--outline" onClick={onBack}>
              {t("proxies.sign.back")}
            </button>
          </li>
          <li className="usa-button-group__item">
            <button type="submit" className="usa-button" disabled={sign.isPending}>
              {t("proxies.sign.submit")}
            </button>
          </li>
        </ul>
      </form>
    </section>
  );
}

/**
 * On to the form, once a document of each needed kind is there; before, it says which kinds are
 * still missing (the API would refuse the signature for the same reason, after the work of signing).
 */
function DocumentsContinue({ request, onContinue }: { request: ProxyRequest; onContinue: () => void }) {
  const { t } = useTranslation();
  const [tried, setTried] = useState(false);
  const missing = stillNeeded(request);
  const kindText = (kind: string) => t(`proxies.documentKind.${kind as DocumentKind}`);
  return (
    <>
      {tried && missing.length > 0 && (
        <div className="usa-alert usa-alert--error usa-alert--slim margin-top-3" role="alert">
          <div className="usa-alert__body">
            <p className="usa-alert__text">
              {t("proxies.documents.stillNeeded", {
                kinds: missing.map((oneOf) => oneOf.map(kindText).join(t("proxies.documents.or"))).join("; "),
              })}
            </p>
          </div>
        </div>
      )}
      <button
        type="button"
        className="usa-button margin-top-3"
        onClick={() => (missing.length === 0 ? onContinue() : setTried(true))}
      >
        {t("proxies.documents.continue")}
      </button>
    </>
  );
}
