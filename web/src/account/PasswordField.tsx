import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Field } from "../components/Field";
import { passwordRules } from "./passwordRules";

interface Props {
  name: string;
  label: string;
  error?: string;
  username?: string;
  email?: string;
}

/**
 * A new password's field with the API's rules under it, each shown met or not yet as the person
 * types. (A password they already have uses a plain TextField.)
 */
export function PasswordField({ name, label, error, username, email }: Props) {
  const { t } = useTranslation();
  const [value, setValue] = useState("");
  const rules = passwordRules(value, { username, email });
  return (
    <Field
      name={name}
      label={label}
      error={error}
      hint={
        <>
          <p className="margin-y-05">{t("account.password.rulesIntro")}</p>
          <ul className="usa-list usa-list--unstyled">
            {rules.map((rule) => (
              <li key={rule.key} data-met={rule.met} className={rule.met ? "text-green" : undefined}>
                <span aria-hidden="true">{rule.met ? "✓ " : "○ "}</span>
                <span className="usa-sr-only">{rule.met ? t("account.password.met") : t("account.password.notMet")}</span>
                {t(rule.key)}
              </li>
            ))}
            <li>
              <span aria-hidden="true">• </span>
              {t("account.password.ruleCommon")}
            </li>
          </ul>
        </>
      }
    >
      {(control) => (
        <input
          className={`usa-input${error ? " usa-input--error" : ""}`}
          {...control}
          type="password"
          autoComplete="new-password"
          required
          value={value}
          onChange={(event) => setValue(event.target.value)}
        />
      )}
    </Field>
  );
}
