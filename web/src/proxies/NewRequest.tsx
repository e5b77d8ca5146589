import { useMutation, useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Navigate, useNavigate } from "react-router";
import { type FormErrors, formErrors, isErrorBody, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import type { Schemas } from "../api/client";
import { fetchMe } from "../api/me";
import { ErrorSummary } from "../components/ErrorSummary";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { organizationName } from "../records/PatientPage";
import { useToken } from "../session";
import { AccessChoice, AreasChoice } from "./AccessFields";
import { createRequest, fetchOrganizationNames } from "./calls";
import { type Access, AREAS, FOR_MINORS, type ProxyArea, RELATIONSHIPS, type Relationship } from "./types";

const FIELDS = [
  "organization_id",
  "given_name",
  "family_name",
  "birth_date",
  "identifier",
  "relationship",
  "requester_name",
  "requester_phone",
  "access",
  "areas",
  "note",
] as const;

/**
 * Step 1 of asking to act for someone: who the person is, at which organization, and why the
 * requester may act for them (the age rule said in plain words before anything is sent). The
 * request is then a draft, whose page (/proxy-requests/:id) takes the documents and the signature.
 */
export function NewRequest() {
  const { t } = useTranslation();
  usePageTitle(t("proxies.new.title"));
  const token = useToken();
  if (token === null) return <Navigate to="/sign-in" replace />;
  return <NewRequestForm token={token} />;
}

function NewRequestForm({ token }: { token: string }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const me = useQuery({ queryKey: ["me", token], queryFn: fetchMe });
  const [organization, setOrganization] = useState("");
  const [givenName, setGivenName] = useState("");
  const [familyName, setFamilyName] = useState("");
  const [birthDate, setBirthDate] = useState("");
  const [identifier, setIdentifier] = useState("");
  const [relationship, setRelationship] = useState<Relationship | "">("");
  const [requesterName, setRequesterName] = useState("");
  const [phone, setPhone] = useState("");
  const [access, setAccess] = useState<Access>("read_only");
  const [areas, setAreas] = useState<string[]>([...AREAS]);
  const [note, setNote] = useState("");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const forAdult = relationship !== "" && !FOR_MINORS.includes(relationship);

  // The account's own organization by its name, not its id: from a record it already acts for
  // there, else the portal's public list of organizations.
  const names = useQuery({ queryKey: ["support-organizations"], queryFn: fetchOrganizationNames });
  const ownOrganization = me.data?.account.organization_id ?? "";
  const ownOrganizationName =
    me.data?.acting_for.find((grant) => grant.organization_id === ownOrganization)?.organization_name ??
    names.data?.organizations.find((one) => one.organization_id === ownOrganization)?.name ??
    ownOrganization;
  const organizations = me.data
    ? [
        ...new Map([
          [ownOrganization, ownOrganizationName],
          ...me.data.connections
            .filter((c) => c.status === "active")
            .map((c) => [c.organization_id, organizationName(c)] as [string, string]),
        ]).entries(),
      ]
    : [];
  const chosenOrganization = organization || organizations[0]?.[0] || "";

  const submission = useSubmissionKey();
  const create = useMutation({
    mutationFn: () => {
      const body: Schemas["NewProxyRequest"] = {
        organization_id: chosenOrganization,
        patient: {
          given_name: givenName.trim(),
          family_name: familyName.trim(),
          birth_date: birthDate,
          ...(identifier.trim() && { identifier: identifier.trim() }),
        },
        relationship: relationship as Relationship,
        requester_name: requesterName.trim(),
        ...(phone.trim() && { requester_phone: phone.trim() }),
        // A minor's grant covers what the rules allow until 12; an adult's may be narrowed.
        ...(forAdult && { access, areas: areas as ProxyArea[] }),
        ...(note.trim() && { note: note.trim() }),
      };
      return createRequest(body, submission.keyFor(body));
    },
    onSuccess: (request) => navigate(`/proxy-requests/${encodeURIComponent(request.request_id)}`),
    // the API names the person's fields patient.given_name …: each goes next to its own field
    onError: (error) => setErrors(formErrors(withoutPrefix(error, "patient."), FIELDS, t("errors.network"))),
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const missing: Record<string, string> = {};
    if (!givenName.trim()) missing.given_name = t("errors.required");
    if (!familyName.trim()) missing.family_name = t("errors.required");
    if (!birthDate) missing.birth_date = t("errors.required");
    if (!relationship) missing.relationship = t("proxies.fields.relationshipRequired");
    if (!requesterName.trim()) missing.requester_name = t("errors.required");
    if (forAdult && areas.length === 0) missing.areas = t("proxies.fields.areasRequired");
    if (Object.keys(missing).length > 0) return setErrors({ fields: missing, general: [] });
    create.mutate();
  };

  if (me.isPending) return <p>{t("app.loading")}</p>;
  if (me.isError) return <Problem message={me.error.message} />;
  return (
    <>
      <h1>{t("proxies.new.title")}</h1>
      <p>{t("proxies.new.steps")}</p>
      <form className="usa-form usa-form--large" onSubmit={submit} noValidate>
        <ErrorSummary messages={errors.general} />
        <fieldset className="usa-fieldset">
          <legend className="usa-legend usa-legend--large">{t("proxies.new.person")}</legend>
          <TextField
            name="given_name"
            label={t("proxies.fields.givenName")}
            error={errors.fields.given_name}
            value={givenName}
            onChange={(event) => setGivenName(event.target.value)}
            autoComplete="off"
          />
          <TextField
            name="family_name"
            label={t("proxies.fields.familyName")}
            error={errors.fields.family_name}
            value={familyName}
            onChange={(event) => setFamilyName(event.target.value)}
            autoComplete="off"
          />
          <TextField
            name="birth_date"
            type="date"
            label={t("proxies.fields.birthDate")}
            error={errors.fields.birth_date}
            value={birthDate}
            onChange={(event) => setBirthDate(event.target.value)}
          />
          <TextField
            name="identifier"
            label={t("proxies.fields.identifier")}
            hint={t("proxies.fields.identifierHint")}
            error={errors.fields.identifier}
            value={identifier}
            onChange={(event) => setIdentifier(event.target.value)}
            autoComplete="off"
          />
          <div className={`usa-form-group${errors.fields.organization_id ? " usa-form-group--error" : ""}`}>
            <label className="usa-label" htmlFor="field-organization_id">
              {t("proxies.fields.organization")}
            </label>
            {errors.fields.organization_id && (
              <span className="usa-error-message" role="alert">
                {errors.fields.organization_id}
              </span>
            )}
            <select
              id="field-organization_id"
              className="usa-select"
              value={chosenOrganization}
              onChange={(event) => setOrganization(event.target.value)}
            >
              {organizations.map(([id, name]) => (
                <option key={id} value={id}>
                  {name}
                </option>
              ))}
            </select>
          </div>
        </fieldset>
        <fieldset
          className={`usa-fieldset usa-form-group${errors.fields.relationship ? " usa-form-group--error" : ""}`}
          aria-describedby="relationship-rules"
        >
          <legend className="usa-legend usa-legend--large">{t("proxies.fields.relationship")}</legend>
          <div className="usa-hint" id="relationship-rules">
            <p>{t("proxies.new.minorRule")}</p>
            <p>{t("proxies.new.adultRule")}</p>
          </div>
          {errors.fields.relationship && (
            <span className="usa-error-message" role="alert">
              {errors.fields.relationship}
            </span>
          )}
          {RELATIONSHIPS.map((value) => (
            <div className="usa-radio" key={value}>
              <input
                className="usa-radio__input"
                id={`relationship-${value}`}
                type="radio"
                name="relationship"
                value={value}
                checked={relationship === value}
                onChange={() => setRelationship(value)}
              />
              <label className="usa-radio__label" htmlFor={`relationship-${value}`}>
                {t(`proxies.relationship.${value}`)}
                <span className="usa-checkbox__label-description">{t(`proxies.relationshipHint.${value}`)}</span>
              </label>
            </div>
          ))}
        </fieldset>
        {forAdult && (
          <>
            <AccessChoice name="access" value={access} onChange={setAccess} error={errors.fields.access} />
            <AreasChoice name="areas" value={areas} onChange={setAreas} error={errors.fields.areas} />
          </>
        )}
        <fieldset className="usa-fieldset">
          <legend className="usa-legend usa-legend--large">{t("proxies.new.you")}</legend>
          <TextField
            name="requester_name"
            label={t("proxies.fields.requesterName")}
            hint={t("proxies.fields.requesterNameHint")}
            error={errors.fields.requester_name}
            value={requesterName}
            onChange={(event) => setRequesterName(event.target.value)}
            autoComplete="name"
          />
          <TextField
            name="requester_phone"
            type="tel"
            label={t("proxies.fields.phone")}
            error={errors.fields.requester_phone}
            value={phone}
            onChange={(event) => setPhone(event.target.value)}
            autoComplete="tel"
          />
          <TextArea
            name="note"
            label={t("proxies.fields.note")}
            error={errors.fields.note}
            value={note}
            onChange={(event) => setNote(event.target.value)}
            maxLength={1000}
          />
        </fieldset>
        <button type="submit" className="usa-button" disabled={create.isPending}>
          {t("proxies.new.continue")}
        </button>
      </form>
    </>
  );
}

/** The API's error with `prefix` taken off the fields its details name. */
function withoutPrefix(error: unknown, prefix: string): unknown {
  if (!isErrorBody(error)) return error;
  const details = error.error.details.map((detail) =>
    detail.field?.startsWith(prefix) ? { ...detail, field: detail.field.slice(prefix.length) } : detail,
  );
  return { error: { ...error.error, details } };
}
