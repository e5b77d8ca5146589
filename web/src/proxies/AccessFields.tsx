import { useTranslation } from "react-i18next";
import { type Access, AREAS } from "./types";

/** The parts of the record a grant covers, as checkboxes (what the API calls `areas`). */
export function AreasChoice({
  name,
  value,
  onChange,
  error,
}: {
  name: string;
  value: string[];
  onChange: (areas: string[]) => void;
  error?: string;
}) {
  const { t } = useTranslation();
  const toggle = (area: string, on: boolean) =>
    onChange(on ? AREAS.filter((a) => a === area || value.includes(a)) : value.filter((a) => a !== area));
  return (
    <fieldset
      className={`usa-fieldset usa-form-group${error ? " usa-form-group--error" : ""}`}
      aria-describedby={error ? `${name}-error` : undefined}
    >
      <legend className="usa-legend">{t("proxies.fields.areas")}</legend>
      {error && (
        <span className="usa-error-message" id={`${name}-error`} role="alert">
          {error}
        </span>
      )}
      {AREAS.map((area) => (
        <div className="usa-checkbox" key={area}>
          <input
            className="usa-checkbox__input"
            id={`${name}-${area}`}
            type="checkbox"
            name={name}
            value={area}
            checked={value.includes(area)}
            onChange={(event) => toggle(area, event.target.checked)}
          />
          <label className="usa-checkbox__label" htmlFor={`${name}-${area}`}>
            {t(`proxies.areaName.${area}`)}
          </label>
        </div>
      ))}
    </fieldset>
  );
}

/** Read only, or read and act (send messages, ask for visits and refills, check in). */
export function AccessChoice({
  name,
  value,
  onChange,
  error,
}: {
  name: string;
  value: Access;
  onChange: (access: Access) => void;
  error?: string;
}) {
  const { t } = useTranslation();
  return (
    <fieldset
      className={`usa-fieldset usa-form-group${error ? " usa-form-group--error" : ""}`}
      aria-describedby={error ? `${name}-error` : undefined}
    >
      <legend className="usa-legend">{t("proxies.fields.access")}</legend>
      {error && (
        <span className="usa-error-message" id={`${name}-error`} role="alert">
          {error}
        </span>
      )}
      {(["read_only", "full"] as const).map((access) => (
        <div className="usa-radio" key={access}>
          <input
            className="usa-radio__input"
            id={`${name}-${access}`}
            type="radio"
            name={name}
            value={access}
            checked={value === access}
            onChange={() => onChange(access)}
          />
          <label className="usa-radio__label" htmlFor={`${name}-${access}`}>
            {t(`proxies.access.${access}`)}
            <span className="usa-checkbox__label-description">{t(`proxies.accessHint.${access}`)}</span>
          </label>
        </div>
      ))}
    </fieldset>
  );
}
