import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { adminForms } from "../checkin/calls";
import type { VisitType } from "../checkin/types";
import { namedMoment } from "../components/clinicTime";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";
import { formsKey } from "./Forms";

const FIELDS = ["visit_type_id", "name", "form_ids", "questionnaire"] as const;
const SLUG = /^[a-z0-9-]{1,60}$/;

/**
 * What check-in asks for each kind of visit: the forms to sign and a questionnaire (FHIR
 * Questionnaire JSON, which the API checks and names the item it refuses). A visit type's name is
 * matched with the visit's type as the scheduling system sends it; "*" is every other visit.
 */
export function VisitTypes() {
  const { t } = useTranslation();
  usePageTitle(t("admin.visitTypes.title"));
  return <AdminPage>{(token) => <VisitTypesPage token={token} />}</AdminPage>;
}

function VisitTypesPage({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const [editing, setEditing] = useState<VisitType | null>(null);
  const [done, setDone] = useState("");
  const types = useQuery({ queryKey: ["admin-visit-types", token], queryFn: () => load(adminForms.visitTypes) });
  const forms = useQuery({ queryKey: formsKey(token), queryFn: () => load(adminForms.list) });
  const titleOf = (formId: string) => forms.data?.forms.find((form) => form.form_id === formId)?.title ?? formId;
  return (
    <>
      <h1>{t("admin.visitTypes.title")}</h1>
      <p className="usa-intro">{t("admin.visitTypes.intro")}</p>
      <Notice text={done} />
      <h2>{t("admin.visitTypes.listTitle")}</h2>
      {types.isPending && <p>{t("app.loading")}</p>}
      {types.isError && <Problem message={types.error.message} />}
      {types.data &&
        (types.data.visit_types.length === 0 ? (
          <p>{t("admin.visitTypes.none")}</p>
        ) : (
          <div className="usa-table-container--scrollable" tabIndex={0}>
            <table className="usa-table usa-table--borderless usa-table--stacked width-full">
              <caption className="usa-sr-only">{t("admin.visitTypes.listTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.visitTypes.name")}</th>
                  <th scope="col">{t("admin.visitTypes.forms")}</th>
                  <th scope="col">{t("admin.visitTypes.questionnaire")}</th>
                  <th scope="col">{t("admin.visitTypes.updated")}</th>
                  <th scope="col">{t("admin.staff.action")}</th>
                </tr>
              </thead>
              <tbody>
                {types.data.visit_types.map((type) => (
                  <tr key={type.visit_type_id}>
                    <th scope="row" data-label={t("admin.visitTypes.name")} style={{ overflowWrap: "anywhere" }}>
                      {type.name === "*" ? t("admin.visitTypes.anyVisit") : type.name}
                    </th>
                    <td data-label={t("admin.visitTypes.forms")}>
                      {type.form_ids.length ? type.form_ids.map(titleOf).join(", ") : t("admin.visitTypes.noForms")}
                    </td>
                    <td data-label={t("admin.visitTypes.questionnaire")}>
                      {type.questionnaire
                        ? String(type.questionnaire.title ?? t("admin.visitTypes.untitledQuestionnaire"))
                        : t("admin.visitTypes.noQuestionnaire")}
                    </td>
                    <td data-label={t("admin.visitTypes.updated")}>{namedMoment(type.updated_at, i18n.language)}</td>
                    <td data-label={t("admin.staff.action")}>
                      <button
                        type="button"
                        className="usa-button usa-button--outline usa-button--small"
                        onClick={() => {
                          setDone("");
                          setEditing(type);
                        }}
                      >
                        {t("admin.visitTypes.change", { name: type.name === "*" ? t("admin.visitTypes.anyVisit") : type.name })}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <VisitTypeForm
        key={editing?.visit_type_id ?? "new"}
        token={token}
        editing={editing}
        forms={forms.data?.forms.filter((form) => form.active || editing?.form_ids.includes(form.form_id)) ?? []}
        onSaved={(message) => {
          setEditing(null);
          setDone(message);
        }}
        onCancel={() => setEditing(null)}
      />
    </>
  );
}

function VisitTypeForm({
  token,
  editing,
  forms,
  onSaved,
  onCancel,
}: {
  token: string;
  editing: VisitType | null;
  forms: { form_id: string; title: string }[];
  onSaved: (message: string) => void;
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
    mutationFn: async ({ id, body }: { id: string; body: Omit<VisitType, "visit_type_id" | "updated_at"> }) => {
      const { data, error } = await adminForms.saveVisitType(id, body);
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setErrors(noErrors),
    onError: (error) => setErrors(formErrors(error, FIELDS, t("errors.network"))),
    onSuccess: async (saved) => {
      await queryClient.invalidateQueries({ queryKey: ["admin-visit-types", token] });
      onSaved(t("admin.visitTypes.saved", { name: saved.name }));
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const id = editing?.visit_type_id ?? String(data.get("visit_type_id") ?? "").trim();
    const name = String(data.get("name") ?? "").trim();
    const text = String(data.get("questionnaire") ?? "").trim();
    const fields: Record<string, string> = {};
    if (!SLUG.test(id)) fields.visit_type_id = t("admin.visitTypes.idRule");
    if (!name) fields.name = t("errors.required");
    let questionnaire: Record<string, unknown> | null = null;
    if (text) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error(t("admin.visitTypes.notAnObject"));
        questionnaire = parsed as Record<string, unknown>;
      } catch (error) {
        fields.questionnaire = t("admin.visitTypes.notJson", { reason: (error as Error).message });
      }
    }
    if (Object.keys(fields).length) return setErrors({ fields, general: [] });
    save.mutate({ id, body: { name, form_ids: data.getAll("form_ids").map(String), questionnaire } });
  }

  return (
    <section aria-labelledby="visit-type-form" className="margin-top-5">
      <h2 id="visit-type-form" tabIndex={-1} ref={heading}>
        {editing ? t("admin.visitTypes.changeTitle", { name: editing.name }) : t("admin.visitTypes.addTitle")}
      </h2>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        {!editing && (
          <TextField
            name="visit_type_id"
            label={t("admin.visitTypes.id")}
            hint={t("admin.visitTypes.idHint")}
            error={errors.fields.visit_type_id}
            maxLength={60}
            autoComplete="off"
          />
        )}
        <TextField
          name="name"
          label={t("admin.visitTypes.name")}
          hint={t("admin.visitTypes.nameHint")}
          error={errors.fields.name}
          defaultValue={editing?.name ?? ""}
          maxLength={200}
          autoComplete="off"
        />
        <fieldset className={`usa-fieldset usa-form-group${errors.fields.form_ids ? " usa-form-group--error" : ""}`}>
          <legend className="usa-legend">{t("admin.visitTypes.formsLegend")}</legend>
          {errors.fields.form_ids && (
            <span className="usa-error-message" role="alert">
              {errors.fields.form_ids}
            </span>
          )}
          {forms.length === 0 && <p>{t("admin.visitTypes.noFormsYet")}</p>}
          {forms.map((form) => (
            <div className="usa-checkbox" key={form.form_id}>
              <input
                className="usa-checkbox__input"
                id={`form-${form.form_id}`}
                type="checkbox"
                name="form_ids"
                value={form.form_id}
                defaultChecked={editing?.form_ids.includes(form.form_id) ?? false}
              />
              <label className="usa-checkbox__label" htmlFor={`form-${form.form_id}`}>
                {form.title}
              </label>
            </div>
          ))}
        </fieldset>
        <TextArea
          name="questionnaire"
          label={t("admin.visitTypes.questionnaireLabel")}
          hint={t("admin.visitTypes.questionnaireHint")}
          error={errors.fields.questionnaire}
          defaultValue={editing?.questionnaire ? JSON.stringify(editing.questionnaire, null, 2) : ""}
          rows={12}
          spellCheck={false}
          style={{ fontFamily: "monospace" }}
        />
        <ul className="usa-button-group margin-top-2">
          <li className="usa-button-group__item">
            <button className="usa-button" type="submit" disabled={save.isPending}>
              {save.isPending ? t("admin.saving") : t("admin.visitTypes.save")}
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
