import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { useNavigate } from "react-router";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { StaffPage } from "./StaffPage";

type Sex = NonNullable<Schemas["PatientRegistration"]["sex"]>;
const sexes: Sex[] = ["female", "male", "other", "unknown"];
const FIELDS = ["mrn", "family_name", "given_names", "birth_date", "sex", "email"] as const;

/** Register a patient the clinical feeds have not sent (yet): POST /v1/staff/patients. */
export function RegisterPatient() {
  const { t } = useTranslation();
  usePageTitle(t("staff.register.title"));
  return <StaffPage>{() => <RegisterForm />}</StaffPage>;
}

function RegisterForm() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const givenNames = text("given_names").split(/\s+/).filter(Boolean);
    const body: Schemas["PatientRegistration"] = {
      mrn: text("mrn"),
      family_name: text("family_name"),
      ...(givenNames.length > 0 && { given_names: givenNames }),
      birth_date: text("birth_date"),
      sex: text("sex") as Sex,
      ...(text("email") && { email: text("email") }),
    };
    setBusy(true);
    setErrors(noErrors);
    try {
      const { data, error } = await api.POST("/v1/staff/patients", { body });
      if (data === undefined) {
        setErrors(formErrors(error, FIELDS, t("errors.unexpected")));
        setBusy(false);
      } else {
        await navigate(`/staff/patients/${encodeURIComponent(data.patient_id)}`, { state: { registered: true } });
      }
    } catch {
      setErrors({ fields: {}, general: [t("errors.network")] });
      setBusy(false);
    }
  }

  return (
    <>
      <h1>{t("staff.register.title")}</h1>
      <p>{t("staff.register.intro")}</p>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form" onSubmit={onSubmit} noValidate>
        <TextField name="mrn" label={t("staff.find.mrn")} error={errors.fields.mrn} autoComplete="off" required />
        <TextField
          name="family_name"
          label={t("staff.register.familyName")}
          error={errors.fields.family_name}
          autoComplete="off"
          required
        />
        <TextField
          name="given_names"
          label={t("staff.register.givenNames")}
          hint={t("staff.register.givenNamesHint")}
          error={errors.fields.given_names}
          autoComplete="off"
        />
        <TextField
          name="birth_date"
          type="date"
          label={t("staff.register.birthDate")}
          error={errors.fields.birth_date}
          required
        />
        <div className={`usa-form-group${errors.fields.sex ? " usa-form-group--error" : ""}`}>
          <label className="usa-label" htmlFor="field-sex">
            {t("staff.register.sex")}
          </label>
          {errors.fields.sex && (
            <span className="usa-error-message" id="field-sex-error" role="alert">
              {errors.fields.sex}
            </span>
          )}
          <select className="usa-select" id="field-sex" name="sex" defaultValue="unknown">
            {sexes.map((sex) => (
              <option key={sex} value={sex}>
                {t(`staff.sex.${sex}`)}
              </option>
            ))}
          </select>
        </div>
        <TextField
          name="email"
          type="email"
          label={t("staff.register.email")}
          hint={t("staff.register.emailHint")}
          error={errors.fields.email}
          autoComplete="off"
        />
        <button className="usa-button" type="submit" disabled={busy}>
          {t("staff.register.submit")}
        </button>
      </form>
    </>
  );
}
