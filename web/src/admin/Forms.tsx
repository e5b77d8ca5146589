import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { useSubmissionKey } from "../api/idempotency";
import { adminForms } from "../checkin/calls";
import { FORM_KINDS, type FormKind } from "../checkin/types";
import { namedMoment } from "../components/clinicTime";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";

export const formsKey = (token: string) => ["admin-forms", token];
const FIELDS = ["title", "kind", "body"] as const;

/**
 * The forms patients sign when they check in (consent to treat, privacy notice, financial policy):
 * the list, and a new form. A form's versions and its active switch are on its own page.
 */
export function Forms() {
  const { t } = useTranslation();
  usePageTitle(t("admin.forms.title"));
  return <AdminPage>{(token) => <FormsPage token={token} />}</AdminPage>;
}

function FormsPage({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const [done, setDone] = useState("");
  const forms = useQuery({ queryKey: formsKey(token), queryFn: () => load(adminForms.list) });
  return (
    <>
      <h1>{t("admin.forms.title")}</h1>
      <p className="usa-intro">{t("admin.forms.intro")}</p>
      <Notice text={done} />
      <h2>{t("admin.forms.listTitle")}</h2>
      {forms.isPending && <p>{t("app.loading")}</p>}
      {forms.isError && <Problem message={forms.error.message} />}
      {forms.data &&
        (forms.data.forms.length === 0 ? (
          <p>{t("admin.forms.none")}</p>
        ) : (
          <div className="usa-table-container--scrollable" tabIndex={0}>
            <table className="usa-table usa-table--borderless usa-table--stacked width-full">
              <caption className="usa-sr-only">{t("admin.forms.listTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.forms.formTitle")}</th>
                  <th scope="col">{t("admin.forms.kind")}</th>
                  <th scope="col">{t("admin.forms.version")}</th>
                  <th scope="col">{t("admin.forms.status")}</th>
                  <th scope="col">{t("admin.forms.updated")}</th>
                </tr>
              </thead>
              <tbody>
                {forms.data.forms.map((form) => (
                  <tr key={form.form_id}>
                    <th scope="row" data-label={t("admin.forms.formTitle")} style={{ overflowWrap: "anywhere" }}>
                      <Link to={`/admin/forms/${encodeURIComponent(form.form_id)}`}>{form.title}</Link>
                    </th>
                    <td data-label={t("admin.forms.kind")}>{t(`admin.forms.kinds.${form.kind}`)}</td>
                    <td data-label={t("admin.forms.version")}>{form.version}</td>
                    <td data-label={t("admin.forms.status")}>{form.active ? t("admin.forms.active") : t("admin.forms.inactive")}</td>
                    <td data-label={t("admin.forms.updated")}>{namedMoment(form.updated_at, i18n.language)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <NewForm token={token} onAdded={setDone} />
    </>
  );
}

function NewForm({ token, onAdded }: { token: string; onAdded: (message: string) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const [formKey, setFormKey] = useState(0); // a new key empties the form once a form is added
  const submission = useSubmissionKey();
  const add = useMutation({
    mutationFn: async (body: { title: string; kind: FormKind; body: string }) => {
      const { data, error } = await adminForms.create(body, submission.keyFor(body));
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setErrors(noErrors),
    onError: (error) => setErrors(formErrors(error, FIELDS, t("errors.network"))),
    onSuccess: async (form) => {
      submission.done();
      await queryClient.invalidateQueries({ queryKey: formsKey(token) });
      setFormKey((n) => n + 1);
      onAdded(t("admin.forms.added", { title: form.title }));
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
    add.mutate({ title, kind: String(data.get("kind")) as FormKind, body });
  }

  return (
    <section aria-labelledby="new-form" className="margin-top-5">
      <h2 id="new-form">{t("admin.forms.addTitle")}</h2>
      <ErrorSummary messages={errors.general} />
      <form key={formKey} className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        <TextField name="title" label={t("admin.forms.formTitle")} error={errors.fields.title} maxLength={150} autoComplete="off" />
        <KindSelect error={errors.fields.kind} />
        <TextArea
          name="body"
          label={t("admin.forms.body")}
          hint={t("admin.forms.bodyHint")}
          error={errors.fields.body}
          rows={10}
          maxLength={20000}
        />
        <button className="usa-button" type="submit" disabled={add.isPending}>
          {add.isPending ? t("admin.saving") : t("admin.forms.add")}
        </button>
      </form>
    </section>
  );
}

function KindSelect({ error }: { error?: string }) {
  const { t } = useTranslation();
  return (
    <div className={`usa-form-group${error ? " usa-form-group--error" : ""}`}>
      <label className="usa-label" htmlFor="field-kind">
        {t("admin.forms.kind")}
      </label>
      {error && (
        <span className="usa-error-message" id="field-kind-error" role="alert">
          {error}
        </span>
      )}
      <select className="usa-select" id="field-kind" name="kind" aria-describedby={error ? "field-kind-error" : undefined}>
        {FORM_KINDS.map((kind) => (
          <option key={kind} value={kind}>
            {t(`admin.forms.kinds.${kind}`)}
          </option>
        ))}
      </select>
    </div>
  );
}
