import { useEffect, useRef } from "react";
import { useTranslation } from "react-i18next";

/**
 * The errors of a form that belong to no field it shows, above the form. When a refusal arrives
 * it takes the focus, so that the keyboard and the screen reader start from what went wrong
 * rather than from wherever the browser left the focus; unless the page has already put the focus
 * in the field the refusal names, which is better still.
 */
export function ErrorSummary({ messages }: { messages: string[] }) {
  const { t } = useTranslation();
  const box = useRef<HTMLDivElement>(null);
  const text = messages.join("\n");
  useEffect(() => {
    const focused = document.activeElement;
    const inAField = focused instanceof HTMLElement && focused.matches("input, select, textarea");
    if (text && !inAField) box.current?.focus();
  }, [text]);
  if (messages.length === 0) return null;
  return (
    <div ref={box} className="usa-alert usa-alert--error usa-alert--slim" role="alert" tabIndex={-1}>
      <div className="usa-alert__body">
        <h2 className="usa-sr-only">{t("errors.summary")}</h2>
        {messages.map((message) => (
          <p className="usa-alert__text" key={message}>
            {message}
          </p>
        ))}
      </div>
    </div>
  );
}
