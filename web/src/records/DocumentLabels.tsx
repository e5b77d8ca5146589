import { useTranslation } from "react-i18next";
import type { Schemas } from "../api/client";

/**
 * How a document came to be, in plain words: an addendum (and to what), a replacement, or an
 * update of one already shown. Nothing for a first version.
 */
export function DocumentLabels({ document }: { document: Schemas["DocumentSummary"] }) {
  const { t } = useTranslation();
  const labels: string[] = [];
  if (document.addendum_to)
    labels.push(
      document.addendum_to_title
        ? t("records.document.addendumTo", { title: document.addendum_to_title })
        : t("records.document.addendumToEarlier"),
    );
  if (document.revision === "replacement") labels.push(t("records.document.replacement"));
  if (document.revision === "updated") labels.push(t("records.document.updated"));
  if (labels.length === 0) return null;
  return (
    <>
      {labels.map((label) => (
        <span key={label} className="usa-tag bg-base-lighter text-ink margin-right-1 margin-top-05 display-inline-block">
          {label}
        </span>
      ))}
    </>
  );
}
