import { useTranslation } from "react-i18next";

/**
 * Previous and next page of a list the API pages by cursor. The cursors of the pages already
 * seen are kept so that "previous" goes back without the API having to page backwards.
 */
export function Pager({
  page,
  nextCursor,
  onPrevious,
  onNext,
}: {
  page: number;
  nextCursor: string | null;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}) {
  const { t } = useTranslation();
  if (page === 0 && nextCursor === null) return null;
  return (
    <nav aria-label={t("pager.label")} className="margin-y-2">
      <ul className="usa-button-group">
        {page > 0 && (
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--outline" onClick={onPrevious}>
              {t("pager.previous")}
            </button>
          </li>
        )}
        {nextCursor !== null && (
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--outline" onClick={() => onNext(nextCursor)}>
              {t("pager.next")}
            </button>
          </li>
        )}
      </ul>
    </nav>
  );
}

/** The cursors of the pages seen so far; the first page has none. */
export function pagesState(cursors: string[]) {
  return { cursor: cursors[cursors.length - 1] ?? "", page: cursors.length };
}
