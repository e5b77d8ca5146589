import { useEffect, useRef } from "react";

/**
 * What an action came to: the new state in words, or the API's refusal in its own words. It is
 * said where the eye and the keyboard go next: it takes the focus when it appears, since the
 * button that asked may have gone (a confirmation closed, a row was removed) or be screens away
 * on a phone; a screen reader reads it then (and as a live region where focus is not followed).
 */
export function Notice({ text, ok = true }: { text: string | null | undefined; ok?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (text) box.current?.focus();
  }, [text]);
  if (!text) return null;
  return (
    <div
      ref={box}
      tabIndex={-1}
      className={`usa-alert usa-alert--slim margin-y-2 ${ok ? "usa-alert--success" : "usa-alert--error"}`}
      role={ok ? "status" : "alert"}
    >
      <div className="usa-alert__body">
        <p className="usa-alert__text">{text}</p>
      </div>
    </div>
  );
}
