import type { TFunction } from "i18next";
import { useMutation } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { formErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { approveRequest, denyRequest } from "./calls";
import { leave } from "./leave";
import type { AuthorizationRequest, ShareablePatient } from "./types";
import { groupsOf, groupWords, type ResourceGroup, typesWords } from "./words";

/** Whose record, in words: the patient's own, or one the account acts for (the proxy's relationship). */
function recordWords(patient: ShareablePatient, t: TFunction): string {
  return patient.relationship === "self"
    ? t("apps.authorize.yourRecord", { organization: patient.organization_name })
    : t("apps.authorize.theirRecord", { name: patient.name, organization: patient.organization_name });
}

/**
 * What the patient lets the app read: whose record (a radio list when the account may act for
 * more than one), each kind of information with a checkbox they may uncheck (only what this
 * account may share of that record: a proxy's grant limits it), then Allow or Deny. Either answer
 * comes back as the app's address (with the code, or the refusal), which the browser then opens.
 */
export function ConsentForm({ request }: { request: AuthorizationRequest }) {
  const { t } = useTranslation();
  const { patients } = request;
  const [patientId, setPatientId] = useState(patients.length === 1 ? patients[0]!.patient_id : "");
  // What the patient unchecked, by group: what stays checked follows the record chosen.
  const [unchecked, setUnchecked] = useState<ResourceGroup[]>([]);
  const [problem, setProblem] = useState<string[]>([]);
  const patient = patients.find((p) => p.patient_id === patientId);
  const offered = groupsOf(request.resource_types.filter((type) => !patient || patient.resource_types.includes(type)));
  const notCovered = patient ? request.resource_types.filter((type) => !patient.resource_types.includes(type)) : [];
  const chosen = offered.filter(({ group }) => !unchecked.includes(group));
  // A record the account acts for is spoken of as theirs ("Emma’s name, ..."), not "your".
  const whose = patient && patient.relationship !== "self" ? patient.name : undefined;

  const answer = useMutation({
    mutationFn: (allow: boolean) =>
      allow
        ? approveRequest(request.request_id, { patient_id: patientId, resource_types: chosen.flatMap((g) => g.types) })
        : denyRequest(request.request_id),
    onMutate: () => setProblem([]),
    onSuccess: ({ redirect_to }) => leave.to(redirect_to),
    onError: (error) => setProblem(formErrors(error, [], t("errors.network")).general),
  });

  function onAllow(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!patient) setProblem([t("apps.authorize.chooseRecord")]);
    else if (chosen.length === 0) setProblem([t("apps.authorize.chooseSome")]);
    else answer.mutate(true);
  }

  if (patients.length === 0) {
    return (
      <>
        <p>{t("apps.authorize.noRecord")}</p>
        <button type="button" className="usa-button usa-button--outline" onClick={() => answer.mutate(false)}>
          {t("apps.authorize.deny")}
        </button>
      </>
    );
  }
  const leaving = answer.isSuccess;
  return (
    <form className="usa-form usa-form--large" onSubmit={onAllow} noValidate>
      <ErrorSummary messages={problem} />
      {patients.length > 1 ? (
        <fieldset className="usa-fieldset usa-form-group">
          <legend className="usa-legend">{t("apps.authorize.whose")}</legend>
          <span className="usa-hint">{t("apps.authorize.whoseHint")}</span>
          {patients.map((p) => (
            <div className="usa-radio" key={p.patient_id}>
              <input
                className="usa-radio__input"
                id={`patient-${p.patient_id}`}
                type="radio"
                name="patient_id"
                value={p.patient_id}
                checked={patientId === p.patient_id}
                onChange={() => setPatientId(p.patient_id)}
              />
              <label className="usa-radio__label" htmlFor={`patient-${p.patient_id}`}>
                {recordWords(p, t)}
              </label>
            </div>
          ))}
        </fieldset>
      ) : (
        <p>{t("apps.authorize.sharingOne", { record: recordWords(patients[0]!, t) })}</p>
      )}
      <fieldset className="usa-fieldset usa-form-group" aria-describedby="what-hint">
        <legend className="usa-legend">{t("apps.authorize.what")}</legend>
        <span className="usa-hint" id="what-hint">
          {t("apps.authorize.whatHint")}
        </span>
        {offered.map(({ group }) => (
          <div className="usa-checkbox" key={group}>
            <input
              className="usa-checkbox__input"
              id={`share-${group}`}
              type="checkbox"
              name="resource_types"
              value={group}
              checked={!unchecked.includes(group)}
              onChange={(event) =>
                setUnchecked(event.target.checked ? unchecked.filter((g) => g !== group) : [...unchecked, group])
              }
            />
            <label className="usa-checkbox__label" htmlFor={`share-${group}`}>
              {groupWords(group, t, whose)}
            </label>
          </div>
        ))}
      </fieldset>
      {notCovered.length > 0 && (
        <p className="usa-hint">{t("apps.authorize.notCovered", { types: typesWords(notCovered, t, whose).join(", ") })}</p>
      )}
      {request.not_granted.length > 0 && <p className="usa-hint">{t("apps.authorize.notOffered")}</p>}
      <ul className="usa-list">
        <li>{request.offline ? t("apps.authorize.offline") : t("apps.authorize.online")}</li>
        {request.openid && <li>{t("apps.authorize.identity")}</li>}
      </ul>
      <ul className="usa-button-group margin-top-2">
        <li className="usa-button-group__item">
          <button className="usa-button" type="submit" disabled={answer.isPending || leaving}>
            {t("apps.authorize.allow")}
          </button>
        </li>
        <li className="usa-button-group__item">
          <button
            type="button"
            className="usa-button usa-button--outline"
            disabled={answer.isPending || leaving}
            onClick={() => answer.mutate(false)}
          >
            {t("apps.authorize.deny")}
          </button>
        </li>
      </ul>
      {leaving && <p role="status">{t("apps.authorize.leaving")}</p>}
    </form>
  );
}
