import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { type FormErrors, formErrors, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { TextArea, TextField } from "../components/TextField";
import { changeApp, registerApp } from "./calls";
import type { AppRegistration, RegisteredApp, RegisteredWithSecret } from "./types";

const FIELDS = ["name", "description", "redirect_uris", "logo_url", "privacy_policy_url", "kind"] as const;

/**
 * An address the portal may send a patient back to, as the API accepts it: https, or plain http to
 * this computer while an app is developed. (The API checks it again; this names the line at once.)
 */
export function acceptableAddress(line: string): boolean {
  let url: URL;
  try {
    url = new URL(line);
  } catch {
    return false;
  }
  if (line.includes("#")) return false; // (the API refuses a fragment, even an empty one)
  return url.protocol === "https:" || (url.protocol === "http:" && ["localhost", "127.0.0.1"].includes(url.hostname));
}

/** The return addresses as an admin writes them, one per line; the first unacceptable one named. */
export function parseAddresses(text: string): { addresses: string[]; unreadable: string } {
  const addresses = text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  return { addresses, unreadable: addresses.find((line) => !acceptableAddress(line)) ?? "" };
}

/** Registers an app (its kind chosen once), or changes one (`editing`). */
export function AppForm({
  token,
  editing,
  onSaved,
  onCancel,
}: {
  token: string;
  editing: RegisteredApp | null;
  onSaved: (app: RegisteredWithSecret, message: string) => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const heading = useRef<HTMLHeadingElement>(null);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  useEffect(() => {
    if (editing) heading.current?.focus();
  }, [editing]);
  const save = useMutation({
    mutationFn: (body: AppRegistration): Promise<RegisteredWithSecret> =>
      editing ? changeApp(editing.client_id, body) : registerApp(body),
    onMutate: () => setErrors(noErrors),
    onError: (error) => setErrors(formErrors(error, FIELDS, t("errors.network"))),
    onSuccess: async (app) => {
      await queryClient.invalidateQueries({ queryKey: ["admin-apps", token] });
      onSaved(
        app,
        editing
          ? t("apps.admin.saved", { app: app.name })
          : t("apps.admin.registeredNotice", { app: app.name, clientId: app.client_id }),
      );
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? "").trim();
    const { addresses, unreadable } = parseAddresses(String(form.get("redirect_uris") ?? ""));
    const missing: Record<string, string> = {};
    if (!text("name")) missing.name = t("errors.required");
    if (addresses.length === 0) missing.redirect_uris = t("errors.required");
    else if (unreadable) missing.redirect_uris = t("apps.admin.badAddress", { line: unreadable });
    if (Object.keys(missing).length > 0) {
      setErrors({ fields: missing, general: [] });
      return;
    }
    save.mutate({
      name: text("name"),
      description: text("description"),
      redirect_uris: addresses,
      logo_url: text("logo_url") || null,
      privacy_policy_url: text("privacy_policy_url") || null,
      kind: editing ? editing.kind : form.get("kind") === "confidential" ? "confidential" : "public",
    });
  }

  return (
    <section aria-labelledby="app-form" className="margin-top-5">
      <h2 id="app-form" tabIndex={-1} ref={heading}>
        {editing ? t("apps.admin.changeTitle", { app: editing.name }) : t("apps.admin.addTitle")}
      </h2>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <TextField
          name="name"
          label={t("apps.admin.name")}
          error={errors.fields.name}
          defaultValue={editing?.name ?? ""}
          autoComplete="off"
          maxLength={80}
          required
        />
        <TextArea
          name="description"
          label={t("apps.admin.description")}
          hint={t("apps.admin.descriptionHint")}
          error={errors.fields.description}
          defaultValue={editing?.description ?? ""}
          maxLength={200}
          rows={3}
        />
        <TextArea
          name="redirect_uris"
          label={t("apps.admin.redirectUris")}
          hint={t("apps.admin.redirectUrisHint")}
          error={errors.fields.redirect_uris}
          defaultValue={editing?.redirect_uris.join("\n") ?? ""}
          autoComplete="off"
          spellCheck={false}
          rows={3}
          required
        />
        <TextField
          name="logo_url"
          type="url"
          label={t("apps.admin.logoUrl")}
          error={errors.fields.logo_url}
          defaultValue={editing?.logo_url ?? ""}
          autoComplete="off"
          spellCheck={false}
        />
        <TextField
          name="privacy_policy_url"
          type="url"
          label={t("apps.admin.privacyUrl")}
          error={errors.fields.privacy_policy_url}
          defaultValue={editing?.privacy_policy_url ?? ""}
          autoComplete="off"
          spellCheck={false}
        />
        {editing ? (
          <p>
            {t("apps.admin.kind")}: {t(`apps.admin.kindShort.${editing.kind}`)}.{" "}
            <span className="usa-hint">{t("apps.admin.kindFixed")}</span>
          </p>
        ) : (
          <fieldset className={`usa-fieldset usa-form-group${errors.fields.kind ? " usa-form-group--error" : ""}`}>
            <legend className="usa-legend">{t("apps.admin.kind")}</legend>
            {errors.fields.kind && <span className="usa-error-message">{errors.fields.kind}</span>}
            {(["public", "confidential"] as const).map((kind) => (
              <div className="usa-radio" key={kind}>
                <input
                  className="usa-radio__input"
                  id={`kind-${kind}`}
                  type="radio"
                  name="kind"
                  value={kind}
                  defaultChecked={kind === "public"}
                />
                <label className="usa-radio__label" htmlFor={`kind-${kind}`}>
                  {t(`apps.admin.kinds.${kind}`)}
                </label>
              </div>
            ))}
          </fieldset>
        )}
        <ul className="usa-button-group">
          <li className="usa-button-group__item">
            <button className="usa-button" type="submit" disabled={save.isPending}>
              {editing ? t("apps.admin.save") : t("apps.admin.register")}
            </button>
          </li>
          {editing && (
            <li className="usa-button-group__item">
              <button type="button" className="usa-button usa-button--outline" onClick={onCancel}>
                {t("admin.cancel")}
              </button>
            </li>
          )}
        </ul>
      </form>
    </section>
  );
}
