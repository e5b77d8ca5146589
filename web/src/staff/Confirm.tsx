import { type ReactNode, useEffect, useId, useRef } from "react";
import { useTranslation } from "react-i18next";

/**
 * Asks before an action that cannot be taken back in a click (ending a patient's access, holding a
 * result back, dismissing a message). It sits in the page beside the button that asked, not in a
 * modal, and takes the keyboard's focus so that a screen reader reads the question at once.
 */
export function Confirm({
  question,
  confirmLabel,
  onConfirm,
  onCancel,
  busy,
  children,
}: {
  question: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  busy: boolean;
  children?: ReactNode;
}) {
  const { t } = useTranslation();
  const id = useId();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    // Back to the button that asked once the question is answered or cancelled, so a keyboard
    // user carries on where they were.
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    box.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <div
      ref={box}
      role="group"
      aria-labelledby={id}
      tabIndex={-1}
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
              {t("staff.cancel")}
            </button>
          </li>
        </ul>
      </div>
    </div>
  );
}

/** What an action came to: the new state in words, or the API's refusal in its own words. */
export function Outcome({ outcome }: { outcome: { ok: boolean; text: string } | null }) {
  if (outcome === null) return null;
  return (
    <div
      className={`usa-alert usa-alert--slim margin-y-2 ${outcome.ok ? "usa-alert--success" : "usa-alert--error"}`}
      role={outcome.ok ? "status" : "alert"}
    >
      <div className="usa-alert__body">
        <p className="usa-alert__text">{outcome.text}</p>
      </div>
    </div>
  );
}
