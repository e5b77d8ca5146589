import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";

type Settings = Schemas["OrganizationSettings"];

/** The zones this browser knows, offered as the admin types (the API decides what it accepts). */
function knownZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: "timeZone") => string[] };
  try {
    return intl.supportedValuesOf?.("timeZone") ?? [];
  } catch {
    return [];
  }
}

/** The time now in a zone, in words ("Dec 5, 2026, 8:30 AM"), or null for a name the browser does not know. */
function nowIn(zone: string, language: string): string | null {
  if (!zone) return null;
  try {
    return new Intl.DateTimeFormat(language, { dateStyle: "medium", timeStyle: "short", timeZone: zone }).format(new Date());
  } catch {
    return null;
  }
}

/** The admins' page of the organization's own settings: its time zone, its support address. */
export function Organization() {
  const { t } = useTranslation();
  usePageTitle(t("admin.organization.title"));
  return <AdminPage>{(token) => <OrganizationLoader token={token} />}</AdminPage>;
}

function OrganizationLoader({ token }: { token: string }) {
  const { t } = useTranslation();
  const settings = useQuery({
    queryKey: ["admin-organization", token],
    queryFn: () => load(() => api.GET("/v1/admin/organization")),
  });
  return (
    <>
      <h1>{t("admin.organization.title")}</h1>
      {settings.isPending && <p>{t("app.loading")}</p>}
      {settings.isError && <Problem message={settings.error.message} />}
      {settings.data && (
        <>
          <TimeZoneForm token={token} settings={settings.data} />
          <SupportEmailForm token={token} settings={settings.data} />
        </>
      )}
    </>
  );
}

function TimeZoneForm({ token, settings }: { token: string; settings: Settings }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [zone, setZone] = useState(settings.time_zone);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [done, setDone] = useState("");
  const zones = useMemo(knownZones, []);
  const save = useMutation({
    mutationFn: async (time_zone: string) => {
      const { data, error } = await api.PUT("/v1/admin/organization", { body: { time_zone } });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => {
      setErrors(noErrors);
      setDone("");
    },
    onError: (error) => setErrors(formErrors(error, ["time_zone"], t("errors.network"))),
    onSuccess: (saved) => {
      queryClient.setQueryData(["admin-organization", token], saved);
      setDone(t("admin.organization.saved", { zone: saved.time_zone }));
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = zone.trim();
    if (!name) {
      setErrors({ fields: { time_zone: t("errors.required") }, general: [] });
      return;
    }
    save.mutate(name);
  }

  const now = nowIn(zone.trim(), i18n.language);
  return (
    <>
      <p className="usa-intro">{t("admin.organization.intro", { name: settings.name })}</p>
      <div className="usa-summary-box margin-bottom-3" role="region" aria-labelledby="zone-rules">
        <div className="usa-summary-box__body">
          <h2 className="usa-summary-box__heading" id="zone-rules">
            {t("admin.organization.rulesTitle")}
          </h2>
          <ul className="usa-list">
            <li>{t("admin.organization.ruleNoOffset")}</li>
            <li>{t("admin.organization.ruleOffset")}</li>
            <li>{t("admin.organization.ruleDates")}</li>
            <li>{t("admin.organization.ruleFromNow")}</li>
            <li>{t("admin.organization.rulePatients")}</li>
          </ul>
        </div>
      </div>
      <Notice text={done} />
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <TextField
          name="time_zone"
          label={t("admin.organization.timeZone")}
          hint={t("admin.organization.timeZoneHint")}
          error={errors.fields.time_zone}
          value={zone}
          onChange={(event) => setZone(event.target.value)}
          list={zones.length ? "time-zones" : undefined}
          autoComplete="off"
          spellCheck={false}
          required
        />
        {zones.length > 0 && (
          <datalist id="time-zones">
            {zones.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
        )}
        {/* (not a live region: it changes with every key pressed) */}
        <p>{now ? t("admin.organization.nowThere", { time: now }) : t("admin.organization.unknownHere")}</p>
        <button className="usa-button" type="submit" disabled={save.isPending}>
          {save.isPending ? t("admin.saving") : t("admin.organization.save")}
        </button>
      </form>
    </>
  );
}

/**
 * Where the organization's support requests are announced (by reference number only). Empty: the
 * organization leaves the contact form's list. Saved with the time zone as it is now.
 */
function SupportEmailForm({ token, settings }: { token: string; settings: Settings }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [address, setAddress] = useState(settings.support_email);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [done, setDone] = useState("");
  const save = useMutation({
    mutationFn: async (support_email: string) => {
      const { data, error } = await api.PUT("/v1/admin/organization", {
        body: { time_zone: settings.time_zone, support_email },
      });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => {
      setErrors(noErrors);
      setDone("");
    },
    onError: (error) => setErrors(formErrors(error, ["support_email"], t("errors.network"))),
    onSuccess: (saved) => {
      queryClient.setQueryData(["admin-organization", token], saved);
      setDone(
        saved.support_email
          ? t("admin.organization.supportSaved", { address: saved.support_email })
          : t("admin.organization.supportStopped"),
      );
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    save.mutate(address.trim());
  }

  return (
    <>
      <h2 className="margin-top-5">{t("admin.organization.supportTitle")}</h2>
      <Notice text={done} />
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <TextField
          name="support_email"
          type="email"
          label={t("admin.organization.supportEmail")}
          hint={t("admin.organization.supportEmailHint")}
          error={errors.fields.support_email}
          value={address}
          onChange={(event) => setAddress(event.target.value)}
          autoComplete="off"
        />
        <button className="usa-button" type="submit" disabled={save.isPending}>
          {save.isPending ? t("admin.saving") : t("admin.organization.saveSupport")}
        </button>
      </form>
    </>
  );
}
