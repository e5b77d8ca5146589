import { type ReactNode, useEffect, useId, useRef } from "react";
import { useTranslation } from "react-i18next";

/**
 * Asks before an action that cannot be taken back in a click (removing a connection, stopping a
 * feed, ending a patient's access). It sits in the page beside the button that asked, not in a
 * modal, and takes the keyboard's focus so that a screen reader reads the question at once. Once
 * it closes, the focus goes back to the button that asked (`opener`, else whatever had the focus
 * when it opened), so a keyboard user carries on where they were; after an action that removed
 * that button, the Notice saying what happened takes it instead. Escape closes it as "no" would,
 * as keyboard users expect of anything that asks (but not while the action is under way).
 */
export function Confirm({
  question,
  confirmLabel,
  cancelLabel,
  onConfirm,
  onCancel,
  busy,
  opener,
  children,
}: {
  question: string;
  confirmLabel: string;
  cancelLabel?: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy: boolean;
  opener?: HTMLElement | null;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  const asker = useRef(opener);
  useEffect(() => {
    // (a click does not focus a button in every browser: the caller may name the button instead)
    const back = asker.current ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null);
    box.current?.focus();
    return () => {
      if (back?.isConnected) back.focus();
    };
  }, []);
  return (
    <div
      ref={box}
      role="group"
      aria-labelledby={id}
      tabIndex={-1}
      onKeyDown={(event) => {
        if (event.key === "Escape" && !busy) {
          event.preventDefault();
          onCancel();
        }
      }}
      className="usa-alert usa-alert--warning usa-alert--no-icon margin-y-2"
    >
      <div className="usa-alert__body">
        <p className="usa-alert__text text-bold" id={id}>
          {question}
        </p>
        {children}
        <ul className="usa-button-group margin-top-1">
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--secondary" onClick={onConfirm} disabled={busy}>
              {confirmLabel}
            </button>
          </li>
          <li className="usa-button-group__item">
            <button type="button" className="usa-button usa-button--outline" onClick={onCancel} disabled={busy}>
              {cancelLabel ?? t("app.cancel")}
            </button>
          </li>
        </ul>
      </div>
    </div>
  );
}
