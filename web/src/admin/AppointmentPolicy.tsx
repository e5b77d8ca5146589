import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";

type Policy = Schemas["AppointmentPolicyShown"];
const fields = ["cancel_cutoff_hours", "reminder_hours", "checkin_opens_days", "office_phone", "video_link_template"] as const;
type Field = (typeof fields)[number];
const WHOLE = /^\d{1,4}$/;
// The API's own rules for the phone and the video link, checked here too so that every field's
// problem is said at once: a form that stopped at the number fields would hide these until later.
const PHONE = /^[0-9+()\-. x]{3,40}$/;
const TEMPLATE_FIELDS = /\{([^{}]*)\}/g;

function validTemplate(template: string): boolean {
  if (template.length > 500 || !template.startsWith("https://") || /\s/.test(template)) return false;
  const named = [...template.matchAll(TEMPLATE_FIELDS)].map((match) => match[1]);
  return named.length === 1 && named[0] === "appointment_id";
}

const policyKey = (token: string) => ["admin-appointment-policy", token];

/**
 * The organization's appointment policy: how late patients may cancel online (and the number they
 * call after), when reminders go, when check-in opens, and the link video visits use when the
 * scheduling system sends none. It applies from the next time a visit is read.
 */
export function AppointmentPolicy() {
  const { t } = useTranslation();
  usePageTitle(t("admin.appointmentPolicy.title"));
  return <AdminPage>{(token) => <PolicyLoader token={token} />}</AdminPage>;
}

function PolicyLoader({ token }: { token: string }) {
  const { t } = useTranslation();
  const policy = useQuery({ queryKey: policyKey(token), queryFn: () => load(() => api.GET("/v1/admin/appointment-policy")) });
  return (
    <>
      <h1>{t("admin.appointmentPolicy.title")}</h1>
      <p className="usa-intro">{t("admin.appointmentPolicy.intro")}</p>
      {policy.isPending && <p>{t("app.loading")}</p>}
      {policy.isError && <Problem message={policy.error.message} />}
      {policy.data && <PolicyForm token={token} policy={policy.data} />}
    </>
  );
}

function PolicyForm({ token, policy }: { token: string; policy: Policy }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [saved, setSaved] = useState(false);

  const save = useMutation({
    mutationFn: async (body: Policy) => {
      const { data, error } = await api.PUT("/v1/admin/appointment-policy", { body });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => {
      setErrors(noErrors);
      setSaved(false);
    },
    onError: (error) => {
      // Each field the API names is told, beside it, in the page's words for that field (the
      // API's own are terse: "0 to 336"); what it names that is not on the page is in the summary.
      const found = formErrors(error, fields, t("errors.network"));
      const said = Object.fromEntries(Object.keys(found.fields).map((field) => [field, fieldWords[field as Field]]));
      setErrors({ fields: said, general: found.general });
    },
    onSuccess: (stored) => {
      queryClient.setQueryData(policyKey(token), stored);
      setSaved(true);
    },
  });

  const fieldWords: Record<Field, string> = {
    cancel_cutoff_hours: t("admin.appointmentPolicy.cutoffRange"),
    reminder_hours: t("admin.appointmentPolicy.remindersRange"),
    checkin_opens_days: t("admin.appointmentPolicy.checkinRange"),
    office_phone: t("admin.appointmentPolicy.phoneInvalid"),
    video_link_template: t("admin.appointmentPolicy.videoInvalid"),
  };

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? "").trim();
    const problems: Record<string, string> = {};
    const whole = (name: Field, high: number, words: string): number => {
      const text = value(name);
      if (!WHOLE.test(text) || Number(text) > high) problems[name] = words;
      return Number(text);
    };
    const cutoff = whole("cancel_cutoff_hours", 336, t("admin.appointmentPolicy.cutoffRange"));
    const opens = whole("checkin_opens_days", 14, t("admin.appointmentPolicy.checkinRange"));
    const reminderText = value("reminder_hours");
    const reminders = reminderText === "" ? [] : reminderText.split(/[\s,]+/).filter(Boolean);
    if (
      reminders.length > 3 ||
      !reminders.every((hours) => WHOLE.test(hours) && Number(hours) >= 1 && Number(hours) <= 336) ||
      new Set(reminders.map(Number)).size !== reminders.length
    ) {
      problems.reminder_hours = t("admin.appointmentPolicy.remindersRange");
    }
    const phone = value("office_phone");
    if (phone && !PHONE.test(phone)) problems.office_phone = fieldWords.office_phone;
    const template = value("video_link_template");
    if (template && !validTemplate(template)) problems.video_link_template = fieldWords.video_link_template;
    setSaved(false);
    if (Object.keys(problems).length > 0) {
      setErrors({ fields: problems, general: [] });
      return;
    }
    save.mutate({
      cancel_cutoff_hours: cutoff,
      reminder_hours: reminders.map(Number),
      checkin_opens_days: opens,
      office_phone: phone,
      video_link_template: template,
    });
  }

  return (
    <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
      <TextField
        name="cancel_cutoff_hours"
        label={t("admin.appointmentPolicy.cutoff")}
        hint={t("admin.appointmentPolicy.cutoffHint")}
        error={errors.fields.cancel_cutoff_hours}
        inputMode="numeric"
        defaultValue={String(policy.cancel_cutoff_hours)}
      />
      <TextField
        name="office_phone"
        type="tel"
        label={t("admin.appointmentPolicy.phone")}
        hint={t("admin.appointmentPolicy.phoneHint")}
        error={errors.fields.office_phone}
        maxLength={40}
        defaultValue={policy.office_phone}
      />
      <TextField
        name="reminder_hours"
        label={t("admin.appointmentPolicy.reminders")}
        hint={t("admin.appointmentPolicy.remindersHint")}
        error={errors.fields.reminder_hours}
        defaultValue={policy.reminder_hours.join(", ")}
      />
      <TextField
        name="checkin_opens_days"
        label={t("admin.appointmentPolicy.checkin")}
        hint={t("admin.appointmentPolicy.checkinHint")}
        error={errors.fields.checkin_opens_days}
        inputMode="numeric"
        defaultValue={String(policy.checkin_opens_days)}
      />
      <TextField
        name="video_link_template"
        type="url"
        label={t("admin.appointmentPolicy.video")}
        hint={t("admin.appointmentPolicy.videoHint")}
        error={errors.fields.video_link_template}
        maxLength={500}
        defaultValue={policy.video_link_template}
        autoComplete="off"
        spellCheck={false}
      />
      <div className="margin-top-4">
        <ErrorSummary messages={errors.general} />
        <Notice text={saved ? t("admin.appointmentPolicy.saved") : null} />
        <button className="usa-button margin-top-2" type="submit" disabled={save.isPending}>
          {save.isPending ? t("admin.saving") : t("admin.appointmentPolicy.save")}
        </button>
      </div>
    </form>
  );
}
