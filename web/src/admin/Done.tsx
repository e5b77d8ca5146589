import { useEffect, useRef } from "react";

/**
 * What an action did, said where the eye and the keyboard go next: it takes the focus when it
 * appears, since the button that asked for it may have gone (a confirmation closes) or be screens
 * away from the top of the page on a phone.
 */
export function Done({ message }: { message: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.focus(), [message]);
  if (!message) return null;
  return (
    <div className="usa-alert usa-alert--success usa-alert--slim" role="status" tabIndex={-1} ref={box}>
      <div className="usa-alert__body">
        <p className="usa-alert__text">{message}</p>
      </div>
    </div>
  );
}
