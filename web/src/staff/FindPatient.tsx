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
import { patientName } from "./format";

type Search = Schemas["PatientSearch"];
type Way = "mrn" | "identifier" | "name";
const FIELDS = ["mrn", "identifier", "family_name", "birth_date"] as const;

/**
 * Find patients of the organization (POST /v1/staff/patients/search): by medical record number, by
 * any identifier (a lab's, an HIE's, one the feeds scoped to their sender), or by family name and
 * birth date (a short list). What is searched for is PHI: it goes in the request's body and this
 * page's state, never in the address.
 */
export function FindPatient() {
  const { t } = useTranslation();
  usePageTitle(t("staff.find.title"));
  return <StaffPage>{() => <SearchForm />}</StaffPage>;
}

function SearchForm() {
  const { t } = useTranslation();
  const [way, setWay] = useState<Way>("mrn");
  const [found, setFound] = useState<Schemas["PatientMatches"] | null>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const body: Search =
      way === "mrn"
        ? { mrn: text("mrn") }
        : way === "identifier"
          ? { identifier: { authority: text("authority"), value: text("value") } }
          : { family_name: text("family_name"), birth_date: text("birth_date") };
    setBusy(true);
    setErrors(noErrors);
    setFound(null);
    try {
      const { data, error } = await api.POST("/v1/staff/patients/search", { body });
      if (data === undefined) setErrors(formErrors(error, FIELDS, t("errors.unexpected")));
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
      <fieldset className="usa-fieldset">
        <legend className="usa-legend">{t("staff.find.way")}</legend>
        {(["mrn", "identifier", "name"] as const).map((option) => (
          <div className="usa-radio" key={option}>
            <input
              className="usa-radio__input"
              id={`way-${option}`}
              type="radio"
              name="way"
              value={option}
              checked={way === option}
              onChange={() => {
                setWay(option);
                setErrors(noErrors);
                setFound(null);
              }}
            />
            <label className="usa-radio__label" htmlFor={`way-${option}`}>
              {t(`staff.find.ways.${option}`)}
            </label>
          </div>
        ))}
      </fieldset>
      <form className="usa-form" onSubmit={onSubmit} noValidate role="search" aria-label={t("staff.find.title")}>
        {way === "mrn" && (
          <TextField
            name="mrn"
            label={t("staff.find.mrn")}
            hint={t("staff.find.mrnHint")}
            error={errors.fields.mrn}
            autoComplete="off"
            spellCheck={false}
            required
          />
        )}
        {way === "identifier" && (
          <>
            <TextField
              name="authority"
              label={t("staff.find.authority")}
              hint={t("staff.find.authorityHint")}
              error={errors.fields.identifier}
              autoComplete="off"
              spellCheck={false}
              required
            />
            <TextField name="value" label={t("staff.find.value")} autoComplete="off" spellCheck={false} required />
          </>
        )}
        {way === "name" && (
          <>
            <TextField
              name="family_name"
              label={t("staff.find.familyName")}
              hint={t("staff.find.familyNameHint")}
              error={errors.fields.family_name}
              autoComplete="off"
              spellCheck={false}
              required
            />
            <TextField
              name="birth_date"
              type="date"
              label={t("staff.find.birthDate")}
              error={errors.fields.birth_date}
              autoComplete="off"
              required
            />
          </>
        )}
        <button className="usa-button" type="submit" disabled={busy}>
          {t("staff.find.submit")}
        </button>
      </form>
      {busy && <p>{t("staff.find.searching")}</p>}
      {found && <Found matches={found} />}
      <p className="margin-top-4">
        {t("staff.find.notFound")} <Link to="/staff/patients/new">{t("staff.register.title")}</Link>
      </p>
      <p>
        <Link to="/staff/proxy-invitations/new">{t("staff.proxyInvite.link")}</Link>
      </p>
    </>
  );
}

function Found({ matches }: { matches: Schemas["PatientMatches"] }) {
  const { t, i18n } = useTranslation();
  if (matches.patients.length === 0) {
    return (
      <p className="margin-top-3" role="status">
        {t("staff.find.none")}
      </p>
    );
  }
  return (
    <section aria-labelledby="found-patients" className="margin-top-3">
      <h2 id="found-patients">
        {t("staff.find.found", { count: matches.patients.length })}
      </h2>
      {matches.truncated && <p>{t("staff.find.truncated")}</p>}
      {matches.patients.map(({ patient, portal_status }) => (
        <section
          key={patient.patient_id}
          aria-labelledby={`found-${patient.patient_id}`}
          className="usa-summary-box margin-top-2"
        >
          <div className="usa-summary-box__body">
            <h3 className="usa-summary-box__heading" id={`found-${patient.patient_id}`}>
              {patientName(patient)}
            </h3>
            <ul className="usa-list usa-list--unstyled">
              <li>
                {t("staff.patient.birthDate")}: {whenText(patient.birth_date, i18n.language) ?? t("staff.notGiven")}
              </li>
              <li style={{ overflowWrap: "anywhere" }}>
                {t("staff.patient.identifiers")}:{" "}
                {patient.identifiers.map((i) => `${i.value} (${i.authority})`).join(", ")}
              </li>
              <li>
                {t("staff.patient.portalStatus")}: {t(`staff.portalStatus.${portal_status}`)}
              </li>
              {patient.deceased && <li>{t("staff.patient.deceased")}</li>}
            </ul>
            <Link className="usa-button margin-top-1" to={`/staff/patients/${encodeURIComponent(patient.patient_id)}`}>
              {t("staff.find.openNamed", { name: patientName(patient) })}
            </Link>
          </div>
        </section>
      ))}
    </section>
  );
}
