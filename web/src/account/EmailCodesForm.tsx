import { useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import { type FormErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextField } from "../components/TextField";
import { submit } from "./submit";

/**
 * Sign-in codes by email on or off, the password confirming it (PUT /v1/me/second-factors/email).
 * Turning on the first second factor answers recovery codes: they go to onCodes to be shown once.
 */
export function EmailCodesForm({
  enabled,
  token,
  onCodes,
  onDone,
}: {
  enabled: boolean;
  token: string;
  onCodes: (codes: string[]) => void;
  onDone?: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const id = useId().replace(/:/g, "");
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [busy, setBusy] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const password = String(new FormData(form).get(`password-${id}`) ?? "");
    setBusy(true);
    setErrors(noErrors);
    const outcome = await submit(
      () => api.PUT("/v1/me/second-factors/email", { body: { enabled: !enabled, password } }),
      ["password"],
    );
    setBusy(false);
    if (outcome.errors) {
      setErrors(outcome.errors);
      return;
    }
    form.reset();
    if (outcome.data.recovery_codes) onCodes(outcome.data.recovery_codes);
    else if (onDone) onDone();
    await queryClient.invalidateQueries({ queryKey: ["me", token] });
  }

  return (
    <form className="usa-form" onSubmit={onSubmit} noValidate>
      <ErrorSummary messages={errors.general} />
      <TextField
        name={`password-${id}`}
        type="password"
        label={t("account.password.current")}
        error={errors.fields.password}
        autoComplete="current-password"
        required
      />
      <button className="usa-button" type="submit" disabled={busy}>
        {enabled ? t("account.emailCodes.turnOff") : t("account.emailCodes.turnOn")}
      </button>
    </form>
  );
}
