import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { whenText } from "../components/dates";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";
import { patientName, recordNumbers } from "./format";

/**
 * Find a patient of the organization by medical record number (POST /v1/staff/patients/search).
 * The number is PHI: it goes in the request's body and this page's state, never in the address.
 * The API finds patients by that number only, so that is all the form asks for.
 */
export function FindPatient() {
  const { t } = useTranslation();
  usePageTitle(t("staff.find.title"));
  return <StaffPage>{() => <SearchForm />}</StaffPage>;
}

function SearchForm() {
  const { t, i18n } = useTranslation();
  const [found, setFound] = useState<Schemas["PatientPortal"] | null>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const mrn = String(new FormData(event.currentTarget).get("mrn")).trim();
    setBusy(true);
    setErrors(noErrors);
    setFound(null);
    try {
      const { data, error } = await api.POST("/v1/staff/patients/search", { body: { mrn } });
      if (data === undefined) setErrors(formErrors(error, ["mrn"], t("errors.unexpected")));
      else setFound(data);
    } catch {
      setErrors({ fields: {}, general: [t("errors.network")] });
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <h1>{t("staff.find.title")}</h1>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form" onSubmit={onSubmit} noValidate role="search" aria-label={t("staff.find.title")}>
        <TextField
          name="mrn"
          label={t("staff.find.mrn")}
          hint={t("staff.find.mrnHint")}
          error={errors.fields.mrn}
          autoComplete="off"
          spellCheck={false}
          required
        />
        <button className="usa-button" type="submit" disabled={busy}>
          {t("staff.find.submit")}
        </button>
      </form>
      {busy && <p>{t("staff.find.searching")}</p>}
      {found && (
        <section aria-labelledby="found-patient" className="usa-summary-box margin-top-3">
          <div className="usa-summary-box__body">
            <h2 className="usa-summary-box__heading" id="found-patient">
              {patientName(found.patient)}
            </h2>
            <ul className="usa-list usa-list--unstyled">
              <li>
                {t("staff.patient.birthDate")}: {whenText(found.patient.birth_date, i18n.language) ?? t("staff.notGiven")}
              </li>
              <li>
                {t("staff.patient.mrn")}: {recordNumbers(found.patient).join(", ")}
              </li>
              <li>
                {t("staff.patient.portalStatus")}: {t(`staff.portalStatus.${found.portal_status}`)}
              </li>
            </ul>
            <Link className="usa-button margin-top-1" to={`/staff/patients/${encodeURIComponent(found.patient.patient_id)}`}>
              {t("staff.find.open")}
            </Link>
          </div>
        </section>
      )}
      <p className="margin-top-4">
        {t("staff.find.notFound")} <Link to="/staff/patients/new">{t("staff.register.title")}</Link>
      </p>
    </>
  );
}
