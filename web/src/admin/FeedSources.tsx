import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { type FormEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { type FormErrors, formErrors, isErrorBody, load, noErrors } from "../api/errors";
import { Confirm } from "../components/Confirm";
import { ErrorSummary } from "../components/ErrorSummary";
import { Problem } from "../components/Problem";
import { TextArea, TextField } from "../components/TextField";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";
import { Notice } from "../components/Notice";

type Source = Schemas["FeedSource"];
type Declaration = Schemas["AuthorityDeclaration"];
type CategoryCode = Schemas["CategoryCode"];
type CodeCategory = CategoryCode["category"];

const CODE_CATEGORIES: readonly CodeCategory[] = ["lab", "pathology", "imaging", "vital_signs", "other"];

/** The declarations as an admin writes them: one per line, "the sender's name = your authority". */
export function declarationsText(source: Source | null): string {
  return (source?.authorities ?? []).map((d) => `${d.sent_as} = ${d.authority}`).join("\n");
}

/** The lines read back; a line without "=" comes back as the line itself, for the form to name. */
export function parseDeclarations(text: string): { declarations: Declaration[]; unreadable: string } {
  const declarations: Declaration[] = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const at = line.lastIndexOf("=");
    const sentAs = line.slice(0, at).trim();
    const authority = line.slice(at + 1).trim();
    if (at < 0 || !sentAs || !authority) return { declarations, unreadable: line };
    declarations.push({ sent_as: sentAs, authority });
  }
  return { declarations, unreadable: "" };
}

/** The category mapping as an admin writes it: one per line, "<system>|<code> = category". */
export function categoryCodesText(source: Source | null): string {
  return (source?.category_codes ?? []).map((c) => `${c.code} = ${c.category}`).join("\n");
}

/**
 * The mapping's lines read back. A category may be written as it reads ("Vital signs"); a line
 * without "=" or with another word comes back as the line itself, for the form to name.
 */
export function parseCategoryCodes(text: string): { codes: CategoryCode[]; unreadable: string } {
  const codes: CategoryCode[] = [];
  for (const line of text.split("\n").map((l) => l.trim()).filter(Boolean)) {
    const at = line.lastIndexOf("=");
    const code = line.slice(0, at).trim();
    const word = line.slice(at + 1).trim().toLowerCase().replace(/[\s-]+/g, "_");
    const category = CODE_CATEGORIES.find((c) => c === word);
    if (at < 0 || !code || !category) return { codes, unreadable: line };
    codes.push({ code, category });
  }
  return { codes, unreadable: "" };
}

/**
 * The API names an entry of the mapping by its place ("category_codes.3.code"): next to the
 * field, the refusal names the line it is about, as the admin wrote it.
 */
function withLine(errors: FormErrors, body: unknown, codes: CategoryCode[], t: TFunction): FormErrors {
  if (!errors.fields.category_codes || !isErrorBody(body)) return errors;
  const place = body.error.details.map((d) => /^category_codes\.(\d+)/.exec(d.field ?? "")).find(Boolean);
  const entry = place ? codes[Number(place[1])] : undefined;
  if (!entry) return errors;
  const line = `${entry.code} = ${entry.category}`;
  return {
    ...errors,
    fields: { ...errors.fields, category_codes: t("admin.feeds.categoryLine", { line, problem: errors.fields.category_codes }) },
  };
}

/**
 * A sender's name in a path: UTF-8, base64url without padding. A sender holds "|", "^", spaces
 * and, for FHIR, "/", which a path segment does not carry reliably.
 */
export function sourceId(sender: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(sender)) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A sender in a sentence: "*" files every sender not registered, which a lone "*" does not say. */
function senderName(sender: string, t: TFunction): string {
  return sender === "*" ? t("admin.feeds.catchAllName") : sender;
}

/** The admins' page of the systems that send the organization's clinical feeds. */
export function FeedSources() {
  const { t } = useTranslation();
  usePageTitle(t("admin.feeds.title"));
  return <AdminPage>{(token) => <SourcesPage token={token} />}</AdminPage>;
}

function SourcesPage({ token }: { token: string }) {
  const { t } = useTranslation();
  const [editing, setEditing] = useState<Source | null>(null);
  const [stopping, setStopping] = useState<Source | null>(null);
  const [done, setDone] = useState("");
  const sources = useQuery({
    queryKey: ["admin-feed-sources", token],
    queryFn: () => load(() => api.GET("/v1/admin/feed-sources")),
  });

  return (
    <>
      <h1>{t("admin.feeds.title")}</h1>
      <p className="usa-intro">{t("admin.feeds.intro")}</p>
      <p>{t("admin.feeds.quarantine")}</p>
      <Notice text={done} />
      <h2>{t("admin.feeds.listTitle")}</h2>
      {sources.isPending && <p>{t("app.loading")}</p>}
      {sources.isError && <Problem message={sources.error.message} />}
      {sources.data &&
        (sources.data.feed_sources.length === 0 ? (
          <p>{t("admin.feeds.none")}</p>
        ) : (
          <div className="usa-table-container--scrollable" tabIndex={0}>
            <table className="usa-table usa-table--borderless usa-table--stacked width-full">
              <caption className="usa-sr-only">{t("admin.feeds.listTitle")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("admin.feeds.sender")}</th>
                  <th scope="col">{t("admin.feeds.authority")}</th>
                  <th scope="col">{t("admin.feeds.declared")}</th>
                  <th scope="col">{t("admin.feeds.categories")}</th>
                  <th scope="col">{t("admin.feeds.testMessages")}</th>
                  <th scope="col">{t("admin.staff.action")}</th>
                </tr>
              </thead>
              <tbody>
                {sources.data.feed_sources.map((source) => (
                  <tr key={source.source_id}>
                    <th scope="row" data-label={t("admin.feeds.sender")} style={{ overflowWrap: "anywhere" }}>
                      {source.sender === "*" ? t("admin.feeds.catchAll") : <code>{source.sender}</code>}
                    </th>
                    <td data-label={t("admin.feeds.authority")}>
                      {source.default_authority ?? t("admin.feeds.noAuthority")}
                    </td>
                    <td data-label={t("admin.feeds.declared")}>
                      {source.authorities.length === 0 ? (
                        t("admin.feeds.noneDeclared")
                      ) : (
                        <ul className="usa-list usa-list--unstyled">
                          {source.authorities.map((d) => (
                            <li key={d.sent_as} style={{ overflowWrap: "anywhere" }}>
                              {t("admin.feeds.declaredAs", { sentAs: d.sent_as, authority: d.authority })}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td data-label={t("admin.feeds.categories")}>
                      {source.category_codes.length === 0 ? (
                        t("admin.feeds.noCategories")
                      ) : (
                        <ul className="usa-list usa-list--unstyled">
                          {source.category_codes.map((c) => (
                            <li key={c.code} style={{ overflowWrap: "anywhere" }}>
                              {t("admin.feeds.categoryIs", {
                                code: c.code,
                                category: t(`admin.feeds.categoryNames.${c.category}`),
                              })}
                            </li>
                          ))}
                        </ul>
                      )}
                    </td>
                    <td data-label={t("admin.feeds.testMessages")}>
                      {source.files_test_messages ? t("admin.feeds.testFiled") : t("admin.feeds.testQuarantined")}
                    </td>
                    <td data-label={t("admin.staff.action")}>
                      <ul className="usa-button-group">
                        <li className="usa-button-group__item">
                          <button
                            type="button"
                            className="usa-button usa-button--outline usa-button--small"
                            onClick={() => {
                              setDone("");
                              setStopping(null);
                              setEditing(source);
                            }}
                          >
                            {t("admin.feeds.change", { sender: senderName(source.sender, t) })}
                          </button>
                        </li>
                        <li className="usa-button-group__item">
                          <button
                            type="button"
                            className="usa-button usa-button--secondary usa-button--small"
                            data-confirm-for={source.source_id}
                            onClick={() => {
                              setDone("");
                              setStopping(source);
                            }}
                          >
                            {t("admin.feeds.stop", { sender: senderName(source.sender, t) })}
                          </button>
                        </li>
                      </ul>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      {stopping && (
        <ConfirmStop
          token={token}
          source={stopping}
          onClose={(message) => {
            // Cancelled: the confirmation gives the focus back to the button that asked; done:
            // the notice of what happened takes it.
            setStopping(null);
            setDone(message);
          }}
        />
      )}
      <SourceForm
        key={editing?.source_id ?? "new"}
        token={token}
        editing={editing}
        onSaved={(message) => {
          setEditing(null);
          setDone(message);
        }}
        onCancel={() => setEditing(null)}
      />
    </>
  );
}

function ConfirmStop({ token, source, onClose }: { token: string; source: Source; onClose: (message: string) => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const stop = useMutation({
    mutationFn: async () => {
      const { error, response } = await api.DELETE("/v1/admin/feed-sources/{source_id}", {
        params: { path: { source_id: source.source_id } },
      });
      if (!response.ok) throw error;
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ["admin-feed-sources", token] });
      onClose(t("admin.feeds.stopped", { sender: senderName(source.sender, t) }));
    },
  });
  const problem = stop.isError ? formErrors(stop.error, [], t("errors.network")).general : [];
  return (
    <Confirm
      question={t("admin.feeds.confirmTitle", { sender: senderName(source.sender, t) })}
      confirmLabel={t("admin.feeds.confirmStop", { sender: senderName(source.sender, t) })}
      onConfirm={() => stop.mutate()}
      onCancel={() => onClose("")}
      busy={stop.isPending}
      opener={document.querySelector<HTMLElement>(`[data-confirm-for="${source.source_id}"]`)}
    >
      <ul className="usa-list">
        <li>{t("admin.feeds.confirmNext")}</li>
        <li>{t("admin.feeds.confirmKept")}</li>
        <li>{t("admin.feeds.confirmBack")}</li>
      </ul>
      <ErrorSummary messages={problem} />
    </Confirm>
  );
}

const FIELDS = ["source_id", "default_authority", "authorities", "category_codes", "files_test_messages"] as const;

function SourceForm({
  token,
  editing,
  onSaved,
  onCancel,
}: {
  token: string;
  editing: Source | null;
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
    mutationFn: async ({
      sender,
      authority,
      declarations,
      codes,
      testMessages,
    }: {
      sender: string;
      authority: string;
      declarations: Declaration[];
      codes: CategoryCode[];
      testMessages: boolean;
    }) => {
      // Every PUT says it all (test messages, declarations, categories): the form carries the current choices.
      const { data, error } = await api.PUT("/v1/admin/feed-sources/{source_id}", {
        params: { path: { source_id: sourceId(sender) } },
        body: {
          default_authority: authority || null,
          authorities: declarations,
          category_codes: codes,
          files_test_messages: testMessages,
        },
      });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => setErrors(noErrors),
    // (while a sender is changed, its name is not a field: a refusal about it goes above the form)
    onError: (error, { codes }) =>
      setErrors(
        withLine(
          formErrors(
            error,
            editing ? ["default_authority", "authorities", "category_codes", "files_test_messages"] : FIELDS,
            t("errors.network"),
          ),
          error,
          codes,
          t,
        ),
      ),
    onSuccess: async (source) => {
      await queryClient.invalidateQueries({ queryKey: ["admin-feed-sources", token] });
      onSaved(t("admin.feeds.saved", { sender: senderName(source.sender, t) }));
    },
  });

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const sender = editing ? editing.sender : String(form.get("sender") ?? "").trim();
    if (!sender) {
      setErrors({ fields: { source_id: t("errors.required") }, general: [] });
      return;
    }
    const { declarations, unreadable } = parseDeclarations(String(form.get("authorities") ?? ""));
    if (unreadable) {
      setErrors({ fields: { authorities: t("admin.feeds.declaredUnreadable", { line: unreadable }) }, general: [] });
      return;
    }
    const { codes, unreadable: unreadableCode } = parseCategoryCodes(String(form.get("category_codes") ?? ""));
    if (unreadableCode) {
      setErrors({
        fields: { category_codes: t("admin.feeds.categoriesUnreadable", { line: unreadableCode }) },
        general: [],
      });
      return;
    }
    save.mutate({
      sender,
      declarations,
      codes,
      authority: String(form.get("default_authority") ?? "").trim(),
      testMessages: form.get("files_test_messages") === "on",
    });
  }

  return (
    <section aria-labelledby="source-form" className="margin-top-5">
      <h2 id="source-form" tabIndex={-1} ref={heading}>
        {editing ? t("admin.feeds.changeTitle", { sender: senderName(editing.sender, t) }) : t("admin.feeds.addTitle")}
      </h2>
      <p>{editing ? t("admin.feeds.changeIntro") : t("admin.feeds.addIntro")}</p>
      <ErrorSummary messages={errors.general} />
      <form className="usa-form usa-form--large" onSubmit={onSubmit} noValidate>
        {editing ? (
          <p>
            {t("admin.feeds.sender")}: <code>{editing.sender}</code>
          </p>
        ) : (
          <TextField
            name="sender"
            label={t("admin.feeds.sender")}
            hint={t("admin.feeds.senderHint")}
            error={errors.fields.source_id}
            autoComplete="off"
            spellCheck={false}
            required
          />
        )}
        <TextField
          name="default_authority"
          label={t("admin.feeds.authority")}
          hint={t("admin.feeds.authorityHint")}
          error={errors.fields.default_authority}
          defaultValue={editing?.default_authority ?? ""}
          autoComplete="off"
          spellCheck={false}
        />
        <TextArea
          name="authorities"
          label={t("admin.feeds.declaredLabel")}
          hint={t("admin.feeds.declaredHint")}
          error={errors.fields.authorities}
          defaultValue={declarationsText(editing)}
          autoComplete="off"
          spellCheck={false}
          rows={4}
        />
        <TextArea
          name="category_codes"
          label={t("admin.feeds.categoriesLabel")}
          hint={t("admin.feeds.categoriesHint")}
          error={errors.fields.category_codes}
          defaultValue={categoryCodesText(editing)}
          autoComplete="off"
          spellCheck={false}
          rows={4}
        />
        <div className="usa-form-group">
          <div className="usa-checkbox">
            <input
              className="usa-checkbox__input"
              id="files_test_messages"
              type="checkbox"
              name="files_test_messages"
              defaultChecked={editing?.files_test_messages ?? false}
              aria-describedby="files_test_messages-hint"
            />
            <label className="usa-checkbox__label" htmlFor="files_test_messages">
              {t("admin.feeds.testLabel")}
            </label>
          </div>
          <span className="usa-hint" id="files_test_messages-hint">
            {t("admin.feeds.testHint")}
          </span>
          {errors.fields.files_test_messages && (
            <span className="usa-error-message">{errors.fields.files_test_messages}</span>
          )}
        </div>
        <ul className="usa-button-group">
          <li className="usa-button-group__item">
            <button className="usa-button" type="submit" disabled={save.isPending}>
              {editing ? t("admin.feeds.saveChange") : t("admin.feeds.register")}
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
