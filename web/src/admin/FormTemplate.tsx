import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useParams } from "react-router";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { adminForms } from "../checkin/calls";
import { paragraphs } from "../checkin/format";
import type { FormTemplate as Template } from "../checkin/types";
import { namedMoment } from "../components/clinicTime";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";
import { formsKey } from "./Forms";

const FIELDS = ["title", "body"] as const;

/**
 * One form: the text patients sign now, every version with its date and SHA-256 (versions are
 * never edited: a change is a new version, signed from then on), a new version, and the switch
 * that stops asking patients for it.
 */
export function FormTemplate() {
  const { t } = useTranslation();
  usePageTitle(t("admin.forms.oneTitle"));
  const { formId = "" } = useParams();
  return (
    <AdminPage>
      {(token) => (
        <>
          <p>
            <Link to="/admin/forms">{t("admin.forms.back")}</Link>
          </p>
          <OneForm token={token} formId={formId} />
        </>
      )}
    </AdminPage>
  );
}

function OneForm({ token, formId }: { token: string; formId: string }) {
  const { t, i18n } = useTranslation();
  const queryClient = useQueryClient();
  const [done, setDone] = useState<{ text: string; ok: boolean }>({ text: "", ok: true });
  const key = ["admin-form", token, formId];
  const form = useQuery({ queryKey: key, queryFn: () => load(() => adminForms.get(formId)) });
  const saved = async (next: Template, message: string) => {
    queryClient.setQueryData(key, next);
    await queryClient.invalidateQueries({ queryKey: formsKey(token) });
    setDone({ text: message, ok: true });
  };
  const toggle = useMutation({
    mutationFn: async (active: boolean) => {
      const { data, error } = await adminForms.setActive(formId, active);
      if (data === undefined) throw error;
      return data;
    },
    onSuccess: (next) => saved(next, t(next.active ? "admin.forms.activated" : "admin.forms.deactivated", { title: next.title })),
    onError: (error) => setDone({ text: formErrors(error, [], t("errors.network")).general.join(" "), ok: false }),
  });

  if (form.isPending) return <p>{t("app.loading")}</p>;
  if (form.isError) return <Problem message={form.error.message} />;
  const current = form.data;
  return (
    <>
      <h1>{current.title}</h1>
      <Notice text={done.text} ok={done.ok} />
      <p>
        {t(`admin.forms.kinds.${current.kind}`)}. {t("admin.forms.currentVersion", { version: current.version })}{" "}
        {current.active ? t("admin.forms.activeLong") : t("admin.forms.inactiveLong")}
      </p>
      <button
        type="button"
        className={`usa-button ${current.active ? "usa-button--secondary" : "usa-button--outline"}`}
        disabled={toggle.isPending}
        onClick={() => {
          setDone({ text: "", ok: true });
          toggle.mutate(!current.active);
        }}
      >
        {current.active ? t("admin.forms.deactivate") : t("admin.forms.activate")}
      </button>
      <h2>{t("admin.forms.textTitle")}</h2>
      <div
        role="region"
        aria-label={t("admin.forms.textTitle")}
        tabIndex={0}
        className="border-1px border-base-lighter radius-md padding-2 bg-base-lightest"
        style={{ maxHeight: "20rem", overflowY: "auto" }}
      >
        {paragraphs(current.body).map((paragraph, index) => (
          <p key={index} style={{ whiteSpace: "pre-wrap" }}>
            {paragraph}
          </p>
        ))}
      </div>
      <h2>{t("admin.forms.versionsTitle")}</h2>
      <div className="usa-table-container--scrollable" tabIndex={0}>
        <table className="usa-table usa-table--borderless usa-table--stacked width-full">
          <caption className="usa-sr-only">{t("admin.forms.versionsTitle")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("admin.forms.version")}</th>
              <th scope="col">{t("admin.forms.published")}</th>
              <th scope="col">{t("admin.forms.by")}</th>
              <th scope="col">{t("admin.forms.sha256")}</th>
            </tr>
          </thead>
          <tbody>
            {[...current.versions].reverse().map((version) => (
              <tr key={version.version}>
                <th scope="row" data-label={t("admin.forms.version")}>
                  {version.version}
                </th>
                <td data-label={t("admin.forms.published")}>{namedMoment(version.created_at, i18n.language)}</td>
                <td data-label={t("admin.forms.by")}>{version.created_by}</td>
                <td data-label={t("admin.forms.sha256")}>
                  <code style={{ overflowWrap: "anywhere" }}>{version.sha256}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <NewVersion form={current} onPublished={(next) => saved(next, t("admin.forms.publishedNew", { version: next.version }))} />
    </>
  );
}

function NewVersion({ form, onPublished }: { form: Template; onPublished: (next: Template) => Promise<void> }) {
  const { t } = useTranslation();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const submission = useSubmissionKey();
  const publish = useMutation({
    mutationFn: async (body: { title: string; body: string }) => {
      const { data, error } = await adminForms.publish(form.form_id, body, submission.keyFor(body));
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setErrors(noErrors),
    onError: (error) => setErrors(formErrors(error, FIELDS, t("errors.network"))),
    onSuccess: async (next) => {
      submission.done();
      await onPublished(next);
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const title = String(data.get("title") ?? "").trim();
    const body = String(data.get("body") ?? "").trim();
    const fields: Record<string, string> = {};
    if (!title) fields.title = t("errors.required");
    if (!body) fields.body = t("errors.required");
    if (Object.keys(fields).length) return setErrors({ fields, general: [] });
    publish.mutate({ title, body });
  }

  return (
    <section aria-labelledby="new-version" className="margin-top-5">
      <h2 id="new-version">{t("admin.forms.newVersionTitle")}</h2>
      <p>{t("admin.forms.newVersionIntro")}</p>
      <ErrorSummary messages={errors.general} />
      {/* keyed by version: once published, the form starts again from the new current text */}
      <form key={form.version} className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <TextField name="title" label={t("admin.forms.formTitle")} error={errors.fields.title} defaultValue={form.title} maxLength={150} autoComplete="off" />
        <TextArea
          name="body"
          label={t("admin.forms.body")}
          hint={t("admin.forms.bodyHint")}
          error={errors.fields.body}
          defaultValue={form.body}
          rows={12}
          maxLength={20000}
        />
        <button className="usa-button" type="submit" disabled={publish.isPending}>
          {publish.isPending ? t("admin.saving") : t("admin.forms.publish")}
        </button>
      </form>
    </section>
  );
}
