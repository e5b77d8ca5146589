import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, load, noErrors } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { Problem } from "../components/Problem";
import { TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";
import { Notice } from "../components/Notice";
import { TextArea } from "../components/TextField";
import { momentText } from "../components/dates";

type Publication = Schemas["TermsPublication"];

function namesField(error: unknown, field: string): boolean {
  const details = (error as { error?: { details?: { field?: string | null }[] } } | null)?.error?.details;
  return Array.isArray(details) && details.some((detail) => detail.field === field);
}
const FIELDS = ["version", "summary", "terms_of_use", "consent"] as const;
const LABEL = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
const LIMITS = { version: 32, summary: 500, terms_of_use: 20000, consent: 20000 } as const;

/** The admins' page of the Terms of Use and Informed Consent: the version in force, its history, and a new version. */
export function Terms() {
  const { t } = useTranslation();
  usePageTitle(t("admin.terms.title"));
  return <AdminPage>{(token) => <TermsPage token={token} />}</AdminPage>;
}

function TermsPage({ token }: { token: string }) {
  const { t, i18n } = useTranslation();
  const [published, setPublished] = useState("");
  const [reading, setReading] = useState<string | null>(null);
  const versions = useQuery({
    queryKey: ["admin-terms", token],
    queryFn: () => load(() => api.GET("/v1/admin/terms")),
  });
  const current = versions.data?.current;
  return (
    <>
      <h1>{t("admin.terms.title")}</h1>
      <p className="usa-intro">{t("admin.terms.intro")}</p>
      <Notice text={published ? t("admin.terms.published", { version: published }) : null} />
      {versions.isPending && <p>{t("app.loading")}</p>}
      {versions.isError && <Problem message={versions.error.message} />}
      {versions.data && current && (
        <>
          <Publisher publisher={versions.data.publisher} />
          <h2>{t("admin.terms.currentTitle", { version: current.version })}</h2>
          <p>
            {current.published_at
              ? t("admin.terms.publishedOn", { when: momentText(current.published_at, i18n.language) })
              : t("admin.terms.shipped")}
          </p>
          {current.summary && <p>{t("admin.terms.summaryIs", { summary: current.summary })}</p>}
          <details className="margin-bottom-3">
            <summary>{t("admin.terms.readCurrent")}</summary>
            <TermsText termsOfUse={current.terms_of_use} consent={current.consent} />
          </details>

          <h2>{t("admin.terms.historyTitle")}</h2>
          <div className="usa-table-container--scrollable" tabIndex={0}>
            <table className="usa-table usa-table--borderless usa-table--stacked width-full">
              <caption className="usa-sr-only">{t("admin.terms.historyTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.terms.version")}</th>
                  <th scope="col">{t("admin.terms.when")}</th>
                  <th scope="col">{t("admin.terms.summary")}</th>
                  <th scope="col">{t("admin.terms.text")}</th>
                </tr>
              </thead>
              <tbody>
                {versions.data.history.map((entry) => (
                  <tr key={entry.version}>
                    <th scope="row" data-label={t("admin.terms.version")}>
                      {entry.version}
                      {entry.current && <span className="usa-tag margin-left-1">{t("admin.terms.inForce")}</span>}
                    </th>
                    <td data-label={t("admin.terms.when")}>
                      {entry.published_at ? momentText(entry.published_at, i18n.language) : t("admin.terms.shippedShort")}
                    </td>
                    <td data-label={t("admin.terms.summary")}>{entry.summary ?? t("admin.terms.noSummary")}</td>
                    <td data-label={t("admin.terms.text")}>
                      <button
                        type="button"
                        className="usa-button usa-button--unstyled"
                        onClick={() => setReading(entry.version)}
                      >
                        {t("admin.terms.read", { version: entry.version })}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          {reading && <PastVersion token={token} version={reading} onClose={() => setReading(null)} />}

          {versions.data.publisher.caller_may_publish && (
            <PublishForm
              // a fresh form, from the new text, after each publication here; a refusal keeps the draft
              key={published || "draft"}
              token={token}
              current={current}
              onPublished={(version) => setPublished(version)}
            />
          )}
        </>
      )}
    </>
  );
}

/** Who publishes the terms: they are the whole portal's, so one organization's admins do. */
function Publisher({ publisher }: { publisher: Schemas["TermsPublisher"] }) {
  const { t } = useTranslation();
  const name = publisher.organization_name ?? publisher.organization_id;
  let text: string;
  if (!name) text = t("admin.terms.nobodyPublishes");
  else if (publisher.caller_may_publish) text = t("admin.terms.youPublish", { organization: name });
  else text = t("admin.terms.othersPublish", { organization: name });
  return <p>{text}</p>;
}

/** One version's text, current or past: what patients accepted then. */
function PastVersion({ token, version, onClose }: { token: string; version: string; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const heading = useRef<HTMLHeadingElement>(null);
  const terms = useQuery({
    queryKey: ["admin-terms-version", token, version],
    queryFn: () => load(() => api.GET("/v1/admin/terms/{version}", { params: { path: { version } } })),
  });
  useEffect(() => heading.current?.focus(), [version]);
  return (
    <section aria-labelledby="terms-reading" className="margin-y-3">
      <h2 id="terms-reading" tabIndex={-1} ref={heading}>
        {t("admin.terms.readingTitle", { version })}
      </h2>
      {terms.isPending && <p>{t("app.loading")}</p>}
      {terms.isError && <Problem message={terms.error.message} />}
      {terms.data && (
        <>
          <p>
            {terms.data.published_at
              ? t("admin.terms.publishedOn", { when: momentText(terms.data.published_at, i18n.language) })
              : t("admin.terms.shippedShort")}
          </p>
          <TermsText termsOfUse={terms.data.terms_of_use} consent={terms.data.consent} />
        </>
      )}
      <button type="button" className="usa-button usa-button--outline margin-top-2" onClick={onClose}>
        {t("admin.terms.closeReading", { version })}
      </button>
    </section>
  );
}

function TermsText({ termsOfUse, consent }: { termsOfUse: string; consent: string }) {
  const { t } = useTranslation();
  return (
    <div className="border-1px border-base-lighter padding-2 margin-top-1">
      <h3 className="margin-top-0">{t("admin.terms.termsOfUse")}</h3>
      <p style={{ whiteSpace: "pre-line" }}>{termsOfUse}</p>
      <h3>{t("admin.terms.consent")}</h3>
      <p style={{ whiteSpace: "pre-line" }}>{consent}</p>
    </div>
  );
}

/**
 * Write, preview, confirm: a publication asks every patient again, so the admin reads the new
 * text as patients will and says so before it is sent.
 */
function PublishForm({
  token,
  current,
  onPublished,
}: {
  token: string;
  current: Schemas["PublishedTerms"];
  onPublished: (version: string) => void;
}) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Omit<Publication, "replaces">>({
    version: "",
    summary: "",
    terms_of_use: current.terms_of_use,
    consent: current.consent,
  });
  const [previewing, setPreviewing] = useState(false);
  const [errors, setErrors] = useState<FormErrors>(noErrors);
  const preview = useRef<HTMLHeadingElement>(null);
  const formHeading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (previewing) preview.current?.focus();
  }, [previewing]);

  const publish = useMutation({
    mutationFn: async (body: Publication) => {
      const { data, error } = await api.POST("/v1/admin/terms", { body });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setErrors(noErrors),
    onError: async (error) => {
      setErrors(formErrors(error, FIELDS, t("errors.network")));
      setPreviewing(false); // back to the form, where the errors are
      formHeading.current?.focus();
      if (namesField(error, "replaces")) {
        // Another version was published since this page was read: show it (the draft stays),
        // and the next attempt replaces the version now shown.
        await queryClient.invalidateQueries({ queryKey: ["admin-terms", token] });
      }
    },
    onSuccess: async (terms) => {
      onPublished(terms.version);
      await queryClient.invalidateQueries({ queryKey: ["admin-terms", token] });
    },
  });

  function check(): FormErrors {
    const fields: Record<string, string> = {};
    for (const field of FIELDS) {
      const value = draft[field];
      if (!value.trim()) fields[field] = t("errors.required");
      else if (value.length > LIMITS[field]) fields[field] = t("admin.terms.tooLong", { count: LIMITS[field] });
    }
    if (!fields.version && !LABEL.test(draft.version.trim())) fields.version = t("admin.terms.labelInvalid");
    return { fields, general: Object.keys(fields).length ? [t("admin.terms.fixFields")] : [] };
  }

  function onPreview(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const found = check();
    setErrors(found);
    if (found.general.length === 0) setPreviewing(true);
  }

  const edit = (field: (typeof FIELDS)[number]) => ({
    value: draft[field],
    onChange: (event: { target: { value: string } }) => setDraft({ ...draft, [field]: event.target.value }),
  });

  if (previewing) {
    return (
      <section aria-labelledby="terms-preview" className="margin-top-5">
        <h2 id="terms-preview" tabIndex={-1} ref={preview}>
          {t("admin.terms.previewTitle", { version: draft.version.trim() })}
        </h2>
        <p>{t("admin.terms.previewIntro")}</p>
        <p>{t("admin.terms.summaryIs", { summary: draft.summary.trim() })}</p>
        <TermsText termsOfUse={draft.terms_of_use.trim()} consent={draft.consent.trim()} />
        <div className="usa-alert usa-alert--warning margin-top-3">
          <div className="usa-alert__body">
            <h3 className="usa-alert__heading">{t("admin.terms.confirmTitle")}</h3>
            <p className="usa-alert__text">{t("admin.terms.confirmText")}</p>
          </div>
        </div>
        <ul className="usa-button-group margin-top-2">
          <li className="usa-button-group__item">
            <button
              type="button"
              className="usa-button"
              disabled={publish.isPending}
              onClick={() =>
                publish.mutate({
                  version: draft.version.trim(),
                  replaces: current.version,
                  summary: draft.summary.trim(),
                  terms_of_use: draft.terms_of_use.trim(),
                  consent: draft.consent.trim(),
                })
              }
            >
              {publish.isPending ? t("admin.saving") : t("admin.terms.publish", { version: draft.version.trim() })}
            </button>
          </li>
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--outline" onClick={() => setPreviewing(false)}>
              {t("admin.terms.backToEdit")}
            </button>
          </li>
        </ul>
      </section>
    );
  }

  return (
    <section aria-labelledby="terms-new" className="margin-top-5">
      <h2 id="terms-new" tabIndex={-1} ref={formHeading}>
        {t("admin.terms.newTitle")}
      </h2>
      <p>{t("admin.terms.newIntro")}</p>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large maxw-none" onSubmit={onPreview} noValidate>
        <TextField
          name="version"
          label={t("admin.terms.versionLabel")}
          hint={t("admin.terms.versionHint", { current: current.version })}
          error={errors.fields.version}
          autoComplete="off"
          spellCheck={false}
          maxLength={LIMITS.version}
          {...edit("version")}
        />
        <TextArea
          name="summary"
          label={t("admin.terms.summaryLabel")}
          hint={t("admin.terms.summaryHint")}
          error={errors.fields.summary}
          rows={3}
          {...edit("summary")}
        />
        <TextArea
          name="terms_of_use"
          label={t("admin.terms.termsOfUse")}
          hint={t("admin.terms.textHint")}
          error={errors.fields.terms_of_use}
          rows={12}
          {...edit("terms_of_use")}
        />
        <TextArea
          name="consent"
          label={t("admin.terms.consent")}
          hint={t("admin.terms.textHint")}
          error={errors.fields.consent}
          rows={8}
          {...edit("consent")}
        />
        <button className="usa-button" type="submit">
          {t("admin.terms.preview")}
        </button>
      </form>
    </section>
  );
}
