import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, type Schemas } from "../api/client";
import { isErrorBody, load, sentence } from "../api/errors";
import { ErrorSummary } from "../components/ErrorSummary";
import { Notice } from "../components/Notice";
import { Problem } from "../components/Problem";
import { usePageTitle } from "../components/usePageTitle";
import { AdminPage } from "./AdminPage";

type Category = Schemas["SensitiveCategoryShown"];
type Code = Schemas["SensitiveCodeShown"];
const LOINC = "http://loinc.org";

/**
 * The organization's sensitive code lists, a list per category of care (sexual and reproductive
 * health, mental health, substance use, HIV, genetic tests): a result, document or health-summary
 * entry with a listed code is never shown to someone acting for the patient. Codes are added and
 * removed here and saved together (the API replaces every list at once).
 */
export function SensitiveCodes() {
  const { t } = useTranslation();
  usePageTitle(t("admin.sensitiveCodes.title"));
  return <AdminPage>{(token) => <Loader token={token} />}</AdminPage>;
}

function Loader({ token }: { token: string }) {
  const { t } = useTranslation();
  const lists = useQuery({
    queryKey: ["admin-sensitive-codes", token],
    queryFn: () => load(() => api.GET("/v1/admin/sensitive-codes")),
  });
  return (
    <>
      <h1>{t("admin.sensitiveCodes.title")}</h1>
      <p>{t("admin.sensitiveCodes.intro")}</p>
      {lists.isPending && <p>{t("app.loading")}</p>}
      {lists.isError && <Problem message={lists.error.message} />}
      {lists.data && <Editor token={token} saved={lists.data.categories} />}
    </>
  );
}

/** The API's refusal: each detail naming a code (categories.<i>.codes.<j>.<field>) goes by that code. */
function refusal(error: unknown, fallback: string): { byCode: Record<string, string>; general: string[] } {
  if (!isErrorBody(error)) return { byCode: {}, general: [fallback] };
  const byCode: Record<string, string> = {};
  const general: string[] = [];
  for (const detail of error.error.details) {
    const named = /^categories\.(\d+)\.codes\.(\d+)/.exec(detail.field ?? "");
    const said = sentence(detail.issue ?? error.error.message);
    if (named) byCode[`${named[1]}.${named[2]}`] ??= said;
    else if (!general.includes(said)) general.push(said);
  }
  if (Object.keys(byCode).length === 0 && general.length === 0) general.push(error.error.message);
  return { byCode, general };
}

function Editor({ token, saved }: { token: string; saved: Category[] }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [categories, setCategories] = useState(saved);
  const [problems, setProblems] = useState<{ byCode: Record<string, string>; general: string[] }>({ byCode: {}, general: [] });
  const [done, setDone] = useState("");
  const changeCodes = (index: number, codes: Code[]) =>
    setCategories((now) => now.map((category, i) => (i === index ? { ...category, codes } : category)));
  const save = useMutation({
    mutationFn: async () => {
      const { data, error } = await api.PUT("/v1/admin/sensitive-codes", {
        body: {
          categories: categories.map((category) => ({ category: category.category, codes: category.codes })),
        },
      });
      if (data === undefined) throw error;
      return data;
    },
    onMutate: () => {
      setDone("");
      setProblems({ byCode: {}, general: [] });
    },
    onSuccess: (data) => {
      setCategories(data.categories);
      queryClient.setQueryData(["admin-sensitive-codes", token], data);
      setDone(t("admin.sensitiveCodes.saved"));
    },
    onError: (error) => setProblems(refusal(error, t("errors.network"))),
  });
  return (
    <>
      <Notice text={done} />
      <ErrorSummary messages={problems.general} />
      {categories.map((category, index) => (
        <CategoryList
          key={category.category}
          category={category}
          index={index}
          problems={problems.byCode}
          onChange={(codes) => changeCodes(index, codes)}
        />
      ))}
      <button type="button" className="usa-button margin-top-3" disabled={save.isPending} onClick={() => save.mutate()}>
        {t("admin.sensitiveCodes.save")}
      </button>
    </>
  );
}

function CategoryList({
  category,
  index,
  problems,
  onChange,
}: {
  category: Category;
  index: number;
  problems: Record<string, string>;
  onChange: (codes: Code[]) => void;
}) {
  const { t } = useTranslation();
  const [system, setSystem] = useState(LOINC);
  const [code, setCode] = useState("");
  const [display, setDisplay] = useState("");
  const [missing, setMissing] = useState("");
  const headingId = `category-${category.category}`;
  const add = (event: FormEvent) => {
    event.preventDefault();
    if (!code.trim() || !system.trim()) return setMissing(t("admin.sensitiveCodes.codeRequired"));
    setMissing("");
    onChange([...category.codes, { system: system.trim(), code: code.trim(), display: display.trim() }]);
    setCode("");
    setDisplay("");
  };
  const field = (name: string) => `${category.category}-${name}`;
  return (
    <section aria-labelledby={headingId} className="margin-top-4">
      <h2 id={headingId}>{category.label}</h2>
      {category.codes.length === 0 ? (
        <p>{t("admin.sensitiveCodes.empty")}</p>
      ) : (
        // Stacked on a phone (each row a block, each cell labelled), so the Remove buttons stay in
        // view instead of off the side of a scrolling box.
        <div
          role="region"
          aria-label={t("admin.sensitiveCodes.listOf", { category: category.label })}
        >
          <table className="usa-table usa-table--borderless usa-table--compact usa-table--stacked width-full">
            <thead>
              <tr>
                <th scope="col">{t("admin.sensitiveCodes.code")}</th>
                <th scope="col">{t("admin.sensitiveCodes.display")}</th>
                <th scope="col">{t("admin.sensitiveCodes.system")}</th>
                <th scope="col">
                  <span className="usa-sr-only">{t("admin.sensitiveCodes.actions")}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {category.codes.map((one, position) => (
                <tr key={`${one.system}|${one.code}|${position}`}>
                  <td data-label={t("admin.sensitiveCodes.code")}>
                    {one.code}
                    {problems[`${index}.${position}`] && (
                      <span className="usa-error-message display-block">{problems[`${index}.${position}`]}</span>
                    )}
                  </td>
                  <td data-label={t("admin.sensitiveCodes.display")}>{one.display}</td>
                  <td className="text-base" data-label={t("admin.sensitiveCodes.system")}>
                    {one.system}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="usa-button usa-button--unstyled"
                      onClick={() => onChange(category.codes.filter((_, i) => i !== position))}
                    >
                      {t("admin.sensitiveCodes.remove")}
                      <span className="usa-sr-only"> {t("admin.sensitiveCodes.removeWhich", { code: one.code, category: category.label })}</span>
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <form className="usa-form" onSubmit={add} noValidate aria-label={t("admin.sensitiveCodes.addTo", { category: category.label })}>
        {missing && (
          <span className="usa-error-message" role="alert">
            {missing}
          </span>
        )}
        <div className="grid-row grid-gap-1">
          <div className="tablet:grid-col-3">
            <label className="usa-label" htmlFor={field("code")}>
              {t("admin.sensitiveCodes.newCode")}
            </label>
            <input id={field("code")} className="usa-input" value={code} onChange={(event) => setCode(event.target.value)} />
          </div>
          <div className="tablet:grid-col-5">
            <label className="usa-label" htmlFor={field("display")}>
              {t("admin.sensitiveCodes.newDisplay")}
            </label>
            <input id={field("display")} className="usa-input" value={display} onChange={(event) => setDisplay(event.target.value)} />
          </div>
          <div className="tablet:grid-col-4">
            <label className="usa-label" htmlFor={field("system")}>
              {t("admin.sensitiveCodes.newSystem")}
            </label>
            <input id={field("system")} className="usa-input" value={system} onChange={(event) => setSystem(event.target.value)} />
          </div>
        </div>
        <button type="submit" className="usa-button usa-button--outline margin-top-1">
          {t("admin.sensitiveCodes.add", { category: category.label })}
        </button>
      </form>
    </section>
  );
}
